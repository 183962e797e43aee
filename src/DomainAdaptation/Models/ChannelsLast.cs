using TorchSharp;
using static TorchSharp.torch;

namespace DomainAdaptation.Models;

/// <summary>
/// Lays a batch of images out channels-last in memory (NHWC strides) without changing its shape or values: the result is
/// still indexed <c>[N, C, H, W]</c>. Put first in a convolutional feature extractor, it makes libtorch's CPU kernels run
/// their channels-last paths for every layer after it: oneDNN convolutions take and give NHWC, ReLU and batch norm keep
/// the layout, and max pooling uses its vectorised channels-last kernel, which on CPU is several times faster than the
/// NCHW one. A final flatten copies the features back into NCHW order, so the features, the weights and checkpoints are
/// the same as without it.
/// </summary>
/// <remarks>
/// <para>
/// Measured on the paper's MNIST network (docs/performance.md): the DANN training step at 64 + 64 images is markedly
/// faster with it, mostly from max pooling. TorchSharp 0.107 has no <c>memory_format</c> argument, so the layout is made
/// with two permutations around a copy: <c>x.permute(0, 2, 3, 1).contiguous().permute(0, 3, 1, 2)</c>; the copy is skipped
/// when the input is already channels-last.
/// </para>
/// <para>
/// Inputs of another rank than 4 are passed through unchanged (as an alias). The layers after it must not call
/// <c>view</c> on their input expecting NCHW-contiguous memory; TorchSharp's built-in layers (and <c>nn.Flatten</c>, which
/// reshapes) do not.
/// </para>
/// </remarks>
public sealed class ChannelsLast : nn.Module<Tensor, Tensor>
{
    /// <summary>Creates the layer.</summary>
    /// <param name="name">The module name.</param>
    public ChannelsLast(string name = "ChannelsLast")
        : base(name)
    {
    }

    /// <summary>Returns <paramref name="input"/> with channels-last strides (same shape and values).</summary>
    /// <param name="input">Images <c>[N, C, H, W]</c>; other ranks pass through.</param>
    /// <returns>A tensor equal to <paramref name="input"/>, laid out NHWC in memory.</returns>
    public override Tensor forward(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (input.dim() != 4) return input.alias();
        using Tensor nhwc = input.permute(0, 2, 3, 1);
        using Tensor dense = nhwc.contiguous();
        return dense.permute(0, 3, 1, 2);
    }

    /// <summary>True when <paramref name="images"/> (rank 4) has channels-last strides: channel stride 1, then W, H, N.</summary>
    /// <param name="images">A rank-4 tensor.</param>
    /// <returns>Whether its memory is NHWC-dense.</returns>
    public static bool IsChannelsLast(Tensor images)
    {
        ArgumentNullException.ThrowIfNull(images);
        if (images.dim() != 4) return false;
        long[] shape = images.shape;
        long[] stride = images.stride();
        return stride[1] == 1 && stride[3] == shape[1] && stride[2] == shape[1] * shape[3] && stride[0] == shape[1] * shape[2] * shape[3];
    }
}
