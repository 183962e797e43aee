using DomainAdaptation.Data;
using DomainAdaptation.Data.Datasets;
using DomainAdaptation.Data.Download;
using DomainAdaptation.Data.Formats;
using DomainAdaptation.Data.Transforms;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace MnistToMnistM;

/// <summary>A training problem plus its held-out test sets (labels of the target used only to report).</summary>
internal sealed record Problem(string Name, DomainDataset Train, SampleSet SourceTest, SampleSet TargetTest, IReadOnlyList<string>? ClassNames = null,
    IReadOnlyList<SkippedImage>? Skipped = null) : IDisposable
{
    /// <summary>The test sets as one evaluation data set (copies; the target labels are kept apart as usual).</summary>
    public DomainDataset CreateEvaluationData() => new(
        Name + " (test)",
        SourceTest.Copy(),
        TargetTest.Copy());

    public void Dispose()
    {
        Train.Dispose();
        SourceTest.Dispose();
        TargetTest.Dispose();
    }
}

/// <summary>Finds and loads the data sets the sample trains and evaluates on, through the library only.</summary>
internal static class DataLoading
{
    /// <summary>
    /// Finds the folder holding mnist/ and mnist_m/: --data, then DOMAINADAPTATION_DATA, then the user's cache, then a
    /// verified download (the library's resolver). Offline, the error lists every file needed and where to put it.
    /// </summary>
    public static async Task<string> ResolveDigitsRootAsync(string? dataOption, ILoggerFactory loggers, TextWriter console, CancellationToken ct)
    {
        // An explicit --data is a folder the user has: it must exist and hold the files; nothing is downloaded into it.
        var options = new DataSetResolverOptions { DataDirectory = dataOption, Offline = dataOption is not null };
        using var resolver = new DataSetResolver(Options.Create(options), loggers.CreateLogger<DataSetResolver>());
        var progress = new SyncProgress<DownloadProgress>(p =>
            console.Write(FormattableString.Invariant($"\rdownloading {p.File.RelativePath}: {p.BytesReceived / 1e6:F1} MB{(p.TotalBytes is { } t ? FormattableString.Invariant($" of {t / 1e6:F1} MB") : "")}   ")));
        IReadOnlyList<ResolvedDataFile> files = await resolver.ResolveAllAsync(KnownDataFiles.MnistToMnistM, progress, ct).ConfigureAwait(false);
        var roots = files.Select(f => RootOf(f)).Distinct(StringComparer.Ordinal).ToArray();
        if (roots.Length != 1)
        {
            throw new InvalidOperationException(
                "The MNIST and MNIST-M files were found in different folders (" + string.Join(", ", files.Select(f => f.Path)) +
                "); put mnist/ and mnist_m/ under one data folder and pass it with --data.");
        }

        return roots[0];
    }

    /// <summary>
    /// How the sample reads the files <see cref="ResolveDigitsRootAsync"/> found: the resolver has checked their SHA-256
    /// already (with the message the loaders give), so the loaders do not hash them again.
    /// </summary>
    public static DataLoadOptions ResolvedDataOptions => new() { VerifyKnownChecksums = false };

    /// <summary>MNIST → MNIST-M for a preset's geometry, read from the real files.</summary>
    public static Problem LoadDigits(string dataRoot, ExperimentSettings settings, ILogger logger, CancellationToken ct)
    {
        DigitsProblem digits = DigitDatasets.MnistToMnistM(dataRoot, settings.Geometry, ResolvedDataOptions, logger, ct,
            sourceTransform: settings.BinarizeSource ? new Binarize() : null);
        return new Problem(digits.Train.Name, digits.Train, digits.SourceTest, digits.TargetTest, Digits);
    }

