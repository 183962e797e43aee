namespace DomainAdaptation.Data.Generation;

/// <summary>The MNIST-M splits of the authors' release, which name the output folder and label file.</summary>
public enum MnistMSplit
{
    /// <summary><c>mnist_m_train/</c> and <c>mnist_m_train_labels.txt</c> (the release holds 59,001 images from MNIST train <c>[0:59001]</c>).</summary>
    Train = 0,

    /// <summary><c>mnist_m_test/</c> and <c>mnist_m_test_labels.txt</c> (the release holds 9,001 images from MNIST test <c>[0:9001]</c>).</summary>
    Test = 1,
}

/// <summary>File names of the MNIST-M release layout.</summary>
public static class MnistMLayout
{
    /// <summary>The image folder of a split: <c>mnist_m_train</c> or <c>mnist_m_test</c>.</summary>
    /// <param name="split">The split.</param>
    /// <returns>The folder name.</returns>
    public static string ImageFolderName(MnistMSplit split) => $"mnist_m_{SplitName(split)}";

    /// <summary>The label file of a split: <c>mnist_m_train_labels.txt</c> or <c>mnist_m_test_labels.txt</c>.</summary>
    /// <param name="split">The split.</param>
    /// <returns>The file name.</returns>
    public static string LabelFileName(MnistMSplit split) => $"mnist_m_{SplitName(split)}_labels.txt";

    /// <summary>The name of image <paramref name="index"/>: eight zero-padded decimal digits and <c>.png</c>, e.g. <c>00000042.png</c>.</summary>
    /// <param name="index">The zero-based image index.</param>
    /// <returns>The file name.</returns>
    public static string ImageFileName(int index) =>
        index is >= 0 and <= 99_999_999
            ? index.ToString("D8", System.Globalization.CultureInfo.InvariantCulture) + ".png"
            : throw new ArgumentOutOfRangeException(nameof(index), index, "MNIST-M image names have eight digits.");

    private static string SplitName(MnistMSplit split) => split switch
    {
        MnistMSplit.Train => "train",
        MnistMSplit.Test => "test",
        _ => throw new ArgumentOutOfRangeException(nameof(split), split, "Unknown MNIST-M split."),
    };
}
