using System.Buffers.Binary;
using DomainAdaptation.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace DomainAdaptation.Data.Formats;

/// <summary>
/// Reads MNIST-style IDX files (MNIST, Fashion-MNIST, KMNIST…), raw or gzip-compressed (recognised by the magic
/// bytes <c>1f 8b</c>, not the file name). Images: magic 2051 (<c>00 00 08 03</c>: unsigned bytes, 3 dimensions),
/// then count, rows, columns (big-endian int32), then count × rows × columns pixels. Labels: magic 2049
/// (<c>00 00 08 01</c>), count, then count label bytes.
/// </summary>
/// <remarks>
/// The magic number, the dimensions and the exact content length are checked; a truncated file, trailing bytes,
/// a wrong magic number, a label outside <c>[0, classCount)</c> or image and label counts that disagree throw a
/// <see cref="DataFormatException"/> naming the file. Pixels are read straight into the tensor's memory.
/// </remarks>
public static class MnistIdx
{
    /// <summary>The magic number of an IDX image file of unsigned bytes with three dimensions.</summary>
    public const int ImagesMagic = 2051;

    /// <summary>The magic number of an IDX label file of unsigned bytes with one dimension.</summary>
    public const int LabelsMagic = 2049;

    /// <summary>Reads an IDX image file.</summary>
    /// <param name="path">The file, raw or gzip.</param>
    /// <param name="options">The decompression bound; null for defaults.</param>
    /// <returns>uint8 images <c>[N, 1, rows, columns]</c> on the CPU.</returns>
    /// <exception cref="DataFormatException">When the file is not a valid IDX image file.</exception>
    /// <exception cref="FileNotFoundException">When the file does not exist.</exception>
    public static Tensor ReadImages(string path, DataLoadOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        options = DataLoadOptionsValidator.EnsureValid(options);
        TorchRuntime.EnsureInitialized();
        using Stream stream = CompressedFile.Open(path, options.MaxDecompressedBytes, out bool gzip, out long rawLength);
        Span<byte> header = stackalloc byte[16];
        ReadHeader(stream, header, path, ImagesMagic, LabelsMagic, "image", "label", "images");
        int count = ReadDimension(header[4..], path, "image count");
        int rows = ReadDimension(header[8..], path, "rows");
        int columns = ReadDimension(header[12..], path, "columns");
        if (rows == 0 || columns == 0) throw new DataFormatException(path, $"the IDX header gives images of {rows}×{columns} pixels; both must be positive.");
        long payload = (long)count * rows * columns;
        CheckLength(path, payload, 16, gzip, rawLength, options.MaxDecompressedBytes, $"{count:N0} images of {rows}×{columns}");

        Tensor images = empty([count, 1, rows, columns], ScalarType.Byte);
        try
        {
            if (payload > 0) ReadPayload(stream, images.bytes, path, $"{count:N0} images of {rows}×{columns}");
            CheckNoTrailingBytes(stream, path);
            return images;
        }
        catch
        {
            images.Dispose();
            throw;
        }
    }

