using System.Buffers.Binary;
using System.IO.Compression;

namespace DomainAdaptation.Tests.Data.Generation;

/// <summary>
/// Just enough IDX reading for the generator tests (the library's own IDX reader lives in Data/Formats):
/// the first <c>count</c> images or labels of a gzip-compressed MNIST file.
/// </summary>
internal static class MiniIdx
{
    public static byte[] ReadImages(string gzPath, int count, out int rows, out int cols)
    {
        using var stream = new GZipStream(File.OpenRead(gzPath), CompressionMode.Decompress);
        Span<byte> header = stackalloc byte[16];
        stream.ReadExactly(header);
        if (BinaryPrimitives.ReadInt32BigEndian(header) != 2051) throw new InvalidDataException($"{gzPath}: not an IDX image file.");
        int total = BinaryPrimitives.ReadInt32BigEndian(header[4..]);
        rows = BinaryPrimitives.ReadInt32BigEndian(header[8..]);
        cols = BinaryPrimitives.ReadInt32BigEndian(header[12..]);
        if (count > total) throw new ArgumentOutOfRangeException(nameof(count));
        byte[] pixels = new byte[count * rows * cols];
        stream.ReadExactly(pixels);
        return pixels;
    }

    public static long[] ReadLabels(string gzPath, int count)
    {
        using var stream = new GZipStream(File.OpenRead(gzPath), CompressionMode.Decompress);
        Span<byte> header = stackalloc byte[8];
        stream.ReadExactly(header);
        if (BinaryPrimitives.ReadInt32BigEndian(header) != 2049) throw new InvalidDataException($"{gzPath}: not an IDX label file.");
        byte[] labels = new byte[count];
        stream.ReadExactly(labels);
        return labels.Select(b => (long)b).ToArray();
    }
}
