using System.Buffers;
using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using DomainAdaptation.Data.Caching;
using DomainAdaptation.Runtime;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using static TorchSharp.torch;

namespace DomainAdaptation.Data.Formats;

/// <summary>
/// Reads MNIST-M (Ganin &amp; Lempitsky, 2015) as its authors released it: <c>mnist_m/mnist_m_train/*.png</c>,
/// <c>mnist_m/mnist_m_test/*.png</c> (32×32 RGB) and the label files <c>mnist_m_train_labels.txt</c>,
/// <c>mnist_m_test_labels.txt</c> (lines <c>file-name label</c>). Reads either the extracted folder or
/// <c>mnist_m.tar.gz</c> itself, streamed (no extraction step; the archive is treated as untrusted).
/// </summary>
/// <remarks>
/// Images come out in label-file order as uint8 <c>[N, 3, 32, 32]</c> with int64 labels <c>[N]</c>. PNGs are
/// decoded by the managed <see cref="PngDecoder"/> in parallel. Decoded sets are cached (see
/// <see cref="DataLoadOptions.UseCache"/>) under a key made of the source's checksum — the SHA-256 of the archive,
/// or of the label file plus the listed images' names, sizes and modification times for a folder — so the next
/// load reads raw tensor bytes, and a changed source is decoded again.
/// </remarks>
public static class MnistM
{
    /// <summary>Height and width of every MNIST-M image.</summary>
    public const int ImageSize = 32;

    /// <summary>Channels of every MNIST-M image (RGB).</summary>
    public const int ImageChannels = 3;

    /// <summary>The number of classes (digits).</summary>
    public const int ClassCount = 10;

    /// <summary>The file name of the authors' archive.</summary>
    public const string ArchiveFileName = "mnist_m.tar.gz";

    /// <summary>The folder that holds the splits inside the archive (and usually after extraction).</summary>
    public const string ReleaseFolderName = "mnist_m";

    private const string DecoderVersion = "mnist_m/png-planar/v1";
    private const int ImageBytes = ImageChannels * ImageSize * ImageSize;
    private const string SizeRequirement = "MNIST-M images are 32×32";

    /// <summary>The image folder of a split, e.g. <c>mnist_m_train</c>.</summary>
    /// <param name="split">The split.</param>
    /// <returns>The folder name.</returns>
    public static string ImageFolderName(DataSplit split) => split == DataSplit.Train ? "mnist_m_train" : "mnist_m_test";

    /// <summary>The label file of a split, e.g. <c>mnist_m_train_labels.txt</c>.</summary>
    /// <param name="split">The split.</param>
    /// <returns>The file name.</returns>
    public static string LabelFileName(DataSplit split) => ImageFolderName(split) + "_labels.txt";

    /// <summary>Loads one split.</summary>
    /// <param name="source">The archive (<c>mnist_m.tar.gz</c>), the extracted <c>mnist_m</c> folder (holding the label
    /// files), or its parent folder (holding <c>mnist_m/</c> or <c>mnist_m.tar.gz</c>).</param>
    /// <param name="split">The split.</param>
    /// <param name="options">Cache, decompression bound and parallelism; null for defaults.</param>
    /// <param name="logger">Receives cache hits and misses and timings; null for none.</param>
    /// <param name="cancellationToken">Stops the load.</param>
    /// <returns>uint8 images <c>[N, 3, 32, 32]</c> with int64 labels, in label-file order.</returns>
    /// <exception cref="FileNotFoundException">When the source or a label file is missing.</exception>
    /// <exception cref="DataFormatException">For a bad label line, a listed image that is absent, a corrupt PNG, an unsafe archive entry or an archive past the decompression bound.</exception>
    public static SampleSet Load(string source, DataSplit split, DataLoadOptions? options = null, ILogger? logger = null,
        CancellationToken cancellationToken = default)
    {
        IReadOnlyDictionary<DataSplit, SampleSet> sets = LoadSplits(source, [split], options, logger, cancellationToken);
        return sets[split];
    }

