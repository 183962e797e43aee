using DomainAdaptation.Data.Download;
using DomainAdaptation.Data.Formats;
using DomainAdaptation.Data.Transforms;
using Microsoft.Extensions.Logging;

namespace DomainAdaptation.Data.Datasets;

/// <summary>
/// Ready-made digit problems read from a data root laid out as the project's data folder:
/// <c>&lt;root&gt;/mnist/{train,t10k}-{images-idx3,labels-idx1}-ubyte[.gz]</c> and
/// <c>&lt;root&gt;/mnist_m/mnist_m.tar.gz</c> (or the extracted <c>&lt;root&gt;/mnist_m/mnist_m/</c> folder).
/// </summary>
public static class DigitDatasets
{
    /// <summary>The MNIST folder below the data root.</summary>
    public const string MnistFolder = "mnist";

    /// <summary>The MNIST-M folder below the data root.</summary>
    public const string MnistMFolder = "mnist_m";

    private static readonly string[] MnistBaseNames = ["train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"];

    /// <summary>Finds the files of the MNIST → MNIST-M problem.</summary>
    /// <param name="dataRoot">The folder holding <c>mnist/</c> and <c>mnist_m/</c>.</param>
    /// <returns>The paths found.</returns>
    /// <exception cref="FileNotFoundException">When files are missing; the message lists every missing file and where it belongs.</exception>
    public static DigitsDataFiles Locate(string dataRoot)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(dataRoot);
        string root = Path.GetFullPath(dataRoot);
        var missing = new List<string>();
        string[] mnist = FindMnist(root, missing);
        string mnistMFolder = Path.Combine(root, MnistMFolder);
        string archive = Path.Combine(mnistMFolder, MnistM.ArchiveFileName);
        string? mnistM = File.Exists(archive) ? archive : Directory.Exists(mnistMFolder) ? MnistM.FindReleaseFolder(mnistMFolder) : null;
        if (mnistM is null)
        {
            missing.Add($"{archive} (the authors' release; or its extracted folder {Path.Combine(mnistMFolder, MnistM.ReleaseFolderName)}{Path.DirectorySeparatorChar} " +
                        $"holding {MnistM.LabelFileName(DataSplit.Train)}, {MnistM.LabelFileName(DataSplit.Test)}, {MnistM.ImageFolderName(DataSplit.Train)}/ and {MnistM.ImageFolderName(DataSplit.Test)}/)");
        }

        if (missing.Count > 0)
        {
            throw new FileNotFoundException(
                $"The MNIST → MNIST-M data are incomplete under the data root '{root}'. Missing:{Environment.NewLine}  - " +
                string.Join(Environment.NewLine + "  - ", missing) + Environment.NewLine +
                "Put the files there (MNIST: the four IDX files by LeCun, Cortes and Burges; MNIST-M: mnist_m.tar.gz by Ganin and Lempitsky), " +
                "or pass the folder that holds mnist/ and mnist_m/ as the data root.",
                missing[0]);
        }

