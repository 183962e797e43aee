using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace DomainAdaptation.Models.Backbones;

/// <summary>
/// MobileNetV2's inverted residual block (Sandler et al., "MobileNetV2: Inverted Residuals and Linear Bottlenecks",
/// CVPR 2018; torchvision <c>InvertedResidual</c>): a 1×1 expansion to <c>t · C_in</c> channels → BN → ReLU6 (left out
/// when t = 1), a 3×3 depthwise convolution (stride s) → BN → ReLU6, a linear 1×1 projection to <c>C_out</c> → BN; plus
/// the input when s = 1 and C_in = C_out (no activation after the sum).
/// </summary>
/// <remarks>
/// State-dict keys as torchvision's: <c>conv.0.0.weight</c> (expansion), <c>conv.1.0.weight</c> (depthwise),
/// <c>conv.2.weight</c>, <c>conv.3.*</c> (projection and its batch norm); for t = 1 the depthwise stage is
/// <c>conv.0</c> and the projection <c>conv.1</c>, <c>conv.2</c>.
/// </remarks>
public sealed class InvertedResidual : nn.Module<Tensor, Tensor>
{
#pragma warning disable IDE1006 // Field names are the state-dict keys.
    private readonly Sequential conv;
#pragma warning restore IDE1006

    /// <summary>Creates the block.</summary>
    /// <param name="inChannels">C_in.</param>
    /// <param name="outChannels">C_out.</param>
    /// <param name="stride">The depthwise convolution's stride: 1 or 2.</param>
    /// <param name="expandRatio">t: the hidden width is <c>round(t · C_in)</c>.</param>
    /// <exception cref="ArgumentOutOfRangeException">When the stride is not 1 or 2, or a count is not positive.</exception>
    public InvertedResidual(long inChannels, long outChannels, long stride, int expandRatio)
        : base(nameof(InvertedResidual))
    {
        if (stride is not (1 or 2)) throw new ArgumentOutOfRangeException(nameof(stride), stride, "The stride of an inverted residual block must be 1 or 2.");
        if (inChannels <= 0 || outChannels <= 0) throw new ArgumentOutOfRangeException(nameof(inChannels), "Channel counts must be positive.");
        if (expandRatio <= 0) throw new ArgumentOutOfRangeException(nameof(expandRatio), expandRatio, "The expansion ratio must be positive.");
        long hidden = (long)Math.Round((double)inChannels * expandRatio, MidpointRounding.ToEven);
        var layers = new List<(string, nn.Module<Tensor, Tensor>)>();
        if (expandRatio != 1) layers.Add(("0", ConvBnReLU6(inChannels, hidden, 1, 1, 1)));
        layers.Add((layers.Count.ToString(System.Globalization.CultureInfo.InvariantCulture), ConvBnReLU6(hidden, hidden, 3, stride, hidden)));
        layers.Add((layers.Count.ToString(System.Globalization.CultureInfo.InvariantCulture), nn.Conv2d(hidden, outChannels, 1, bias: false)));
        layers.Add((layers.Count.ToString(System.Globalization.CultureInfo.InvariantCulture), nn.BatchNorm2d(outChannels)));
        conv = nn.Sequential(layers);
        UsesResidual = stride == 1 && inChannels == outChannels;
        RegisterComponents();
    }

    /// <summary>Whether the block adds its input to the projection (stride 1 and C_in = C_out).</summary>
    public bool UsesResidual { get; }

    /// <summary>The block's layers in forward order (state-dict prefix <c>conv.</c>), for exporters.</summary>
    public Sequential Conv => conv;

    /// <summary>Computes the block.</summary>
    /// <param name="input">Feature maps <c>[B, C_in, H, W]</c>.</param>
    /// <returns>Feature maps <c>[B, C_out, H / s, W / s]</c>.</returns>
    public override Tensor forward(Tensor input)
    {
        if (!UsesResidual) return conv.call(input);
        using var scope = NewDisposeScope();
        return conv.call(input).add_(input).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// torchvision's <c>Conv2dNormActivation</c> with ReLU6: <c>0</c> convolution (no bias, padding (k − 1) / 2) →
    /// <c>1</c> batch norm → <c>2</c> ReLU6.
    /// </summary>
    internal static Sequential ConvBnReLU6(long inChannels, long outChannels, long kernel, long stride, long groups) => nn.Sequential(
        ("0", nn.Conv2d(inChannels, outChannels, kernel, stride: stride, padding: (kernel - 1) / 2, groups: groups, bias: false)),
        ("1", nn.BatchNorm2d(outChannels)),
        ("2", nn.ReLU6()));
}
