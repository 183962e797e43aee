namespace DomainAdaptation.Data.Generation;

/// <summary>
/// A decoded 8-bit RGB image held in memory: <c>height × width × 3</c> bytes, row-major, channels interleaved (HWC).
/// </summary>
public sealed class RgbImage
{
    private readonly byte[] _pixels;

    /// <summary>Creates an image and takes ownership of the pixel array.</summary>
    /// <param name="name">A name for messages and records, e.g. the source file name "100075.jpg".</param>
    /// <param name="width">Width in pixels, 1 or more.</param>
    /// <param name="height">Height in pixels, 1 or more.</param>
    /// <param name="pixels"><c>height × width × 3</c> bytes, HWC.</param>
    /// <exception cref="ArgumentException">When the pixel array does not match the size.</exception>
    public RgbImage(string name, int width, int height, byte[] pixels)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(height, 1);
        ArgumentNullException.ThrowIfNull(pixels);
        if (pixels.LongLength != 3L * width * height)
        {
            throw new ArgumentException($"{name}: a {width}×{height} RGB image needs {3L * width * height} bytes, but {pixels.LongLength} were given.", nameof(pixels));
        }

        Name = name;
        Width = width;
        Height = height;
        _pixels = pixels;
    }

    /// <summary>The image's name (its file or archive entry name).</summary>
    public string Name { get; }

    /// <summary>Width in pixels.</summary>
    public int Width { get; }

    /// <summary>Height in pixels.</summary>
    public int Height { get; }

    /// <summary>The pixels, <c>height × width × 3</c> bytes, HWC.</summary>
    public ReadOnlySpan<byte> Pixels => _pixels;

    /// <summary>One channel value.</summary>
    /// <param name="x">Column, <c>0 ≤ x &lt; Width</c>.</param>
    /// <param name="y">Row, <c>0 ≤ y &lt; Height</c>.</param>
    /// <param name="channel">0 red, 1 green, 2 blue.</param>
    /// <returns>The value.</returns>
    public byte this[int x, int y, int channel] => _pixels[((y * Width) + x) * 3 + channel];

    /// <inheritdoc />
    public override string ToString() => $"{Name} ({Width}×{Height})";
}