    /// <summary>Loads several splits; from an archive, splits that are not cached are read in one pass.</summary>
    /// <param name="source">As for <see cref="Load"/>.</param>
    /// <param name="splits">The splits to load.</param>
    /// <param name="options">Cache, decompression bound and parallelism; null for defaults.</param>
    /// <param name="logger">Receives cache hits and misses and timings; null for none.</param>
    /// <param name="cancellationToken">Stops the load.</param>
    /// <returns>One set per requested split; the caller owns (and disposes) them.</returns>
    /// <exception cref="FileNotFoundException">When the source or a label file is missing.</exception>
    /// <exception cref="DataFormatException">As for <see cref="Load"/>.</exception>
    public static IReadOnlyDictionary<DataSplit, SampleSet> LoadSplits(string source, IEnumerable<DataSplit> splits,
        DataLoadOptions? options = null, ILogger? logger = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(source);
        ArgumentNullException.ThrowIfNull(splits);
        options = DataLoadOptionsValidator.EnsureValid(options);
        logger ??= NullLogger.Instance;
        DataSplit[] wanted = splits.Distinct().ToArray();
        if (wanted.Length == 0) throw new ArgumentException("Name at least one split.", nameof(splits));
        TorchRuntime.EnsureInitialized();

        (string path, bool isArchive) = ResolveSource(source);
        DecodedSetCache? cache = options.UseCache ? new DecodedSetCache(options.ResolveCacheDirectory(), logger) : null;
        var result = new Dictionary<DataSplit, SampleSet>();
        try
        {
            if (isArchive)
            {
                LoadFromArchive(path, wanted, options, cache, logger, result, cancellationToken);
            }
            else
            {
                foreach (DataSplit split in wanted)
                {
                    result[split] = LoadFromFolder(path, split, options, cache, logger, cancellationToken);
                }
            }

            return result;
        }
        catch
        {
            foreach (SampleSet set in result.Values) set.Dispose();
            throw;
        }
    }

    /// <summary>Finds the folder holding the label files: <paramref name="folder"/> itself or its <c>mnist_m</c> child.</summary>
    /// <param name="folder">A folder.</param>
    /// <returns>The release folder, or null.</returns>
    internal static string? FindReleaseFolder(string folder)
    {
        foreach (string candidate in new[] { folder, Path.Combine(folder, ReleaseFolderName) })
        {
            if (File.Exists(Path.Combine(candidate, LabelFileName(DataSplit.Train))) ||
                File.Exists(Path.Combine(candidate, LabelFileName(DataSplit.Test))))
            {
                return candidate;
            }
        }

        return null;
    }

    private static (string Path, bool IsArchive) ResolveSource(string source)
    {
        string full = System.IO.Path.GetFullPath(source);
        if (File.Exists(full)) return (full, true);
        if (Directory.Exists(full))
        {
            string? release = FindReleaseFolder(full);
            if (release is not null) return (release, false);
            string archive = System.IO.Path.Combine(full, ArchiveFileName);
            if (File.Exists(archive)) return (archive, true);
        }

        throw new FileNotFoundException(
            $"MNIST-M was not found at '{full}'. Give the archive '{ArchiveFileName}' (the authors' release), the extracted " +
            $"'{ReleaseFolderName}' folder holding '{LabelFileName(DataSplit.Train)}', '{LabelFileName(DataSplit.Test)}', " +
            $"'{ImageFolderName(DataSplit.Train)}/' and '{ImageFolderName(DataSplit.Test)}/', or a folder containing either.", full);
    }

    private static string SetName(DataSplit split) => split == DataSplit.Train ? "MNIST-M train" : "MNIST-M test";

    private static string EntryName(string sourcePath, DataSplit split) =>
        $"mnist_m-{(split == DataSplit.Train ? "train" : "test")}-{Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(sourcePath)))[..16]}";

    private static void LoadFromArchive(string archivePath, DataSplit[] wanted, DataLoadOptions options, DecodedSetCache? cache,
        ILogger logger, Dictionary<DataSplit, SampleSet> result, CancellationToken cancellationToken)
    {
        var keys = new Dictionary<DataSplit, byte[]>();
        if (cache is not null)
        {
            string checksum = FileChecksum(archivePath, cancellationToken);
            foreach (DataSplit split in wanted)
            {
                keys[split] = DecodedSetCache.Key(DecoderVersion, split.ToString(), "archive-sha256:" + checksum);
                SampleSet? cached = cache.TryLoad(EntryName(archivePath, split), keys[split], SetName(split));
                if (cached is not null) result[split] = cached;
            }
        }

        DataSplit[] missing = wanted.Where(s => !result.ContainsKey(s)).ToArray();
        if (missing.Length == 0) return;

        var watch = Stopwatch.StartNew();
        Dictionary<DataSplit, SampleSet> decoded = ReadAndDecodeArchive(archivePath, missing, options, cancellationToken);
        foreach (DataSplit split in missing)
        {
            SampleSet set = decoded[split];
            result[split] = set;
            DataLog.Decoded(logger, set.Name, set.Count, set.Shape.ToString(), archivePath, watch.ElapsedMilliseconds);
            if (cache is not null) cache.Store(EntryName(archivePath, split), keys[split], set);
        }
    }