    /// <summary>
    /// Any pair of data sets a user has: MNIST-style IDX folders, the MNIST-M release layout (folder or .tar.gz), or image
    /// folders (one sub-folder per class; with train/ and test/ sub-folders when they exist). The source is brought to the
    /// target's channels and size.
    /// </summary>
    public static Problem LoadPair(string sourcePath, string targetPath, FolderLoad load, ILogger logger, CancellationToken ct)
    {
        var skipped = new List<SkippedImage>();
        var (sourceTrain, sourceTest, sourceClassList) = LoadAny(sourcePath, load, skipped, logger, ct);
        if (sourceClassList is not { } sourceClasses)
        {
            sourceTrain.Dispose();
            sourceTest.Dispose();
            throw new InvalidDataException($"The source '{sourcePath}' is a flat folder of unlabelled images; the source needs labels (one sub-folder per class, a path,label CSV, IDX files or the MNIST-M release). Only the target may be unlabelled.");
        }

        var (targetTrain, targetTest, targetClassList) = LoadAny(targetPath, load, skipped, logger, ct);
        IReadOnlyList<string> targetClasses = targetClassList ?? sourceClasses;   // unlabelled: the source's classes
        if (targetClassList is null)
        {
            logger.LogWarning("The target '{Target}' is unlabelled (a flat folder of {Count} images): training adapts to it; target accuracy is not reported, the label-free scores (target entropy) are.", targetPath, targetTrain.Count);
        }

        if (!sourceClasses.SequenceEqual(targetClasses, StringComparer.Ordinal))
        {
            // Class indices come from the names' order: different lists would pair different classes, silently.
            throw new InvalidDataException(
                $"The source '{sourcePath}' and the target '{targetPath}' have different classes; both need the same class names (indices follow their ordinal order). " +
                $"Source ({sourceClasses.Count}): {Names(sourceClasses)}. Target ({targetClasses.Count}): {Names(targetClasses)}." +
                (sourceClasses.Except(targetClasses).Any() ? $" Only in the source: {Names(sourceClasses.Except(targetClasses).ToArray())}." : "") +
                (targetClasses.Except(sourceClasses).Any() ? $" Only in the target: {Names(targetClasses.Except(sourceClasses).ToArray())}." : ""));
        }

        SampleShape shape = targetTrain.Shape;
        if (!shape.IsImage || !sourceTrain.Shape.IsImage)
        {
            throw new InvalidOperationException($"--source and --target must hold images; got {sourceTrain.Shape} and {shape}.");
        }

        var steps = new List<ISampleTransform>();
        if (sourceTrain.Shape.Channels == 1 && shape.Channels == 3) steps.Add(new GreyToRgb());
        else if (sourceTrain.Shape.Channels != shape.Channels)
        {
            throw new InvalidOperationException($"The source has {sourceTrain.Shape.Channels} channels and the target {shape.Channels}; only grey → RGB is converted automatically.");
        }

        if (sourceTrain.Shape.Height != shape.Height || sourceTrain.Shape.Width != shape.Width) steps.Add(new Resize(shape.Height, shape.Width));
        if (steps.Count > 0 && (sourceTrain.IsStreamed || sourceTest.IsStreamed))
        {
            throw new InvalidOperationException(
                $"The source '{sourcePath}' is streamed (--stream) at {sourceTrain.Shape} but the target is {shape}; a streamed set is not converted after loading. " +
                "Give --resize HxW so both are read at one size" + (sourceTrain.Shape.Channels != shape.Channels ? ", and use images with the same channels" : "") + ".");
        }

        if (steps.Count > 0)
        {
            var transform = new Compose(steps.ToArray());
            sourceTrain = sourceTrain.TransformAndDispose(transform);
            sourceTest = sourceTest.TransformAndDispose(transform);
        }

        int classes = Math.Max(sourceTrain.ClassCount, targetTrain.ClassCount);
        var train = new DomainDataset($"{Path.GetFileName(Path.TrimEndingDirectorySeparator(sourcePath))} → {Path.GetFileName(Path.TrimEndingDirectorySeparator(targetPath))}",
            WithClasses(sourceTrain, classes), WithClasses(targetTrain, classes));
        return new Problem(train.Name, train, WithClasses(sourceTest, classes), WithClasses(targetTest, classes), sourceClasses, skipped);
    }

    /// <summary>Loads the test split of any supported data set (for `evaluate`).</summary>
    public static SampleSet LoadTestSet(string path, FolderLoad load, ILogger logger, CancellationToken ct)
    {
        var (train, test, _) = LoadAny(path, load, [], logger, ct);
        if (!ReferenceEquals(train, test)) train.Dispose();
        return test;
    }

    /// <summary>The class names of the digit data sets (MNIST IDX files, the MNIST-M release).</summary>
    public static readonly IReadOnlyList<string> Digits = ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9"];

    private static string Names(IReadOnlyList<string> names) => string.Join(", ", names.Take(20)) + (names.Count > 20 ? $", … ({names.Count - 20} more)" : "");

    /// <summary>How user folders and lists are read (recorded in run.json through the run's settings).</summary>
    /// <param name="SkipBadImages">Leave out unreadable images (listed in the log) instead of failing.</param>
    /// <param name="TestFraction">For a folder or list without train/ and test/: the seeded, stratified test share; null: its images serve for both.</param>
    /// <param name="Seed">The split's seed.</param>
    /// <param name="Stream">Decode folder and list images on the fly (--stream) instead of loading them into memory.</param>
    /// <param name="Resize">The size every folder and list image is resized to at load (--resize); null: the most common size.</param>
    internal sealed record FolderLoad(bool SkipBadImages, double? TestFraction, long Seed, bool Stream = false, ImageSize? Resize = null);

    /// <summary>A height × width.</summary>
    internal sealed record ImageSize(int Height, int Width);