    /// <summary>Reads an IDX label file.</summary>
    /// <param name="path">The file, raw or gzip.</param>
    /// <param name="classCount">Labels must lie in <c>[0, classCount)</c>; 10 for MNIST.</param>
    /// <param name="options">The decompression bound; null for defaults.</param>
    /// <returns>int64 labels <c>[N]</c> on the CPU.</returns>
    /// <exception cref="DataFormatException">When the file is not a valid IDX label file or a label is out of range.</exception>
    /// <exception cref="FileNotFoundException">When the file does not exist.</exception>
    public static Tensor ReadLabels(string path, int classCount = 10, DataLoadOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        ArgumentOutOfRangeException.ThrowIfLessThan(classCount, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(classCount, 256);
        options = DataLoadOptionsValidator.EnsureValid(options);
        TorchRuntime.EnsureInitialized();
        using Stream stream = CompressedFile.Open(path, options.MaxDecompressedBytes, out bool gzip, out long rawLength);
        Span<byte> header = stackalloc byte[8];
        ReadHeader(stream, header, path, LabelsMagic, ImagesMagic, "label", "image", "labels");
        int count = ReadDimension(header[4..], path, "label count");
        CheckLength(path, count, 8, gzip, rawLength, options.MaxDecompressedBytes, $"{count:N0} labels");
        var bytes = new byte[count];
        ReadPayload(stream, bytes, path, $"{count:N0} labels");
        CheckNoTrailingBytes(stream, path);
        var labels = new long[count];
        for (int i = 0; i < count; i++)
        {
            if (bytes[i] >= classCount)
            {
                throw new DataFormatException(path, $"label {i} is {bytes[i]}, outside [0, {classCount}); the file is corrupt or not a {classCount}-class label file.");
            }

            labels[i] = bytes[i];
        }

        return tensor(labels, ScalarType.Int64);
    }

    /// <summary>Reads an image file and its label file into a labelled set.</summary>
    /// <param name="imagesPath">The IDX image file (magic 2051).</param>
    /// <param name="labelsPath">The IDX label file (magic 2049).</param>
    /// <param name="name">The set's name, e.g. "MNIST train".</param>
    /// <param name="classCount">The number of classes; 10 for MNIST.</param>
    /// <param name="options">The decompression bound; null for defaults.</param>
    /// <returns>uint8 images <c>[N, 1, rows, columns]</c> with int64 labels <c>[N]</c>.</returns>
    /// <exception cref="DataFormatException">When a file is invalid or the image and label counts disagree.</exception>
    public static SampleSet Load(string imagesPath, string labelsPath, string name, int classCount = 10, DataLoadOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        Tensor images = ReadImages(imagesPath, options);
        Tensor? labels = null;
        try
        {
            labels = ReadLabels(labelsPath, classCount, options);
            if (labels.shape[0] != images.shape[0])
            {
                throw new DataFormatException(labelsPath,
                    $"holds {labels.shape[0]:N0} labels but the image file '{imagesPath}' holds {images.shape[0]:N0} images; they must be a matching pair (e.g. train-images with train-labels, t10k-images with t10k-labels).");
            }

            return new SampleSet(name, images, labels, classCount);
        }
        catch
        {
            images.Dispose();
            labels?.Dispose();
            throw;
        }
    }

    private static void ReadHeader(Stream stream, Span<byte> header, string path, int magic, int otherMagic, string kind, string otherKind, string content)
    {
        int n = CompressedFile.ReadFully(stream, header[..4], path);
        if (n < 4)
        {
            throw new DataFormatException(path, $"has only {n} bytes, too few for an IDX {kind} header ({header.Length} bytes). The file is truncated or empty; download it again.");
        }

        int found = BinaryPrimitives.ReadInt32BigEndian(header);
        if (found == otherMagic)
        {
            throw new DataFormatException(path, $"is an IDX {otherKind} file (magic {otherMagic}), but an {kind} file (magic {magic}) was expected here; the {kind} and {otherKind} files are swapped.");
        }

        if (found != magic)
        {
            throw new DataFormatException(path,
                $"has magic number {found} (bytes {Convert.ToHexString(header[..4])}), but an IDX {kind} file starts with {magic} (00000{(magic == ImagesMagic ? "803" : "801")}). " +
                $"It is not an MNIST {content} file, or it is damaged; download it again.");
        }

        n = CompressedFile.ReadFully(stream, header[4..], path);
        if (n < header.Length - 4)
        {
            throw new DataFormatException(path, $"has only {n + 4} bytes, too few for an IDX {kind} header ({header.Length} bytes). The file is truncated; download it again.");
        }
    }

    private static int ReadDimension(ReadOnlySpan<byte> bytes, string path, string field)
    {
        int value = BinaryPrimitives.ReadInt32BigEndian(bytes);
        if (value < 0) throw new DataFormatException(path, $"the IDX header's {field} is {value}; it must not be negative. The file is damaged.");
        return value;
    }

    private static void CheckLength(string path, long payload, int headerBytes, bool gzip, long rawLength, long maxBytes, string what)
    {
        if (payload > Math.Min(maxBytes, int.MaxValue))
        {
            throw new DataFormatException(path,
                $"the IDX header announces {what} = {payload:N0} bytes, more than the limit of {Math.Min(maxBytes, int.MaxValue):N0} (DataLoadOptions.MaxDecompressedBytes). The header is damaged, or raise the limit.");
        }

        if (gzip) return;
        long expected = headerBytes + payload;
        if (rawLength < expected)
        {
            throw new DataFormatException(path, $"is truncated: it has {rawLength:N0} bytes but its header announces {what}, {expected:N0} bytes in all. Download it again.");
        }

        if (rawLength > expected)
        {
            throw new DataFormatException(path, $"has {rawLength - expected:N0} bytes after the {what} its header announces ({expected:N0} bytes in all); the header or the file is wrong. Download it again.");
        }
    }

    private static void ReadPayload(Stream stream, Span<byte> destination, string path, string what)
    {
        int n = CompressedFile.ReadFully(stream, destination, path);
        if (n < destination.Length)
        {
            throw new DataFormatException(path, $"is truncated: its header announces {what} ({destination.Length:N0} bytes) but only {n:N0} follow. Download it again.");
        }
    }

    private static void CheckNoTrailingBytes(Stream stream, string path)
    {
        Span<byte> probe = stackalloc byte[1];
        if (CompressedFile.ReadFully(stream, probe, path) > 0)
        {
            throw new DataFormatException(path, "has bytes after the content its header announces; the header or the file is wrong. Download it again.");
        }
    }
}