    private static Dictionary<DataSplit, SampleSet> ReadAndDecodeArchive(string archivePath, DataSplit[] splits,
        DataLoadOptions options, CancellationToken cancellationToken)
    {
        var imageFolders = splits.ToDictionary(ImageFolderName, s => s, StringComparer.Ordinal);
        var labelFiles = splits.ToDictionary(LabelFileName, s => s, StringComparer.Ordinal);
        var labels = new Dictionary<DataSplit, (string Prefix, string EntryName, List<MnistMLabelEntry> Entries, HashSet<string> Pending)>();

        // The gzip stream is read on this thread while worker threads decode the PNGs already read; the reader keeps
        // one core busy, so one worker fewer than the allowed parallelism (measured: 2 workers on 2 cores double the
        // CPU time through contention and are slower).
        using var decoder = new PipelinedDecoder(Math.Max(1, options.MaxDegreeOfParallelism - 1), ImageBytes,
            (name, bytes, destination) => PngDecoder.DecodePlanar(bytes, archivePath + "!" + name, options.VerifyPngChecksums,
                ImageSize, ImageSize, ImageChannels, destination, SizeRequirement), cancellationToken);
        TarArchive.ReadFilesPooled(archivePath, IsWanted, options.MaxDecompressedBytes, (name, buffer, length) =>
        {
            (string folder, string fileName) = Split(name);
            if (labelFiles.TryGetValue(fileName, out DataSplit labelSplit))
            {
                try
                {
                    if (!labels.ContainsKey(labelSplit))
                    {
                        string prefix = folder.Length == 0 ? ImageFolderName(labelSplit) + "/" : folder + "/" + ImageFolderName(labelSplit) + "/";
                        List<MnistMLabelEntry> entries = MnistMLabelFile.Parse(buffer.AsSpan(0, length), archivePath + "!" + name, ClassCount);
                        var pending = new HashSet<string>(entries.Select(e => prefix + e.FileName).Where(n => !decoder.Contains(n)), StringComparer.Ordinal);
                        labels[labelSplit] = (prefix, name, entries, pending);
                    }
                }
                finally
                {
                    ArrayPool<byte>.Shared.Return(buffer);
                }
            }
            else if (!decoder.Contains(name))
            {
                decoder.Post(name, buffer, length);
                DataSplit imageSplit = imageFolders[LastSegment(folder)];
                if (labels.TryGetValue(imageSplit, out var known)) known.Pending.Remove(name);
            }
            else
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }

            // The release stores each label file after its images: stop as soon as everything asked for is in hand.
            return !(labels.Count == splits.Length && labels.Values.All(l => l.Pending.Count == 0));
        }, cancellationToken);

        decoder.Complete();
        var result = new Dictionary<DataSplit, SampleSet>();
        try
        {
            foreach (DataSplit split in splits)
            {
                if (!labels.TryGetValue(split, out var l))
                {
                    throw new DataFormatException(archivePath,
                        $"the archive has no '{LabelFileName(split)}' entry (expected '{ReleaseFolderName}/{LabelFileName(split)}'); is it the authors' {ArchiveFileName}?");
                }

                if (l.Pending.Count > 0)
                {
                    List<MnistMLabelEntry> absent = l.Entries.Where(e => l.Pending.Contains(l.Prefix + e.FileName)).ToList();
                    throw new DataFormatException(archivePath + "!" + l.EntryName,
                        $"lists {absent.Count:N0} image(s) that are not in the archive under '{l.Prefix}', first '{absent[0].FileName}' (line {absent[0].LineNumber}); the archive is incomplete — download it again.");
                }

                result[split] = ToSampleSet(SetName(split), l.Entries, pixels =>
                {
                    for (int i = 0; i < l.Entries.Count; i++)
                    {
                        decoder.CopyTo(l.Prefix + l.Entries[i].FileName, pixels.Slice(i * ImageBytes, ImageBytes));
                    }
                });
            }

            return result;
        }
        catch
        {
            foreach (SampleSet set in result.Values) set.Dispose();
            throw;
        }

