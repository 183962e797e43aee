using DomainAdaptation.Data.Formats;
using DomainAdaptation.Data.Transforms;
using static TorchSharp.torch;

namespace DomainAdaptation.Data.Datasets;

/// <summary>
/// Image files decoded on demand (<see cref="ImageFolderOptions.Stream"/>): each read decodes its files in parallel,
/// converts them to the set's channels and resizes them to its size exactly as an in-memory load does, so a streamed
/// set yields the same bytes as the same folder loaded into memory. Thread-safe; holds no pixels between reads.
/// </summary>
internal sealed class StreamedImageFiles : IStreamedSamples
{
    private readonly string[] _files;
    private readonly bool _verifyChecksums;
    private readonly long _maxPixels;
    private readonly int _parallelism;

    public StreamedImageFiles(string name, IReadOnlyList<string> files, int channels, int height, int width,
        bool verifyChecksums, long maxPixels, int parallelism)
    {
        Name = name;
        _files = [.. files];
        Shape = SampleShape.Image(channels, height, width);
        _verifyChecksums = verifyChecksums;
        _maxPixels = maxPixels;
        _parallelism = parallelism;
    }

    public string Name { get; }

    public int Count => _files.Length;

    public SampleShape Shape { get; }

    public Tensor Read(ReadOnlySpan<long> indices, CancellationToken cancellationToken = default)
    {
        int channels = Shape.Channels, height = Shape.Height, width = Shape.Width;
        int plane = channels * height * width;
        long[] chosen = indices.ToArray();
        var buffer = new byte[(long)chosen.Length * plane];
        ParallelDecoding.Run(chosen.Length, _parallelism, cancellationToken, k =>
        {
            string file = _files[chosen[k]];
            DecodedImage image = ImageFolder.DecodeFile(file, _verifyChecksums, _maxPixels);
            Span<byte> destination = buffer.AsSpan(k * plane, plane);
            if (image.Width == width && image.Height == height)
            {
                image.CopyToPlanar(destination, channels);
            }
            else
            {
                var planar = new byte[channels * image.Width * image.Height];
                image.CopyToPlanar(planar, channels);
                Resize.Bytes(planar, channels, image.Height, image.Width, height, width, destination);
            }
        });

        Tensor result = empty([chosen.Length, channels, height, width], ScalarType.Byte);
        buffer.AsSpan().CopyTo(result.bytes);
        return result;
    }
}
