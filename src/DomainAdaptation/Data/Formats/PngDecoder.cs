using System.Buffers.Binary;
using System.IO.Compression;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace DomainAdaptation.Data.Formats;

/// <summary>
/// A small, fully managed PNG decoder (no native code): chunk layout and lengths checked, CRC-32 checked on
/// request, zlib through <see cref="ZLibStream"/>, all five scanline filters (None, Sub, Up, Average, Paeth).
/// </summary>
/// <remarks>
/// <para>Supported: non-interlaced grey (1, 2, 4, 8, 16 bits), grey+alpha (8, 16), RGB (8, 16), RGBA (8, 16) and
/// palette (1, 2, 4, 8 bits, with tRNS transparency becoming an alpha channel). 16-bit samples are reduced to 8
/// bits as <c>round(v · 255 / 65535)</c>; sub-byte grey is scaled to 0–255. tRNS of grey and RGB images (a single
/// transparent colour) is ignored. Interlaced (Adam7) images are rejected with an error that says so.</para>
/// <para>The output keeps the file's channels: 1 grey, 2 grey+alpha, 3 RGB (palette without tRNS), 4 RGBA.</para>
/// </remarks>
internal static class PngDecoder
{
    /// <summary>The default bound on width × height (64 Mi pixels).</summary>
    public const long DefaultMaxPixels = 1L << 26;

    private const uint ChunkIhdr = 0x49484452;
    private const uint ChunkPlte = 0x504C5445;
    private const uint ChunkIdat = 0x49444154;
    private const uint ChunkIend = 0x49454E44;
    private const uint ChunkTrns = 0x74524E53;

    private static ReadOnlySpan<byte> Signature => [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];

    /// <summary>True when <paramref name="data"/> starts with the PNG signature.</summary>
    /// <param name="data">The file's first bytes.</param>
    /// <returns>Whether it looks like a PNG.</returns>
    public static bool IsPng(ReadOnlySpan<byte> data) => data.Length >= 8 && data[..8].SequenceEqual(Signature);

    /// <summary>Decodes a PNG file held in memory.</summary>
    /// <param name="data">The whole file.</param>
    /// <param name="sourceName">The file (or archive entry) name, for error messages.</param>
    /// <param name="verifyChecksums">Whether to check every chunk's CRC-32.</param>
    /// <param name="maxPixels">The largest width × height accepted.</param>
    /// <returns>The decoded 8-bit image.</returns>
    /// <exception cref="DataFormatException">When the data are not a valid, supported PNG; the message names the file and the defect.</exception>
    public static DecodedImage Decode(ReadOnlyMemory<byte> data, string sourceName, bool verifyChecksums = true, long maxPixels = DefaultMaxPixels)
    {
        Parsed png = Parse(data, sourceName, verifyChecksums, maxPixels);
        Header h = png.Header;
        var raw = new byte[h.RawLength];
        Inflate(data, png, raw, sourceName);
        Unfilter(raw, h, sourceName);
        var pixels = new byte[(long)h.Width * h.Height * h.OutputChannels(png.Transparency is not null)];
        Expand(raw, h, png.Palette, png.Transparency, pixels, sourceName);
        return new DecodedImage(h.Width, h.Height, h.OutputChannels(png.Transparency is not null), pixels);
    }

