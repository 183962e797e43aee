using DomainAdaptation.Data.Formats;

namespace MnistMTool;

/// <summary>The first <c>count</c> MNIST images or labels, through the library's IDX reader (<see cref="MnistIdx"/>).</summary>
internal static class Idx
{
    public static byte[] ReadImages(string path, int count)
    {
        using var images = MnistIdx.ReadImages(path);
        if (count > images.shape[0]) throw new ArgumentOutOfRangeException(nameof(count), $"{path} holds {images.shape[0]} images.");
        if (images.shape[2] != 28 || images.shape[3] != 28) throw new InvalidDataException($"{path}: images are {images.shape[2]}×{images.shape[3]}, not 28×28.");
        using var first = images.narrow(0, 0, count).contiguous();
        return first.data<byte>().ToArray();
    }

    public static long[] ReadLabels(string path, int count)
    {
        using var labels = MnistIdx.ReadLabels(path);
        using var first = labels.narrow(0, 0, count).contiguous();
        return first.data<long>().ToArray();
    }
}