        return new DigitsDataFiles(mnist[0], mnist[1], mnist[2], mnist[3], mnistM!);
    }

    /// <summary>Loads MNIST as released: uint8 <c>[N, 1, 28, 28]</c>, 60,000 train or 10,000 test images.</summary>
    /// <param name="dataRoot">The folder holding <c>mnist/</c>.</param>
    /// <param name="split">The split.</param>
    /// <param name="options">Decompression bound and checksum check; null for defaults.</param>
    /// <returns>The labelled set.</returns>
    /// <exception cref="FileNotFoundException">When the files are missing.</exception>
    /// <exception cref="DataChecksumException">
    /// When a file has other content than the original (<see cref="DataLoadOptions.VerifyKnownChecksums"/>).
    /// </exception>
    /// <exception cref="DataFormatException">When a file is invalid.</exception>
    public static SampleSet LoadMnist(string dataRoot, DataSplit split, DataLoadOptions? options = null)
    {
        DigitsDataFiles files = LocateMnistOnly(dataRoot);
        options = DataLoadOptionsValidator.EnsureValid(options);
        if (split == DataSplit.Train) Verify([(files.MnistTrainImages, KnownDataFiles.MnistTrainImages), (files.MnistTrainLabels, KnownDataFiles.MnistTrainLabels)], options, default);
        else Verify([(files.MnistTestImages, KnownDataFiles.MnistTestImages), (files.MnistTestLabels, KnownDataFiles.MnistTestLabels)], options, default);
        return split == DataSplit.Train
            ? MnistIdx.Load(files.MnistTrainImages, files.MnistTrainLabels, "MNIST train", 10, options)
            : MnistIdx.Load(files.MnistTestImages, files.MnistTestLabels, "MNIST test", 10, options);
    }

    /// <summary>
    /// The MNIST → MNIST-M problem of Ganin &amp; Lempitsky (2015): MNIST train as the labelled source, MNIST-M train as
    /// the target (labels kept apart for evaluation), and both test sets, all in one <paramref name="geometry"/>.
    /// </summary>
    /// <param name="dataRoot">The folder holding <c>mnist/</c> and <c>mnist_m/</c>.</param>
    /// <param name="geometry">How the two domains get one shape; default <see cref="DigitsGeometry.Rgb32"/>.</param>
    /// <param name="options">Checksum check, cache, decompression bound and parallelism; null for defaults.</param>
    /// <param name="logger">Receives cache and timing messages; null for none.</param>
    /// <param name="cancellationToken">Stops the load.</param>
    /// <param name="sourceTransform">
    /// An extra transform for the MNIST images (train and test), applied to the 1×28×28 digits before the geometry's
    /// transforms — e.g. <see cref="Binarize"/>, as the authors' reference code does; null for none.
    /// </param>
    /// <returns>The problem; the caller disposes it.</returns>
    /// <exception cref="FileNotFoundException">When files are missing (all of them are listed).</exception>
    /// <exception cref="DataChecksumException">
    /// When a file of the release has other content than the original (<see cref="DataLoadOptions.VerifyKnownChecksums"/>).
    /// </exception>
    /// <exception cref="InvalidDataException">When a .gz file is not valid gzip data.</exception>
    /// <exception cref="DataFormatException">When a file is invalid.</exception>
    public static DigitsProblem MnistToMnistM(string dataRoot, DigitsGeometry geometry = DigitsGeometry.Rgb32, DataLoadOptions? options = null,
        ILogger? logger = null, CancellationToken cancellationToken = default, ISampleTransform? sourceTransform = null)
    {
        DigitsDataFiles files = Locate(dataRoot);
        options = DataLoadOptionsValidator.EnsureValid(options);
        Verify(
        [
            (files.MnistTrainImages, KnownDataFiles.MnistTrainImages), (files.MnistTrainLabels, KnownDataFiles.MnistTrainLabels),
            (files.MnistTestImages, KnownDataFiles.MnistTestImages), (files.MnistTestLabels, KnownDataFiles.MnistTestLabels),
            (File.Exists(files.MnistM) ? files.MnistM : null, KnownDataFiles.MnistMArchive),
        ], options, cancellationToken);
        ISampleTransform mnistTransform = geometry == DigitsGeometry.Rgb32 ? new Compose(new GreyToRgb(), new Pad(2)) : new GreyToRgb();
        if (sourceTransform is not null) mnistTransform = new Compose(sourceTransform, mnistTransform);
        ISampleTransform? mnistMTransform = geometry == DigitsGeometry.Rgb28 ? new Resize(28, 28) : null;

        var owned = new List<IDisposable>();
        try
        {
            SampleSet sourceTrain = MnistIdx.Load(files.MnistTrainImages, files.MnistTrainLabels, "MNIST train", 10, options).TransformAndDispose(mnistTransform);
            owned.Add(sourceTrain);
            SampleSet sourceTest = MnistIdx.Load(files.MnistTestImages, files.MnistTestLabels, "MNIST test", 10, options).TransformAndDispose(mnistTransform);
            owned.Add(sourceTest);
            IReadOnlyDictionary<DataSplit, SampleSet> mnistM = MnistM.LoadSplits(files.MnistM, [DataSplit.Train, DataSplit.Test], options, logger, cancellationToken);
            SampleSet targetTrain = mnistM[DataSplit.Train];
            SampleSet targetTest = mnistM[DataSplit.Test];
            owned.Add(targetTrain);
            owned.Add(targetTest);
            if (mnistMTransform is not null)
            {
                owned.Remove(targetTrain);
                targetTrain = targetTrain.TransformAndDispose(mnistMTransform);
                owned.Add(targetTrain);
                owned.Remove(targetTest);
                targetTest = targetTest.TransformAndDispose(mnistMTransform);
                owned.Add(targetTest);
            }

            var train = new DomainDataset("MNIST → MNIST-M", sourceTrain, targetTrain);
            return new DigitsProblem(train, sourceTest, targetTest, geometry);
        }
        catch
        {
            foreach (IDisposable d in owned) d.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Checks each located file of a known release against its SHA-256 (<see cref="DataLoadOptions.VerifyKnownChecksums"/>),
    /// as the resolver does, with the resolver's message; an extracted folder (null path) is not checked.
    /// </summary>
    private static void Verify(IEnumerable<(string? Path, DataFile File)> located, DataLoadOptions options, CancellationToken cancellationToken)
    {
        if (!options.VerifyKnownChecksums) return;
        foreach ((string? path, DataFile file) in located)
        {
            if (path is null) continue;
            string actual = ContentHasher.Compute(path, file.ChecksumKind, options.MaxDecompressedBytes, cancellationToken);
            if (actual != file.Sha256) throw new DataChecksumException(file, path, actual);
        }
    }

    private static DigitsDataFiles LocateMnistOnly(string dataRoot)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(dataRoot);
        string root = Path.GetFullPath(dataRoot);
        var missing = new List<string>();
        string[] paths = FindMnist(root, missing);
        if (missing.Count > 0)
        {
            throw new FileNotFoundException(
                $"MNIST is incomplete under the data root '{root}'. Missing:{Environment.NewLine}  - " + string.Join(Environment.NewLine + "  - ", missing) +
                Environment.NewLine + "Put the four IDX files (raw or .gz) in its mnist/ folder.", missing[0]);
        }

        return new DigitsDataFiles(paths[0], paths[1], paths[2], paths[3], string.Empty);
    }

    private static string[] FindMnist(string root, List<string> missing)
    {
        var paths = new string[MnistBaseNames.Length];
        for (int i = 0; i < paths.Length; i++)
        {
            string gz = Path.Combine(root, MnistFolder, MnistBaseNames[i] + ".gz");
            string raw = Path.Combine(root, MnistFolder, MnistBaseNames[i]);
            paths[i] = File.Exists(gz) ? gz : File.Exists(raw) ? raw : string.Empty;
            if (paths[i].Length == 0) missing.Add($"{gz} (or uncompressed: {raw})");
        }

        return paths;
    }
}
