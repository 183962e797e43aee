using System.Buffers.Binary;
using System.IO.Compression;
using DomainAdaptation.Data.Formats;

namespace DomainAdaptation.Data.Generation;

/// <summary>
/// A small managed PNG encoder for 8-bit grey, RGB and RGBA images (no native code, no external package).
/// </summary>
/// <remarks>
/// <para>
/// The file is the PNG signature, one <c>IHDR</c> chunk (bit depth 8, the given colour type, deflate compression,
/// no interlacing), one <c>IDAT</c> chunk holding the zlib stream (RFC 1950, from <see cref="ZLibStream"/>) of the
/// filtered scanlines, and <c>IEND</c>. Each chunk carries its CRC-32 over type and data.
/// </para>
/// <para>
/// Each scanline is one filter-type byte followed by <c>width × channels</c> bytes. The filters predict byte
/// <c>x</c> from <c>a</c> (the byte one pixel to the left), <c>b</c> (above) and <c>c</c> (above-left), all 0 outside
/// the image: None <c>x</c>, Sub <c>x − a</c>, Up <c>x − b</c>, Average <c>x − ⌊(a + b)/2⌋</c>,
/// Paeth <c>x − Paeth(a, b, c)</c>, all modulo 256.
/// </para>
/// </remarks>
internal static class PngWriter
{
    private static readonly byte[] Signature = [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A];

    /// <summary>Encodes an image to PNG bytes.</summary>
    /// <param name="pixels">Interleaved pixels, row-major, <c>height × width × channels</c> bytes (HWC order).</param>
    /// <param name="width">Width in pixels, 1 or more.</param>
    /// <param name="height">Height in pixels, 1 or more.</param>
    /// <param name="colorType">Grey (1 channel), RGB (3) or RGBA (4).</param>
    /// <param name="filter">How each row's filter is chosen.</param>
    /// <param name="compression">The deflate effort.</param>
    /// <returns>The PNG file's bytes.</returns>
    /// <exception cref="ArgumentException">When the pixel count does not match the size and colour type.</exception>
    public static byte[] Encode(
        ReadOnlySpan<byte> pixels,
        int width,
        int height,
        PngColorType colorType,
        PngFilterStrategy filter = PngFilterStrategy.Adaptive,
        CompressionLevel compression = CompressionLevel.Optimal)
    {
        using var buffer = new MemoryStream();
        Write(buffer, pixels, width, height, colorType, filter, compression);
        return buffer.ToArray();
    }

    /// <summary>Writes an image as PNG to a stream.</summary>
    /// <param name="destination">A writable stream; left open.</param>
    /// <param name="pixels">Interleaved pixels, row-major, <c>height × width × channels</c> bytes (HWC order).</param>
    /// <param name="width">Width in pixels, 1 or more.</param>
    /// <param name="height">Height in pixels, 1 or more.</param>
    /// <param name="colorType">Grey (1 channel), RGB (3) or RGBA (4).</param>
    /// <param name="filter">How each row's filter is chosen.</param>
    /// <param name="compression">The deflate effort.</param>
    /// <exception cref="ArgumentException">When the pixel count does not match the size and colour type.</exception>
    public static void Write(
        Stream destination,
        ReadOnlySpan<byte> pixels,
        int width,
        int height,
        PngColorType colorType,
        PngFilterStrategy filter = PngFilterStrategy.Adaptive,
        CompressionLevel compression = CompressionLevel.Optimal)
    {
        ArgumentNullException.ThrowIfNull(destination);
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(height, 1);
        int channels = ChannelsOf(colorType);
        long stride = (long)width * channels;
        if (stride > int.MaxValue / 2 || (long)pixels.Length != stride * height)
        {
            throw new ArgumentException(
                $"A {width}×{height} {colorType} PNG needs {stride * height} pixel bytes ({channels} per pixel, HWC order), but {pixels.Length} were given.",
                nameof(pixels));
        }

        destination.Write(Signature);

        Span<byte> header = stackalloc byte[13];
        BinaryPrimitives.WriteInt32BigEndian(header, width);
        BinaryPrimitives.WriteInt32BigEndian(header[4..], height);
        header[8] = 8; // bit depth
        header[9] = (byte)colorType;
        header[10] = 0; // compression method: deflate
        header[11] = 0; // filter method: adaptive filtering with five basic types
        header[12] = 0; // no interlace
        WriteChunk(destination, "IHDR"u8, header);

        byte[] compressed = CompressScanlines(pixels, (int)stride, height, channels, filter, compression);
        WriteChunk(destination, "IDAT"u8, compressed);
        WriteChunk(destination, "IEND"u8, ReadOnlySpan<byte>.Empty);
    }