        bool IsWanted(string name)
        {
            (string folder, string fileName) = Split(name);
            return labelFiles.ContainsKey(fileName) || imageFolders.ContainsKey(LastSegment(folder));
        }
    }

    private static SampleSet LoadFromFolder(string root, DataSplit split, DataLoadOptions options, DecodedSetCache? cache,
        ILogger logger, CancellationToken cancellationToken)
    {
        string labelPath = System.IO.Path.Combine(root, LabelFileName(split));
        string imageFolder = System.IO.Path.Combine(root, ImageFolderName(split));
        if (!File.Exists(labelPath))
        {
            throw new FileNotFoundException(
                $"The MNIST-M label file '{labelPath}' does not exist. The extracted release holds '{LabelFileName(split)}' next to the folder '{ImageFolderName(split)}/'.", labelPath);
        }

        byte[] labelBytes = File.ReadAllBytes(labelPath);
        List<MnistMLabelEntry> entries = MnistMLabelFile.Parse(labelBytes, labelPath, ClassCount);
        string[] paths = entries.Select(e => System.IO.Path.Combine(imageFolder, e.FileName)).ToArray();

        using var key = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        key.AppendData(Encoding.UTF8.GetBytes(DecoderVersion + "\n" + split + "\n"));
        key.AppendData(labelBytes);
        Span<byte> stat = stackalloc byte[16];
        for (int i = 0; i < paths.Length; i++)
        {
            var info = new FileInfo(paths[i]);
            if (!info.Exists)
            {
                int absent = paths.Count(p => !File.Exists(p));
                throw new DataFormatException(labelPath,
                    $"line {entries[i].LineNumber} lists '{entries[i].FileName}', but '{paths[i]}' does not exist ({absent:N0} of {paths.Length:N0} listed images are missing). Extract the archive completely.");
            }

            BitConverter.TryWriteBytes(stat, info.Length);
            BitConverter.TryWriteBytes(stat[8..], info.LastWriteTimeUtc.Ticks);
            key.AppendData(Encoding.UTF8.GetBytes(entries[i].FileName));
            key.AppendData(stat);
        }

        byte[] sourceKey = key.GetHashAndReset();
        string entryName = EntryName(root, split);
        SampleSet? cached = cache?.TryLoad(entryName, sourceKey, SetName(split));
        if (cached is not null) return cached;

        var watch = Stopwatch.StartNew();
        SampleSet set = Decode(SetName(split), entries, i => ReadImageFile(paths[i]), i => paths[i], options, cancellationToken);
        DataLog.Decoded(logger, set.Name, set.Count, set.Shape.ToString(), root, watch.ElapsedMilliseconds);
        cache?.Store(entryName, sourceKey, set);
        return set;
    }

    private static byte[] ReadImageFile(string path)
    {
        try
        {
            return File.ReadAllBytes(path);
        }
        catch (FileNotFoundException ex)
        {
            throw new DataFormatException(path, "the listed image disappeared while loading.", ex);
        }
    }

    private static SampleSet Decode(string name, List<MnistMLabelEntry> entries, Func<int, byte[]> bytesOf, Func<int, string> nameOf,
        DataLoadOptions options, CancellationToken cancellationToken)
    {
        var pixels = new byte[(long)entries.Count * ImageBytes];
        ParallelDecoding.Run(entries.Count, options.MaxDegreeOfParallelism, cancellationToken,
            i => PngDecoder.DecodePlanar(bytesOf(i), nameOf(i), options.VerifyPngChecksums, ImageSize, ImageSize, ImageChannels,
                pixels.AsSpan(i * ImageBytes, ImageBytes), SizeRequirement));
        return ToSampleSet(name, entries, destination => pixels.AsSpan().CopyTo(destination));
    }

    private delegate void FillPixels(Span<byte> destination);

    private static SampleSet ToSampleSet(string name, List<MnistMLabelEntry> entries, FillPixels fill)
    {
        Tensor images = empty([entries.Count, ImageChannels, ImageSize, ImageSize], ScalarType.Byte);
        try
        {
            fill(images.bytes);
            Tensor labels = tensor(entries.Select(e => (long)e.Label).ToArray(), ScalarType.Int64);
            return new SampleSet(name, images, labels, ClassCount);
        }
        catch
        {
            images.Dispose();
            throw;
        }
    }

    private static string FileChecksum(string path, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        using FileStream file = CompressedFile.OpenExisting(path);
        return Convert.ToHexStringLower(SHA256.HashData(file));
    }

    private static (string Folder, string FileName) Split(string name)
    {
        int slash = name.LastIndexOf('/');
        return slash < 0 ? (string.Empty, name) : (name[..slash], name[(slash + 1)..]);
    }

    private static string LastSegment(string folder)
    {
        int slash = folder.LastIndexOf('/');
        return slash < 0 ? folder : folder[(slash + 1)..];
    }
}
