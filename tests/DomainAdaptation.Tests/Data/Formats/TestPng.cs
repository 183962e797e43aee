using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;

namespace DomainAdaptation.Tests.Data.Formats;

/// <summary>
/// A PNG encoder for tests, independent of the decoder under test: writes any colour type and bit depth from
/// packed scanlines, applies a chosen filter per row (the forward filter of the PNG spec) and can split IDAT.
/// </summary>
internal static class TestPng
{
    public static byte[] Encode(int width, int height, int colorType, int bitDepth, byte[] packedRows, Func<int, int>? filterOfRow = null,
        byte[]? palette = null, byte[]? transparency = null, int idatChunks = 1, bool interlace = false)
    {
        int samples = colorType switch { 0 => 1, 2 => 3, 3 => 1, 4 => 2, 6 => 4, _ => throw new ArgumentException("colour type") };
        int bitsPerPixel = samples * bitDepth;
        int rowBytes = ((width * bitsPerPixel) + 7) / 8;
        int bpp = Math.Max(1, bitsPerPixel / 8);
        if (packedRows.Length != rowBytes * height) throw new ArgumentException($"expected {rowBytes * height} packed bytes");
        var filtered = new byte[height * (rowBytes + 1)];
        for (int y = 0; y < height; y++)
        {
            int f = filterOfRow?.Invoke(y) ?? 0;
            filtered[y * (rowBytes + 1)] = (byte)f;
            for (int i = 0; i < rowBytes; i++)
            {
                int x = packedRows[(y * rowBytes) + i];
                int a = i >= bpp ? packedRows[(y * rowBytes) + i - bpp] : 0;
                int b = y > 0 ? packedRows[((y - 1) * rowBytes) + i] : 0;
                int c = i >= bpp && y > 0 ? packedRows[((y - 1) * rowBytes) + i - bpp] : 0;
                int predictor = f switch
                {
                    0 => 0,
                    1 => a,
                    2 => b,
                    3 => (a + b) / 2,
                    4 => PaethReference(a, b, c),
                    _ => 0,
                };
                filtered[(y * (rowBytes + 1)) + 1 + i] = (byte)(x - predictor);
            }
        }

        byte[] compressed;
        using (var ms = new MemoryStream())
        {
            using (var z = new ZLibStream(ms, CompressionLevel.Optimal, leaveOpen: true)) z.Write(filtered);
            compressed = ms.ToArray();
        }

        using var png = new MemoryStream();
        png.Write([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]);
        var ihdr = new byte[13];
        BinaryPrimitives.WriteUInt32BigEndian(ihdr, (uint)width);
        BinaryPrimitives.WriteUInt32BigEndian(ihdr.AsSpan(4), (uint)height);
        ihdr[8] = (byte)bitDepth;
        ihdr[9] = (byte)colorType;
        ihdr[12] = (byte)(interlace ? 1 : 0);
        WriteChunk(png, "IHDR", ihdr);
        if (palette is not null) WriteChunk(png, "PLTE", palette);
        if (transparency is not null) WriteChunk(png, "tRNS", transparency);
        WriteChunk(png, "tEXt", Encoding.ASCII.GetBytes("Comment\0test"));
        int per = (compressed.Length + idatChunks - 1) / idatChunks;
        for (int at = 0; at < compressed.Length; at += per) WriteChunk(png, "IDAT", compressed.AsSpan(at, Math.Min(per, compressed.Length - at)).ToArray());
        WriteChunk(png, "IEND", []);
        return png.ToArray();
    }

    /// <summary>An 8-bit image from interleaved pixels.</summary>
    /// <summary>Writes an 8-bit PNG as <c>root/&lt;cls&gt;/&lt;name&gt;</c> under a temporary folder (an image-folder class) and returns its path.</summary>
    public static string WriteClassImage(TestSupport.TempDirectory temp, string cls, string name, int width, int height, int colorType, byte[] pixels)
    {
        string folder = Directory.CreateDirectory(temp.Combine("root", cls)).FullName;
        string path = Path.Combine(folder, name);
        File.WriteAllBytes(path, Encode8(width, height, colorType, pixels));
        return path;
    }

    public static byte[] Encode8(int width, int height, int colorType, byte[] pixels, Func<int, int>? filterOfRow = null) =>
        Encode(width, height, colorType, 8, pixels, filterOfRow);

    public static void WriteChunk(Stream s, string type, byte[] data)
    {
        Span<byte> four = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(four, (uint)data.Length);
        s.Write(four);
        byte[] typeBytes = Encoding.ASCII.GetBytes(type);
        s.Write(typeBytes);
        s.Write(data);
        BinaryPrimitives.WriteUInt32BigEndian(four, Crc([.. typeBytes, .. data]));
        s.Write(four);
    }

    /// <summary>Bitwise CRC-32 (the definition, not the table-driven one under test).</summary>
    public static uint Crc(byte[] bytes)
    {
        uint crc = 0xFFFFFFFF;
        foreach (byte b in bytes)
        {
            crc ^= b;
            for (int k = 0; k < 8; k++) crc = (crc & 1) != 0 ? (crc >> 1) ^ 0xEDB88320 : crc >> 1;
        }

        return ~crc;
    }

    private static int PaethReference(int a, int b, int c)
    {
        int p = a + b - c;
        int pa = Math.Abs(p - a), pb = Math.Abs(p - b), pc = Math.Abs(p - c);
        if (pa <= pb && pa <= pc) return a;
        return pb <= pc ? b : c;
    }

    /// <summary>Deterministic pseudo-random bytes.</summary>
    public static byte[] RandomBytes(int count, int seed)
    {
        var random = new Random(seed);
        var bytes = new byte[count];
        random.NextBytes(bytes);
        return bytes;
    }
}