    /// <summary>The number of bytes per pixel of a colour type.</summary>
    /// <param name="colorType">The colour type.</param>
    /// <returns>1, 3 or 4.</returns>
    public static int ChannelsOf(PngColorType colorType) => colorType switch
    {
        PngColorType.Grey => 1,
        PngColorType.Rgb => 3,
        PngColorType.Rgba => 4,
        _ => throw new ArgumentOutOfRangeException(nameof(colorType), colorType, "Only 8-bit grey, RGB and RGBA PNGs are written."),
    };

    private static byte[] CompressScanlines(ReadOnlySpan<byte> pixels, int stride, int height, int bpp, PngFilterStrategy filter, CompressionLevel compression)
    {
        using var output = new MemoryStream(capacity: (stride + 1) * height / 2 + 64);
        using (var zlib = new ZLibStream(output, compression, leaveOpen: true))
        {
            byte[] line = new byte[stride + 1];
            byte[] best = new byte[stride + 1];
            ReadOnlySpan<byte> previous = ReadOnlySpan<byte>.Empty;
            for (int y = 0; y < height; y++)
            {
                ReadOnlySpan<byte> row = pixels.Slice(y * stride, stride);
                if (filter == PngFilterStrategy.None)
                {
                    FilterRow(0, row, previous, bpp, line);
                    zlib.Write(line);
                }
                else
                {
                    long bestScore = long.MaxValue;
                    for (byte type = 0; type <= 4; type++)
                    {
                        long score = FilterRow(type, row, previous, bpp, line);
                        if (score < bestScore)
                        {
                            bestScore = score;
                            line.CopyTo(best, 0);
                        }
                    }

                    zlib.Write(best);
                }

                previous = row;
            }
        }

        return output.ToArray();
    }

    /// <summary>Filters one row into <paramref name="line"/> (type byte first) and returns its sum of |signed byte|.</summary>
    private static long FilterRow(byte type, ReadOnlySpan<byte> row, ReadOnlySpan<byte> previous, int bpp, byte[] line)
    {
        line[0] = type;
        long score = 0;
        bool hasPrevious = !previous.IsEmpty;
        for (int i = 0; i < row.Length; i++)
        {
            int x = row[i];
            int a = i >= bpp ? row[i - bpp] : 0;
            int b = hasPrevious ? previous[i] : 0;
            int c = hasPrevious && i >= bpp ? previous[i - bpp] : 0;
            int predicted = type switch
            {
                0 => 0,
                1 => a,
                2 => b,
                3 => (a + b) >> 1,
                _ => Paeth(a, b, c),
            };
            byte value = (byte)(x - predicted);
            line[i + 1] = value;
            score += Math.Abs((int)(sbyte)value);
        }

        return score;
    }

    private static int Paeth(int a, int b, int c)
    {
        int p = a + b - c;
        int pa = Math.Abs(p - a);
        int pb = Math.Abs(p - b);
        int pc = Math.Abs(p - c);
        if (pa <= pb && pa <= pc) return a;
        return pb <= pc ? b : c;
    }

    private static void WriteChunk(Stream destination, ReadOnlySpan<byte> type, ReadOnlySpan<byte> data)
    {
        Span<byte> word = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(word, data.Length);
        destination.Write(word);
        destination.Write(type);
        destination.Write(data);
        uint crc = Crc32.Append(Crc32.Compute(type), data);
        BinaryPrimitives.WriteUInt32BigEndian(word, crc);
        destination.Write(word);
    }
}