    /// <summary>Reads any supported data set; <c>Classes</c> is null for an unlabelled (flat) image folder.</summary>
    private static (SampleSet Train, SampleSet Test, IReadOnlyList<string>? Classes) LoadAny(string path, FolderLoad load, List<SkippedImage> skipped, ILogger logger, CancellationToken ct)
    {
        try
        {
            return LoadAnyUnchecked(path, load, skipped, logger, ct);
        }
        catch (DataFormatException ex) when (!load.SkipBadImages && IsImageFile(ex.FilePath))
        {
            throw new DataFormatException(ex.FilePath, ex.Reason + " (--skip-bad-images leaves unreadable images out and lists them in the report)", ex);
        }
    }

    private static bool IsImageFile(string path) =>
        new ImageFolderOptions().Extensions.Contains(Path.GetExtension(path), StringComparer.OrdinalIgnoreCase);

    private static (SampleSet Train, SampleSet Test, IReadOnlyList<string>? Classes) LoadAnyUnchecked(string path, FolderLoad load, List<SkippedImage> skipped, ILogger logger, CancellationToken ct)
    {
        string full = Path.GetFullPath(path);
        var imageOptions = new ImageFolderOptions { SkipBadImages = load.SkipBadImages, Stream = load.Stream, Height = load.Resize?.Height, Width = load.Resize?.Width };
        if (File.Exists(full) && full.EndsWith(".csv", StringComparison.OrdinalIgnoreCase))
        {
            ImageFolderDataset list = ImageList.Load(full, imageOptions, logger: logger, cancellationToken: ct);
            skipped.AddRange(list.Skipped);
            return Whole(list, full, load, logger);
        }

        if (File.Exists(full) && full.EndsWith(".tar.gz", StringComparison.OrdinalIgnoreCase) || LooksLikeMnistM(full))
        {
            var splits = MnistM.LoadSplits(full, [DataSplit.Train, DataSplit.Test], logger: logger, cancellationToken: ct);
            return (splits[DataSplit.Train], splits[DataSplit.Test], Digits);
        }

        if (Directory.Exists(full) && Directory.Exists(Path.Combine(full, DigitDatasets.MnistFolder)) && !Directory.Exists(Path.Combine(full, "train")))
        {
            full = Path.Combine(full, DigitDatasets.MnistFolder);
        }

        if (Directory.Exists(full) && FindIdx(full, "train-images-idx3-ubyte") is { } trainImages)
        {
            SampleSet train = MnistIdx.Load(trainImages, Required(full, "train-labels-idx1-ubyte"), "MNIST train");
            SampleSet test = MnistIdx.Load(Required(full, "t10k-images-idx3-ubyte"), Required(full, "t10k-labels-idx1-ubyte"), "MNIST test");
            return (train, test, Digits);
        }

        if (Directory.Exists(full))
        {
            string trainDir = Path.Combine(full, "train"), testDir = Path.Combine(full, "test");
            if (Directory.Exists(trainDir) && Directory.Exists(testDir))
            {
                ImageFolderDataset trainSet = ImageFolder.Load(trainDir, imageOptions, logger: logger, cancellationToken: ct), testSet = ImageFolder.Load(testDir, imageOptions, logger: logger, cancellationToken: ct);
                skipped.AddRange(trainSet.Skipped);
                skipped.AddRange(testSet.Skipped);
                if (!trainSet.ClassNames.SequenceEqual(testSet.ClassNames, StringComparer.Ordinal))
                {
                    trainSet.Dispose();
                    testSet.Dispose();
                    throw new InvalidDataException($"'{full}': train/ and test/ have different class folders. train/ ({trainSet.ClassNames.Count}): {Names(trainSet.ClassNames)}. test/ ({testSet.ClassNames.Count}): {Names(testSet.ClassNames)}.");
                }

                return (trainSet.Samples, testSet.Samples, trainSet.ClassNames);
            }

            if (ImageFolder.IsFlatImageFolder(full, imageOptions))
            {
                // A flat folder of images: an unlabelled domain (the target); the same images serve for the label-free scores.
                ImageFolderDataset flat = ImageFolder.LoadUnlabelled(full, imageOptions, logger: logger, cancellationToken: ct);
                skipped.AddRange(flat.Skipped);
                SampleSet images = flat.Samples;
                return (images, images.WithoutLabels(images.Name + " (eval)"), null);
            }

            CheckImageFolderLayout(full);
            ImageFolderDataset folder = ImageFolder.Load(full, imageOptions, logger: logger, cancellationToken: ct);
            skipped.AddRange(folder.Skipped);
            return Whole(folder, full, load, logger);
        }

        throw new FileNotFoundException(
            $"'{path}' is neither an MNIST-M release (folder with mnist_m_train_labels.txt, or mnist_m.tar.gz), nor a folder with MNIST IDX files " +
            "(train-images-idx3-ubyte[.gz] …), nor an image folder (one sub-folder per class, or a flat folder of unlabelled images), nor a CSV list of path,label.", path);
    }