    /// <summary>
    /// Decodes a PNG of a known size straight into planar <c>[channels, height, width]</c> bytes, reusing per-thread
    /// scratch buffers (no allocation per image beyond zlib's): the fast path for data sets of many small images.
    /// </summary>
    /// <param name="data">The whole file.</param>
    /// <param name="sourceName">The file name, for messages.</param>
    /// <param name="verifyChecksums">Whether to check CRC-32s.</param>
    /// <param name="width">The required width.</param>
    /// <param name="height">The required height.</param>
    /// <param name="channels">1 or 3 output channels (see DecodedImage.CopyToPlanar).</param>
    /// <param name="destination"><c>channels × height × width</c> bytes.</param>
    /// <param name="sizeRequirement">Explains the required size in the error, e.g. "MNIST-M images are 32×32".</param>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void DecodePlanar(ReadOnlyMemory<byte> data, string sourceName, bool verifyChecksums, int width, int height,
        int channels, Span<byte> destination, string sizeRequirement)
    {
        Parsed png = Parse(data, sourceName, verifyChecksums, (long)width * height);
        Header h = png.Header;
        if (h.Width != width || h.Height != height)
        {
            throw new DataFormatException(sourceName, $"the image is {h.Width}×{h.Height}, but {sizeRequirement}.");
        }

        byte[] raw = Scratch(ref _rawScratch, h.RawLength);
        Inflate(data, png, raw.AsSpan(0, (int)h.RawLength), sourceName);
        Unfilter(raw, h, sourceName);
        int outChannels = h.OutputChannels(png.Transparency is not null);
        byte[] pixels = Scratch(ref _pixelScratch, (long)width * height * outChannels);
        Expand(raw, h, png.Palette, png.Transparency, pixels, sourceName);
        DecodedImage.Planarize(pixels, width, height, outChannels, destination, channels);
    }

    /// <summary>
    /// Reads a PNG's size and output channel count without decoding its pixels: the chunk layout (and CRC-32s when
    /// asked) is checked as by <see cref="Decode"/>, the compressed data are not inflated.
    /// </summary>
    /// <param name="data">The whole file.</param>
    /// <param name="sourceName">The file name, for messages.</param>
    /// <param name="verifyChecksums">Whether to check CRC-32s.</param>
    /// <param name="maxPixels">The largest width × height accepted.</param>
    /// <returns>Width, height and the channels <see cref="Decode"/> would return.</returns>
    /// <exception cref="DataFormatException">When the data are not a valid, supported PNG.</exception>
    internal static (int Width, int Height, int Channels) Probe(ReadOnlyMemory<byte> data, string sourceName, bool verifyChecksums, long maxPixels)
    {
        Parsed png = Parse(data, sourceName, verifyChecksums, maxPixels);
        return (png.Header.Width, png.Header.Height, png.Header.OutputChannels(png.Transparency is not null));
    }

    [ThreadStatic]
    private static byte[]? _rawScratch;

    [ThreadStatic]
    private static byte[]? _pixelScratch;

    private static byte[] Scratch(ref byte[]? buffer, long length)
    {
        if (buffer is null || buffer.Length < length) buffer = new byte[length];
        return buffer;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static Parsed Parse(ReadOnlyMemory<byte> data, string sourceName, bool verifyChecksums, long maxPixels)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(sourceName);
        ReadOnlySpan<byte> span = data.Span;
        if (!IsPng(span))
        {
            throw Fail(sourceName, span.Length < 8
                ? $"is not a PNG: it has only {span.Length} bytes."
                : $"is not a PNG: it starts with {Convert.ToHexString(span[..8])} instead of the PNG signature 89504E470D0A1A0A.");
        }

        Header header = default;
        bool seenHeader = false, seenEnd = false;
        byte[]? palette = null, transparency = null;
        var dataChunks = new List<(int Offset, int Length)>(1);
        long dataLength = 0;
        int pos = 8;
        while (pos < span.Length)
        {
            int remaining = span.Length - pos;
            if (remaining < 12)
            {
                throw Fail(sourceName, $"is truncated: {remaining} bytes at offset {pos} are too few for a chunk (12 at least). The file is cut short; obtain it again.");
            }

            uint length = BinaryPrimitives.ReadUInt32BigEndian(span[pos..]);
            uint type = BinaryPrimitives.ReadUInt32BigEndian(span[(pos + 4)..]);
            string typeName = TypeName(span.Slice(pos + 4, 4));
            if (!IsChunkType(span.Slice(pos + 4, 4)))
            {
                throw Fail(sourceName, $"is corrupt: the chunk at offset {pos} has the type bytes {Convert.ToHexString(span.Slice(pos + 4, 4))}, which are not letters.");
            }

            if (length > (uint)(remaining - 12))
            {
                throw Fail(sourceName, $"is truncated or corrupt: chunk '{typeName}' at offset {pos} declares {length:N0} bytes but only {remaining - 12:N0} follow.");
            }

            ReadOnlySpan<byte> body = span.Slice(pos + 8, (int)length);
            if (verifyChecksums)
            {
                uint stored = BinaryPrimitives.ReadUInt32BigEndian(span[(pos + 8 + (int)length)..]);
                uint computed = Crc32.Compute(span.Slice(pos + 4, (int)length + 4));
                if (stored != computed)
                {
                    throw Fail(sourceName, $"is corrupt: chunk '{typeName}' at offset {pos} fails its CRC-32 check (stored {stored:X8}, computed {computed:X8}).");
                }
            }

            if (!seenHeader && type != ChunkIhdr)
            {
                throw Fail(sourceName, $"is corrupt: the first chunk is '{typeName}', but a PNG must start with IHDR.");
            }

            switch (type)
            {
                case ChunkIhdr:
                    if (seenHeader) throw Fail(sourceName, "is corrupt: it has a second IHDR chunk.");
                    header = ReadHeader(body, sourceName, maxPixels);
                    seenHeader = true;
                    break;
                case ChunkPlte:
                    if (length == 0 || length % 3 != 0 || length > 768)
                    {
                        throw Fail(sourceName, $"is corrupt: its palette (PLTE) has {length} bytes; it must hold 1 to 256 RGB entries (a multiple of 3 bytes).");
                    }

                    palette = body.ToArray();
                    break;
                case ChunkTrns:
                    transparency = body.ToArray();
                    break;
                case ChunkIdat:
                    dataChunks.Add((pos + 8, (int)length));
                    dataLength += length;
                    break;
                case ChunkIend:
                    seenEnd = true;
                    break;
                default:
                    if ((span[pos + 4] & 0x20) == 0)
                    {
                        throw Fail(sourceName, $"uses the critical chunk '{typeName}', which this decoder does not know; it cannot be decoded safely.");
                    }

                    break;
            }

            pos += 12 + (int)length;
            if (seenEnd) break;
        }

        if (!seenHeader) throw Fail(sourceName, "is truncated: it ends after the signature, before the IHDR chunk.");
        if (!seenEnd) throw Fail(sourceName, "is truncated: it has no IEND chunk. The file is cut short; obtain it again.");
        if (dataChunks.Count == 0) throw Fail(sourceName, "has no image data (no IDAT chunk).");
        if (header.ColorType == 3 && palette is null) throw Fail(sourceName, "is a palette image without a palette (PLTE chunk).");

        return new Parsed(header, palette, header.ColorType == 3 ? transparency : null, dataChunks, dataLength);
    }

    private sealed record Parsed(Header Header, byte[]? Palette, byte[]? Transparency, List<(int Offset, int Length)> Chunks, long DataLength);

    private static DataFormatException Fail(string sourceName, string message) => new(sourceName, "the PNG " + message);

    private static bool IsChunkType(ReadOnlySpan<byte> t) =>
        char.IsAsciiLetter((char)t[0]) && char.IsAsciiLetter((char)t[1]) && char.IsAsciiLetter((char)t[2]) && char.IsAsciiLetter((char)t[3]);

    private static string TypeName(ReadOnlySpan<byte> t) =>
        string.Create(4, (t[0], t[1], t[2], t[3]), static (s, b) =>
        {
            s[0] = Printable(b.Item1);
            s[1] = Printable(b.Item2);
            s[2] = Printable(b.Item3);
            s[3] = Printable(b.Item4);
        });

    private static char Printable(byte b) => b is >= 0x20 and < 0x7F ? (char)b : '?';

    private static Header ReadHeader(ReadOnlySpan<byte> body, string sourceName, long maxPixels)
    {
        if (body.Length != 13) throw Fail(sourceName, $"is corrupt: its IHDR chunk has {body.Length} bytes instead of 13.");
        uint width = BinaryPrimitives.ReadUInt32BigEndian(body);
        uint height = BinaryPrimitives.ReadUInt32BigEndian(body[4..]);
        byte depth = body[8], colorType = body[9], compression = body[10], filter = body[11], interlace = body[12];
        if (width == 0 || height == 0 || width > int.MaxValue || height > int.MaxValue)
        {
            throw Fail(sourceName, $"is corrupt: its size is {width}×{height}; width and height must be 1 to 2^31-1.");
        }

        if ((long)width * height > maxPixels)
        {
            throw Fail(sourceName, $"is {width}×{height} = {(long)width * height:N0} pixels, more than the limit of {maxPixels:N0}.");
        }

        int samples = colorType switch { 0 => 1, 2 => 3, 3 => 1, 4 => 2, 6 => 4, _ => 0 };
        if (samples == 0) throw Fail(sourceName, $"has colour type {colorType}; PNG defines 0 (grey), 2 (RGB), 3 (palette), 4 (grey+alpha) and 6 (RGBA).");
        bool depthOk = colorType switch
        {
            0 => depth is 1 or 2 or 4 or 8 or 16,
            3 => depth is 1 or 2 or 4 or 8,
            _ => depth is 8 or 16,
        };
        if (!depthOk) throw Fail(sourceName, $"has bit depth {depth}, which PNG does not allow for colour type {colorType}.");
        if (compression != 0) throw Fail(sourceName, $"has compression method {compression}; PNG defines only 0 (zlib).");
        if (filter != 0) throw Fail(sourceName, $"has filter method {filter}; PNG defines only 0.");
        if (interlace == 1)
        {
            throw Fail(sourceName, "is interlaced (Adam7), which this decoder does not support. Re-save it without interlacing (e.g. `convert in.png -interlace none out.png`).");
        }

        if (interlace != 0) throw Fail(sourceName, $"has interlace method {interlace}; PNG defines 0 and 1.");
        var header = new Header((int)width, (int)height, depth, colorType, samples);
        if (((long)width * ((depth * samples) + 7) / 8) + 1 > int.MaxValue || header.RawLength > Array.MaxLength)
        {
            throw Fail(sourceName, $"is {width}×{height}, too large to decode in memory.");
        }

        return header;
    }

    private static void Inflate(ReadOnlyMemory<byte> data, Parsed png, Span<byte> raw, string sourceName)
    {
        Header h = png.Header;
        List<(int Offset, int Length)> chunks = png.Chunks;
        MemoryStream compressed;
        if (chunks.Count == 1 && MemoryMarshal.TryGetArray(data, out ArraySegment<byte> segment))
        {
            compressed = new MemoryStream(segment.Array!, segment.Offset + chunks[0].Offset, chunks[0].Length, writable: false);
        }
        else
        {
            var joined = new byte[png.DataLength];
            int at = 0;
            foreach ((int offset, int length) in chunks)
            {
                data.Span.Slice(offset, length).CopyTo(joined.AsSpan(at));
                at += length;
            }

            compressed = new MemoryStream(joined, writable: false);
        }

        int read;
        int extra;
        try
        {
            using var zlib = new ZLibStream(compressed, CompressionMode.Decompress);
            read = zlib.ReadAtLeast(raw, raw.Length, throwOnEndOfStream: false);
            Span<byte> probe = stackalloc byte[1];
            extra = read == raw.Length ? zlib.Read(probe) : 0;
        }
        catch (InvalidDataException ex)
        {
            throw new DataFormatException(sourceName, $"the PNG image data are corrupt (zlib: {ex.Message}).", ex);
        }

        if (read < raw.Length)
        {
            throw Fail(sourceName, $"image data are truncated: they inflate to {read:N0} bytes, but a {h.Width}×{h.Height} image needs {raw.Length:N0}.");
        }

        if (extra > 0)
        {
            throw Fail(sourceName, $"image data inflate to more than the {raw.Length:N0} bytes a {h.Width}×{h.Height} image needs; the file is corrupt.");
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Unfilter(byte[] raw, Header h, string sourceName)
    {
        int rowBytes = h.RowBytes;
        int stride = rowBytes + 1;
        int bpp = Math.Max(1, h.BitsPerPixel / 8);
        for (int y = 0; y < h.Height; y++)
        {
            byte filter = raw[y * stride];
            Span<byte> row = raw.AsSpan((y * stride) + 1, rowBytes);
            if (filter == 0) continue;
            if (filter > 4) throw Fail(sourceName, $"is corrupt: row {y} uses filter type {filter}; PNG defines 0 to 4.");
            if (y == 0)
            {
                // Above the first row everything is zero: Up is None, Paeth is Sub, Average adds half the left byte.
                if (filter is 1 or 4) UnfilterSub(row, bpp);
                else if (filter == 3) UnfilterAverageFirstRow(row, bpp);
                continue;
            }

            ReadOnlySpan<byte> prior = raw.AsSpan(((y - 1) * stride) + 1, rowBytes);
            switch (filter)
            {
                case 1:
                    UnfilterSub(row, bpp);
                    break;
                case 2:
                    for (int i = 0; i < row.Length; i++) row[i] += prior[i];
                    break;
                case 3:
                    UnfilterAverage(row, prior, bpp);
                    break;
                default:
                    UnfilterPaeth(row, prior, bpp);
                    break;
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void UnfilterSub(Span<byte> row, int bpp)
    {
        for (int i = bpp; i < row.Length; i++) row[i] += row[i - bpp];
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void UnfilterAverageFirstRow(Span<byte> row, int bpp)
    {
        for (int i = bpp; i < row.Length; i++) row[i] += (byte)(row[i - bpp] >> 1);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void UnfilterAverage(Span<byte> row, ReadOnlySpan<byte> prior, int bpp)
    {
        int head = Math.Min(bpp, row.Length);
        for (int i = 0; i < head; i++) row[i] += (byte)(prior[i] >> 1);
        for (int i = bpp; i < row.Length; i++) row[i] += (byte)((row[i - bpp] + prior[i]) >> 1);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void UnfilterPaeth(Span<byte> row, ReadOnlySpan<byte> prior, int bpp)
    {
        // Left of the first pixel a = c = 0, so the predictor is the byte above.
        int head = Math.Min(bpp, row.Length);
        for (int i = 0; i < head; i++) row[i] += prior[i];
        for (int i = bpp; i < row.Length; i++)
        {
            int a = row[i - bpp], b = prior[i], c = prior[i - bpp];
            int pa = Math.Abs(b - c), pb = Math.Abs(a - c), pc = Math.Abs(a + b - c - c);
            row[i] += (byte)(pa <= pb && pa <= pc ? a : pb <= pc ? b : c);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Expand(byte[] raw, Header h, byte[]? palette, byte[]? transparency, byte[] pixels, string sourceName)
    {
        int stride = h.RowBytes + 1;
        int outChannels = h.OutputChannels(transparency is not null);
        int outRow = h.Width * outChannels;
        for (int y = 0; y < h.Height; y++)
        {
            ReadOnlySpan<byte> row = raw.AsSpan((y * stride) + 1, h.RowBytes);
            Span<byte> dst = pixels.AsSpan(y * outRow, outRow);
            if (h.ColorType == 3)
            {
                int entries = palette!.Length / 3;
                for (int x = 0; x < h.Width; x++)
                {
                    int index = Sample(row, x, h.BitDepth);
                    if (index >= entries)
                    {
                        throw Fail(sourceName, $"is corrupt: pixel ({x}, {y}) uses palette index {index}, but the palette has {entries} entries.");
                    }

                    int o = x * outChannels;
                    dst[o] = palette[index * 3];
                    dst[o + 1] = palette[(index * 3) + 1];
                    dst[o + 2] = palette[(index * 3) + 2];
                    if (outChannels == 4) dst[o + 3] = index < transparency!.Length ? transparency[index] : (byte)255;
                }
            }
            else if (h.BitDepth == 8)
            {
                row.CopyTo(dst);
            }
            else if (h.BitDepth == 16)
            {
                for (int i = 0; i < dst.Length; i++)
                {
                    int v = (row[2 * i] << 8) | row[(2 * i) + 1];
                    dst[i] = (byte)(((v * 255) + 32767) / 65535);
                }
            }
            else
            {
                int scale = 255 / ((1 << h.BitDepth) - 1);
                for (int x = 0; x < h.Width; x++) dst[x] = (byte)(Sample(row, x, h.BitDepth) * scale);
            }
        }
    }

    private static int Sample(ReadOnlySpan<byte> row, int x, int depth)
    {
        if (depth == 8) return row[x];
        int perByte = 8 / depth;
        int shift = 8 - (depth * ((x % perByte) + 1));
        return (row[x / perByte] >> shift) & ((1 << depth) - 1);
    }

    private readonly record struct Header(int Width, int Height, int BitDepth, int ColorType, int Samples)
    {
        public int BitsPerPixel => BitDepth * Samples;

        public int RowBytes => checked((int)((((long)Width * BitsPerPixel) + 7) / 8));

        public long RawLength => (long)Height * (RowBytes + 1);

        public int OutputChannels(bool paletteTransparency) => ColorType == 3 ? (paletteTransparency ? 4 : 3) : Samples;
    }
}
