using System.Buffers;
using System.Diagnostics;
using DomainAdaptation.Data.Formats;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace DomainAdaptation.Data.Generation;

/// <summary>
/// Loads the BSDS500 train images (Arbelaez et al., TPAMI 2011), the backgrounds MNIST-M is blended from:
/// from a folder of JPEGs or straight from the original <c>BSR_bsds500.tgz</c> (streamed, nothing extracted to disk).
/// Images are returned sorted by name (ordinal), so that a seeded generator picks the same backgrounds everywhere.
/// </summary>
public static class Bsds500Images
{
    /// <summary>The folder of the train images inside <c>BSR_bsds500.tgz</c>.</summary>
    public const string ArchiveTrainFolder = "BSR/BSDS500/data/images/train/";

    /// <summary>The largest image accepted, in pixels (BSDS500's are 481×321).</summary>
    private const long MaxPixels = 1L << 26;

    /// <summary>Decodes one JPEG through the library's SkiaSharp decoder into a named RGB image; this API's errors are InvalidDataException.</summary>
    private static DecodedImage Decode(string source, string name, byte[] encoded)
    {
        try
        {
            return SkiaImageDecoder.Decode(encoded, source, MaxPixels).ToRgb(name);
        }
        catch (DataFormatException ex)
        {
            throw new InvalidDataException(ex.Message, ex);
        }
    }

    /// <summary>Loads from a folder of JPEGs or from a <c>.tgz</c>/<c>.tar.gz</c> archive, whichever <paramref name="path"/> is.</summary>
    /// <param name="path">A folder holding <c>*.jpg</c> files (e.g. <c>bsds500/train</c>), or <c>BSR_bsds500.tgz</c>.</param>
    /// <param name="logger">Receives one line per load; null for none.</param>
    /// <param name="cancellationToken">Stops between images.</param>
    /// <returns>The decoded RGB images (3 channels, named by their files), sorted by name.</returns>
    /// <exception cref="FileNotFoundException">When <paramref name="path"/> is neither a folder nor a file.</exception>
    /// <exception cref="InvalidDataException">When there is no image, an image is corrupt, or the archive is unsafe.</exception>
    /// <exception cref="SkiaSharpUnavailableException">When SkiaSharp's native library is missing.</exception>
    public static BackgroundImages Load(string path, ILogger? logger = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        if (Directory.Exists(path)) return LoadFolder(path, logger, cancellationToken);
        if (File.Exists(path)) return LoadArchive(path, ArchiveTrainFolder, ArchiveLimits.Default, logger, cancellationToken);
        throw new FileNotFoundException(
            $"BSDS500 images were not found at '{Path.GetFullPath(path)}': expected a folder of the 200 train JPEGs (BSR/BSDS500/data/images/train) or the archive BSR_bsds500.tgz.",
            path);
    }

    /// <summary>Loads every <c>*.jpg</c>/<c>*.jpeg</c> file directly inside a folder.</summary>
    /// <param name="folder">The folder.</param>
    /// <param name="logger">Receives one line per load; null for none.</param>
    /// <param name="cancellationToken">Stops between images.</param>
    /// <returns>The decoded images, sorted by file name (ordinal).</returns>
    /// <exception cref="DirectoryNotFoundException">When the folder does not exist.</exception>
    /// <exception cref="InvalidDataException">When it holds no JPEG or one cannot be decoded.</exception>
    /// <exception cref="SkiaSharpUnavailableException">When SkiaSharp's native library is missing.</exception>
    public static BackgroundImages LoadFolder(string folder, ILogger? logger = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(folder);
        if (!Directory.Exists(folder))
        {
            throw new DirectoryNotFoundException($"The BSDS500 image folder '{Path.GetFullPath(folder)}' does not exist.");
        }

        var clock = Stopwatch.StartNew();
        string[] files = Directory.EnumerateFiles(folder)
            .Where(IsJpegName)
            .OrderBy(f => Path.GetFileName(f), StringComparer.Ordinal)
            .ToArray();
        if (files.Length == 0)
        {
            throw new InvalidDataException($"The BSDS500 image folder '{Path.GetFullPath(folder)}' holds no *.jpg file.");
        }

        var images = new DecodedImage[files.Length];
        for (int i = 0; i < files.Length; i++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            images[i] = Decode(files[i], Path.GetFileName(files[i]), File.ReadAllBytes(files[i]));
        }

        GenerationLog.BackgroundsLoaded(logger ?? NullLogger.Instance, images.Length, Path.GetFullPath(folder), clock.ElapsedMilliseconds);
        return new BackgroundImages(images);
    }

