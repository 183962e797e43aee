using System.Buffers.Binary;
using System.IO.Compression;

namespace MnistMTool;

/// <summary>Minimal reading of gzip-compressed MNIST IDX files (the library's full reader lives in Data/Formats).</summary>
internal static class Idx
{
    public static byte[] ReadImages(string gzPath, int count)
    {
        using var stream = new GZipStream(File.OpenRead(gzPath), CompressionMode.Decompress);
        Span<byte> header = stackalloc byte[16];
        stream.ReadExactly(header);
        if (BinaryPrimitives.ReadInt32BigEndian(header) != 2051) throw new InvalidDataException($"{gzPath}: magic is not 2051 (IDX images).");
        int total = BinaryPrimitives.ReadInt32BigEndian(header[4..]);
        if (BinaryPrimitives.ReadInt32BigEndian(header[8..]) != 28 || BinaryPrimitives.ReadInt32BigEndian(header[12..]) != 28) throw new InvalidDataException($"{gzPath}: not 28×28.");
        if (count > total) throw new ArgumentOutOfRangeException(nameof(count), $"{gzPath} holds {total} images.");
        byte[] pixels = new byte[count * 784];
        stream.ReadExactly(pixels);
        return pixels;
    }

    public static long[] ReadLabels(string gzPath, int count)
    {
        using var stream = new GZipStream(File.OpenRead(gzPath), CompressionMode.Decompress);
        Span<byte> header = stackalloc byte[8];
        stream.ReadExactly(header);
        if (BinaryPrimitives.ReadInt32BigEndian(header) != 2049) throw new InvalidDataException($"{gzPath}: magic is not 2049 (IDX labels).");
        byte[] labels = new byte[count];
        stream.ReadExactly(labels);
        return labels.Select(b => (long)b).ToArray();
    }
}
