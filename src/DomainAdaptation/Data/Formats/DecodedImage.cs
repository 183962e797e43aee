using System.Runtime.CompilerServices;

namespace DomainAdaptation.Data.Formats;

/// <summary>
/// A decoded 8-bit image with interleaved channels, row-major: the value of channel <c>c</c> at <c>(y, x)</c> is
/// <c>Pixels[(y * Width + x) * Channels + c]</c>. The library's one image type: what the decoders return and what the
/// MNIST-M generator blends digits into (its BSDS500 backgrounds are RGB images with their file names).
/// </summary>
internal sealed class DecodedImage
{
    /// <summary>Creates an image over a pixel buffer.</summary>
    /// <param name="width">Width in pixels (positive).</param>
    /// <param name="height">Height in pixels (positive).</param>
    /// <param name="channels">1 grey, 2 grey+alpha, 3 RGB, 4 RGBA.</param>
    /// <param name="pixels">Exactly <c>width × height × channels</c> bytes, interleaved (the image takes ownership).</param>
    /// <param name="name">A name for messages and records, e.g. the source file name "100075.jpg"; null for none.</param>
    /// <exception cref="ArgumentException">When the sizes disagree.</exception>
    public DecodedImage(int width, int height, int channels, byte[] pixels, string? name = null)
    {
        ArgumentNullException.ThrowIfNull(pixels);
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(height, 1);
        if (channels is < 1 or > 4) throw new ArgumentOutOfRangeException(nameof(channels), channels, "Channels must be 1 to 4.");
        if ((long)width * height * channels != pixels.Length)
        {
            throw new ArgumentException($"A {width}×{height} image with {channels} channels needs {(long)width * height * channels} bytes, but {pixels.Length} were given.", nameof(pixels));
        }

        Width = width;
        Height = height;
        Channels = channels;
        Pixels = pixels;
        Name = name;
    }

    /// <summary>The image's name (its file or archive entry name), or null.</summary>
    public string? Name { get; }

    /// <summary>Width in pixels.</summary>
    public int Width { get; }

    /// <summary>Height in pixels.</summary>
    public int Height { get; }

    /// <summary>Interleaved channels: 1 grey, 2 grey+alpha, 3 RGB, 4 RGBA.</summary>
    public int Channels { get; }

    /// <summary>The interleaved pixel values, <c>Height × Width × Channels</c> bytes.</summary>
    public byte[] Pixels { get; }

    /// <summary>One channel value.</summary>
    /// <param name="x">Column, <c>0 ≤ x &lt; Width</c>.</param>
    /// <param name="y">Row, <c>0 ≤ y &lt; Height</c>.</param>
    /// <param name="channel">The channel, <c>0 ≤ channel &lt; Channels</c> (for RGB: 0 red, 1 green, 2 blue).</param>
    /// <returns>The value.</returns>
    public byte this[int x, int y, int channel] => Pixels[(((y * Width) + x) * Channels) + channel];

    /// <summary>This image with 3 interleaved RGB channels (grey repeated, alpha dropped); itself when it is RGB already.</summary>
    /// <param name="name">The name the RGB image gets; null keeps this one's.</param>
    /// <returns>An RGB image of the same size.</returns>
    public DecodedImage ToRgb(string? name = null)
    {
        if (Channels == 3 && (name is null || name == Name)) return this;
        int plane = Width * Height;
        byte[] rgb = new byte[3 * plane];
        for (int i = 0, s = 0, d = 0; i < plane; i++, s += Channels, d += 3)
        {
            if (Channels <= 2)
            {
                rgb[d] = rgb[d + 1] = rgb[d + 2] = Pixels[s];
            }
            else
            {
                rgb[d] = Pixels[s];
                rgb[d + 1] = Pixels[s + 1];
                rgb[d + 2] = Pixels[s + 2];
            }
        }

        return new DecodedImage(Width, Height, 3, rgb, name ?? Name);
    }

    /// <inheritdoc />
    public override string ToString() => $"{Name ?? "image"} ({Width}×{Height}, {Channels} channel(s))";

    /// <summary>
    /// Writes the image planar (<c>[C, H, W]</c>, as tensors are laid out) into <paramref name="destination"/>,
    /// converting to <paramref name="channels"/>: grey is repeated into R, G and B; RGB becomes grey by the ITU-R
    /// BT.601 luma <c>(299 R + 587 G + 114 B) / 1000</c> rounded; alpha is dropped (not composited).
    /// </summary>
    /// <param name="destination">At least <c>channels × Height × Width</c> bytes.</param>
    /// <param name="channels">1 (grey) or 3 (RGB).</param>
    /// <exception cref="ArgumentException">When the channel count is not 1 or 3 or the destination is too small.</exception>
    public void CopyToPlanar(Span<byte> destination, int channels)
    {
        Planarize(Pixels, Width, Height, Channels, destination, channels);
    }

    /// <summary>The conversion of <see cref="CopyToPlanar"/> on raw interleaved bytes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void Planarize(ReadOnlySpan<byte> src, int width, int height, int sc, Span<byte> destination, int channels)
    {
        if (channels is not (1 or 3)) throw new ArgumentOutOfRangeException(nameof(channels), channels, "Planar output has 1 (grey) or 3 (RGB) channels.");
        int plane = width * height;
        if (destination.Length < plane * channels)
        {
            throw new ArgumentException($"The destination holds {destination.Length} bytes but a {channels}×{height}×{width} image needs {plane * channels}.", nameof(destination));
        }

        if (sc <= 2)
        {
            Span<byte> grey = destination[..plane];
            if (sc == 1) src[..plane].CopyTo(grey);
            else for (int i = 0; i < plane; i++) grey[i] = src[i * 2];
            for (int c = 1; c < channels; c++) grey.CopyTo(destination.Slice(c * plane, plane));
            return;
        }

        if (channels == 3)
        {
            Span<byte> r = destination[..plane];
            Span<byte> g = destination.Slice(plane, plane);
            Span<byte> b = destination.Slice(2 * plane, plane);
            for (int i = 0, s = 0; i < plane; i++, s += sc)
            {
                r[i] = src[s];
                g[i] = src[s + 1];
                b[i] = src[s + 2];
            }

            return;
        }

        for (int i = 0, s = 0; i < plane; i++, s += sc)
        {
            destination[i] = (byte)(((299 * src[s]) + (587 * src[s + 1]) + (114 * src[s + 2]) + 500) / 1000);
        }
    }
}
