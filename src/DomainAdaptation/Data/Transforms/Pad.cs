using System.Globalization;
using static TorchSharp.torch;

namespace DomainAdaptation.Data.Transforms;

/// <summary>
/// Pads every image with a constant border (zeros by default), e.g. 2 pixels on each side to turn 28×28 MNIST
/// into 32×32, the size of MNIST-M (whose digits are MNIST digits padded by 2 pixels).
/// </summary>
public sealed class Pad : ImageTransform
{
    /// <summary>Pads every side by the same number of pixels.</summary>
    /// <param name="pixels">The border width (≥ 0).</param>
    /// <param name="value">The border value, 0–255.</param>
    public Pad(int pixels, byte value = 0)
        : this(pixels, pixels, pixels, pixels, value)
    {
    }

    /// <summary>Pads each side by its own number of pixels.</summary>
    /// <param name="left">Columns added on the left.</param>
    /// <param name="top">Rows added on top.</param>
    /// <param name="right">Columns added on the right.</param>
    /// <param name="bottom">Rows added at the bottom.</param>
    /// <param name="value">The border value, 0–255.</param>
    public Pad(int left, int top, int right, int bottom, byte value = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(left);
        ArgumentOutOfRangeException.ThrowIfNegative(top);
        ArgumentOutOfRangeException.ThrowIfNegative(right);
        ArgumentOutOfRangeException.ThrowIfNegative(bottom);
        Left = left;
        Top = top;
        Right = right;
        Bottom = bottom;
        Value = value;
    }

    /// <summary>Columns added on the left.</summary>
    public int Left { get; }

    /// <summary>Rows added on top.</summary>
    public int Top { get; }

    /// <summary>Columns added on the right.</summary>
    public int Right { get; }

    /// <summary>Rows added at the bottom.</summary>
    public int Bottom { get; }

    /// <summary>The border value.</summary>
    public byte Value { get; }

    /// <inheritdoc />
    public override SampleShape OutputShape(SampleShape input)
    {
        RequireImage(input, nameof(Pad));
        return SampleShape.Image(input.Channels, input.Height + Top + Bottom, input.Width + Left + Right);
    }

    /// <inheritdoc />
    protected override Tensor Transform(Tensor images, SampleShape output)
    {
        long n = images.shape[0];
        long h = images.shape[2], w = images.shape[3];
        Tensor result = full([n, output.Channels, output.Height, output.Width], Value, ScalarType.Byte, images.device);
        using Tensor inner = result.narrow(2, Top, h).narrow(3, Left, w);
        inner.copy_(images);
        return result;
    }

    /// <inheritdoc />
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"Pad({Left}, {Top}, {Right}, {Bottom}, value {Value})");
}
