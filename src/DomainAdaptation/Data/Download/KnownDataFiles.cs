namespace DomainAdaptation.Data.Download;

/// <summary>
/// The files of the MNIST → MNIST-M experiment with their checksums, laid out as
/// <c>mnist/…</c>, <c>mnist_m/mnist_m.tar.gz</c> and <c>bsds500/train/*.jpg</c> under a data folder.
/// </summary>
public static class KnownDataFiles
{
    private const string MnistOrigin = "MNIST by Y. LeCun, C. Cortes and C. J. C. Burges (http://yann.lecun.com/exdb/mnist/; also mirrored by the PyTorch and TensorFlow projects)";
    private const string MnistMOrigin = "MNIST-M by Y. Ganin and V. Lempitsky (ICML 2015): the authors' release mnist_m.tar.gz, linked from the DANN project page; or generate it with DomainAdaptation.Data.Generation.MnistMGenerator";
    private const string BsdsOrigin = "BSDS500 by P. Arbelaez, M. Maire, C. Fowlkes and J. Malik (TPAMI 2011): the train images BSR/BSDS500/data/images/train/*.jpg of BSR_bsds500.tgz from the Berkeley grouping project page";

    /// <summary>MNIST train images (60,000 × 28×28), checked by the SHA-256 of the decompressed IDX content.</summary>
    public static DataFile MnistTrainImages { get; } = new(
        "mnist/train-images-idx3-ubyte.gz", ChecksumKind.ContentSha256, "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db", "MNIST train images", MnistOrigin);

    /// <summary>MNIST train labels (60,000), checked by the SHA-256 of the decompressed IDX content.</summary>
    public static DataFile MnistTrainLabels { get; } = new(
        "mnist/train-labels-idx1-ubyte.gz", ChecksumKind.ContentSha256, "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5", "MNIST train labels", MnistOrigin);

    /// <summary>MNIST test images (10,000 × 28×28), checked by the SHA-256 of the decompressed IDX content.</summary>
    public static DataFile MnistTestImages { get; } = new(
        "mnist/t10k-images-idx3-ubyte.gz", ChecksumKind.ContentSha256, "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7", "MNIST test images", MnistOrigin);

    /// <summary>MNIST test labels (10,000), checked by the SHA-256 of the decompressed IDX content.</summary>
    public static DataFile MnistTestLabels { get; } = new(
        "mnist/t10k-labels-idx1-ubyte.gz", ChecksumKind.ContentSha256, "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2", "MNIST test labels", MnistOrigin);

    /// <summary>The authors' MNIST-M release (59,001 train + 9,001 test 32×32 RGB PNGs and label files), checked by its file SHA-256.</summary>
    public static DataFile MnistMArchive { get; } = new(
        "mnist_m/mnist_m.tar.gz", ChecksumKind.FileSha256, "673fe7a047d650452210e7f61830c5f7f5747c13fd93cdc3556678a0ba60f0f7", "MNIST-M (authors' release)", MnistMOrigin);

    /// <summary>The four MNIST files.</summary>
    public static IReadOnlyList<DataFile> Mnist { get; } = [MnistTrainImages, MnistTrainLabels, MnistTestImages, MnistTestLabels];

    /// <summary>The MNIST-M release archive.</summary>
    public static IReadOnlyList<DataFile> MnistM { get; } = [MnistMArchive];

    /// <summary>The 200 BSDS500 train JPEGs under <c>bsds500/train/</c>, each checked by its file SHA-256 (the backgrounds of MNIST-M).</summary>
    public static IReadOnlyList<DataFile> Bsds500Train { get; } = Bsds500TrainChecksums.Files
        .Select(f => new DataFile($"bsds500/train/{f.Name}", ChecksumKind.FileSha256, f.Sha256, $"BSDS500 train image {f.Name}", BsdsOrigin))
        .ToArray();

    /// <summary>Everything the MNIST → MNIST-M experiment reads: MNIST and the MNIST-M release.</summary>
    public static IReadOnlyList<DataFile> MnistToMnistM { get; } = [.. Mnist, .. MnistM];
}
