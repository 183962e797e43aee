using System.Globalization;
using TorchSharp;
using static TorchSharp.torch;

namespace DomainAdaptation.Data.Transforms;

/// <summary>
/// Resizes every image to <see cref="Height"/> × <see cref="Width"/> by bilinear interpolation
/// (<c>torch.nn.functional.interpolate</c>, <c>align_corners = false</c>, no antialiasing) on float32, then rounds to
/// the nearest integer (halves to even, as <c>torch.round</c>) and clamps to 0–255. Processes the set in chunks so memory stays bounded.
/// </summary>
/// <remarks>
/// Bilinear interpolation with <c>align_corners = false</c> maps output pixel centre <c>x'</c> to input coordinate
/// <c>(x' + 0.5) · in / out − 0.5</c> and blends the two nearest input pixels on each axis. Without antialiasing a
/// strong downscale skips input pixels; for 32 → 28 (MNIST-M to MNIST size) every input pixel contributes.
/// </remarks>
public sealed class Resize : ImageTransform
{
    private const int ChunkImages = 2048;

    /// <summary>Creates the transform.</summary>
    /// <param name="height">Output height (positive).</param>
    /// <param name="width">Output width (positive).</param>
    public Resize(int height, int width)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(height, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 1);
        Height = height;
        Width = width;
    }

    /// <summary>Output height.</summary>
    public int Height { get; }

    /// <summary>Output width.</summary>
    public int Width { get; }

    /// <inheritdoc />
    public override SampleShape OutputShape(SampleShape input)
    {
        RequireImage(input, nameof(Resize));
        return SampleShape.Image(input.Channels, Height, Width);
    }

    /// <inheritdoc />
    protected override Tensor Transform(Tensor images, SampleShape output)
    {
        long n = images.shape[0];
        if (images.shape[2] == Height && images.shape[3] == Width) return images.clone();
        Tensor result = empty([n, output.Channels, Height, Width], ScalarType.Byte, images.device);
        for (long start = 0; start < n; start += ChunkImages)
        {
            long length = Math.Min(ChunkImages, n - start);
            using DisposeScope scope = NewDisposeScope();
            result.narrow(0, start, length).copy_(Bilinear(images.narrow(0, start, length), Height, Width));
        }

        return result;
    }

    /// <summary>The resize of one chunk: float32, bilinear (align_corners = false, no antialiasing), round half to even, clamp, uint8.</summary>
    /// <param name="images">uint8 <c>[n, C, h, w]</c>.</param>
    /// <param name="height">Output height.</param>
    /// <param name="width">Output width.</param>
    /// <returns>uint8 <c>[n, C, height, width]</c> (in the caller's dispose scope).</returns>
    internal static Tensor Bilinear(Tensor images, int height, int width)
    {
        using var noGrad = no_grad();
        Tensor chunk = images.to(ScalarType.Float32);
        Tensor resized = nn.functional.interpolate(chunk, [height, width], mode: InterpolationMode.Bilinear, align_corners: false);
        return resized.round_().clamp_(0, 255).to(ScalarType.Byte);
    }

    /// <summary>Resizes one planar uint8 image <c>[channels, h, w]</c> into <paramref name="destination"/> (<c>[channels, height, width]</c>), as <see cref="Bilinear"/>.</summary>
    internal static void Bytes(byte[] planar, int channels, int h, int w, int height, int width, Span<byte> destination)
    {
        using DisposeScope scope = NewDisposeScope();
        Tensor image = tensor(planar, [1, channels, h, w]);
        Tensor resized = Bilinear(image, height, width).contiguous();
        resized.bytes.CopyTo(destination);
    }

    /// <inheritdoc />
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"Resize({Height}×{Width}, bilinear)");
}