    /// <summary>
    /// Loads the given JPEG files, e.g. the paths that <c>DataSetResolver.ResolveAllAsync(KnownDataFiles.Bsds500Train)</c>
    /// returned (which may lie in different folders).
    /// </summary>
    /// <param name="files">The image files.</param>
    /// <param name="logger">Receives one line per load; null for none.</param>
    /// <param name="cancellationToken">Stops between images.</param>
    /// <returns>The decoded images, named by file name and sorted (ordinal).</returns>
    /// <exception cref="ArgumentException">When no file is given or two share a file name.</exception>
    /// <exception cref="FileNotFoundException">When a file does not exist.</exception>
    /// <exception cref="InvalidDataException">When a file cannot be decoded.</exception>
    /// <exception cref="SkiaSharpUnavailableException">When SkiaSharp's native library is missing.</exception>
    public static BackgroundImages LoadFiles(IEnumerable<string> files, ILogger? logger = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(files);
        string[] paths = files.OrderBy(f => Path.GetFileName(f), StringComparer.Ordinal).ToArray();
        if (paths.Length == 0) throw new ArgumentException("No BSDS500 image file was given.", nameof(files));
        string? duplicate = paths.GroupBy(p => Path.GetFileName(p), StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1)?.Key;
        if (duplicate is not null) throw new ArgumentException($"Two BSDS500 image files are named '{duplicate}'; names must be unique.", nameof(files));

        var clock = Stopwatch.StartNew();
        var images = new DecodedImage[paths.Length];
        for (int i = 0; i < paths.Length; i++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (!File.Exists(paths[i])) throw new FileNotFoundException($"The BSDS500 image '{Path.GetFullPath(paths[i])}' does not exist.", paths[i]);
            images[i] = Decode(paths[i], Path.GetFileName(paths[i]), File.ReadAllBytes(paths[i]));
        }

        GenerationLog.BackgroundsLoaded(logger ?? NullLogger.Instance, images.Length, $"{paths.Length} files", clock.ElapsedMilliseconds);
        return new BackgroundImages(images);
    }

    /// <summary>
    /// Loads the JPEGs under <paramref name="entryFolder"/> from a gzip-compressed tar archive, streaming it once.
    /// The archive is untrusted and read through <see cref="TarArchive"/>'s checks: an entry with an absolute path or a
    /// <c>..</c> segment, a link or a device rejects the whole archive, and reading stops when the decompressed data or
    /// one entry grows past <paramref name="limits"/>.
    /// </summary>
    /// <param name="archivePath">The <c>.tgz</c>/<c>.tar.gz</c> file, e.g. <c>BSR_bsds500.tgz</c>.</param>
    /// <param name="entryFolder">The folder inside the archive, with a trailing slash; default <see cref="ArchiveTrainFolder"/>.</param>
    /// <param name="limits">Size bounds; null for <see cref="ArchiveLimits.Default"/>.</param>
    /// <param name="logger">Receives one line per load; null for none.</param>
    /// <param name="cancellationToken">Stops between entries.</param>
    /// <returns>The decoded images, named by file name and sorted (ordinal).</returns>
    /// <exception cref="FileNotFoundException">When the archive does not exist.</exception>
    /// <exception cref="InvalidDataException">When the archive is corrupt, unsafe, too large or has no image in the folder.</exception>
    /// <exception cref="SkiaSharpUnavailableException">When SkiaSharp's native library is missing.</exception>
    public static BackgroundImages LoadArchive(
        string archivePath,
        string entryFolder = ArchiveTrainFolder,
        ArchiveLimits? limits = null,
        ILogger? logger = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(archivePath);
        ArgumentNullException.ThrowIfNull(entryFolder);
        limits ??= ArchiveLimits.Default;
        if (!File.Exists(archivePath))
        {
            throw new FileNotFoundException($"The BSDS500 archive '{Path.GetFullPath(archivePath)}' does not exist.", archivePath);
        }

        string prefix = entryFolder.Replace('\\', '/');
        if (prefix.Length > 0 && !prefix.EndsWith('/')) prefix += "/";

        var clock = Stopwatch.StartNew();
        var images = new List<DecodedImage>();
        try
        {
            TarArchive.ReadFilesPooled(
                archivePath,
                name => name.StartsWith(prefix, StringComparison.Ordinal) && !name.AsSpan(prefix.Length).Contains('/') && IsJpegName(name),
                limits.MaxTotalBytes,
                (name, buffer, length) =>
                {
                    try
                    {
                        images.Add(Decode($"{archivePath}:{name}", name[prefix.Length..], buffer.AsSpan(0, length).ToArray()));
                    }
                    finally
                    {
                        ArrayPool<byte>.Shared.Return(buffer);
                    }

                    return true;
                },
                cancellationToken,
                limits.MaxEntryBytes);
        }
        catch (DataFormatException ex)
        {
            // The archive layer (shared with the data-set loaders) names the file and the fault; this API's contract is InvalidDataException.
            throw new InvalidDataException(ex.Message, ex);
        }

        if (images.Count == 0)
        {
            throw new InvalidDataException($"'{archivePath}' holds no *.jpg entry under '{prefix}' (expected the BSDS500 train images, e.g. {ArchiveTrainFolder}100075.jpg).");
        }

        images.Sort((a, b) => StringComparer.Ordinal.Compare(a.Name, b.Name));
        GenerationLog.BackgroundsLoaded(logger ?? NullLogger.Instance, images.Count, Path.GetFullPath(archivePath) + ":" + prefix, clock.ElapsedMilliseconds);
        return new BackgroundImages(images);
    }

    private static bool IsJpegName(string path) =>
        path.EndsWith(".jpg", StringComparison.OrdinalIgnoreCase) || path.EndsWith(".jpeg", StringComparison.OrdinalIgnoreCase);
}