    /// <summary>A labelled set without train/ and test/: a seeded stratified split (--test-fraction), or the whole set for both.</summary>
    private static (SampleSet Train, SampleSet Test, IReadOnlyList<string> Classes) Whole(ImageFolderDataset data, string path, FolderLoad load, ILogger logger)
    {
        SampleSet all = data.Samples;
        if (load.TestFraction is double fraction)
        {
            using (all)
            {
                (SampleSet train, SampleSet test) = all.SplitStratified(fraction, load.Seed);
                logger.LogInformation("'{Path}': {Train} training and {Test} test images (a stratified {Fraction:P0} split, seed {Seed}).", path, train.Count, test.Count, fraction, load.Seed);
                return (train, test, data.ClassNames);
            }
        }

        logger.LogWarning("'{Path}' has no train/ and test/ parts: its images serve for both training and evaluation (hold some out with --test-fraction).", path);
        return (all, all.Copy(all.Name + " (eval)"), data.ClassNames);
    }

    /// <summary>
    /// A folder read as one sub-folder per class must look like one: at least two sub-folders, and no data files beside
    /// them (a labels file beside sub-folders is another layout, e.g. the MNIST-M release under other names, which would
    /// otherwise be read as two classes "x_train" and "x_test").
    /// </summary>
    private static void CheckImageFolderLayout(string folder)
    {
        string[] subFolders = Directory.GetDirectories(folder).Select(Path.GetFileName).Order(StringComparer.Ordinal).ToArray()!;
        string[] files = Directory.GetFiles(folder).Select(Path.GetFileName).Where(f => !f!.StartsWith('.')).Order(StringComparer.Ordinal).ToArray()!;
        string Found() => $"found {subFolders.Length} sub-folder(s){(subFolders.Length > 0 ? " (" + string.Join(", ", subFolders.Take(6)) + (subFolders.Length > 6 ? ", …" : "") + ")" : "")}" +
                          $" and {files.Length} file(s){(files.Length > 0 ? " (" + string.Join(", ", files.Take(6)) + (files.Length > 6 ? ", …" : "") + ")" : "")}";
        const string Expected = "Expected one of: an image folder (one sub-folder of images per class, optionally under train/ and test/), " +
                                "an MNIST IDX folder (train-images-idx3-ubyte[.gz] …), or the MNIST-M release layout (mnist_m_train/, mnist_m_test/, mnist_m_train_labels.txt, mnist_m_test_labels.txt)";
        if (subFolders.Length > 0 && files.Length > 0)
        {
            throw new InvalidDataException($"'{folder}' fits no layout: {Found()}; files beside class folders are not images of a class. {Expected}.");
        }

        if (subFolders.Length < 2)
        {
            throw new InvalidDataException($"'{folder}' fits no layout: {Found()}; an image folder needs a sub-folder per class, at least two. {Expected}.");
        }
    }

    private static bool LooksLikeMnistM(string path) =>
        Directory.Exists(path) && (File.Exists(Path.Combine(path, MnistM.LabelFileName(DataSplit.Train))) ||
                                   File.Exists(Path.Combine(path, MnistM.ArchiveFileName)) ||
                                   File.Exists(Path.Combine(path, MnistM.ReleaseFolderName, MnistM.LabelFileName(DataSplit.Train))));

    private static string? FindIdx(string folder, string baseName) =>
        new[] { baseName + ".gz", baseName }.Select(n => Path.Combine(folder, n)).FirstOrDefault(File.Exists);

    private static string Required(string folder, string baseName) =>
        FindIdx(folder, baseName) ?? throw new FileNotFoundException($"'{folder}' has MNIST training images but no {baseName}[.gz].", Path.Combine(folder, baseName));

    private static SampleSet WithClasses(SampleSet set, int classes) =>
        set.ClassCount == classes ? set
        : set.IsStreamed ? new SampleSet(set.Name, set.Streamed!, set.Labels, classes)
        : new SampleSet(set.Name, set.Samples, set.Labels, classes);

    private static string RootOf(ResolvedDataFile file)
    {
        string path = Path.GetFullPath(file.Path);
        int depth = file.File.RelativePath.Split('/').Length;
        for (int i = 0; i < depth; i++) path = Path.GetDirectoryName(path)!;
        return path;
    }
}

/// <summary>An <see cref="IProgress{T}"/> that reports on the calling thread (no synchronisation context hop).</summary>
internal sealed class SyncProgress<T>(Action<T> report) : IProgress<T>
{
    public void Report(T value) => report(value);
}
