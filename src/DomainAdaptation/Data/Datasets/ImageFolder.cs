using DomainAdaptation.Data.Formats;
using DomainAdaptation.Data.Transforms;
using DomainAdaptation.Runtime;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using TorchSharp;
using static TorchSharp.torch;

namespace DomainAdaptation.Data.Datasets;

/// <summary>
/// Reads a user's images: labelled as <c>root/&lt;class&gt;/&lt;image&gt;</c> (<see cref="Load"/>: one sub-folder per
/// class, the class index being the folder's position in ordinal, culture-independent, name order; images in each
/// folder in ordinal file-name order), or unlabelled as a flat folder of images (<see cref="LoadUnlabelled"/>, e.g. a
/// target domain nobody has labelled). A <c>path,label</c> list is <see cref="ImageList"/>. PNG is decoded by the
/// library's managed <see cref="PngDecoder"/>; JPEG, BMP, GIF and WebP by SkiaSharp, whose native library the
/// application must provide (see docs/data-formats.md).
/// </summary>
/// <remarks>
/// Images of other channel counts than <see cref="ImageFolderOptions.Channels"/> are converted (grey repeated into RGB,
/// RGB to grey by BT.601 luma, alpha dropped) and images of other sizes resized (bilinear) to
/// <see cref="ImageFolderOptions.Height"/> × <see cref="ImageFolderOptions.Width"/>, or, when no size is set, to the
/// most common size among the images; <see cref="ImageFolderDataset.Conversions"/> counts what was converted, and the
/// logger says it once per load. With <see cref="ImageFolderOptions.SkipBadImages"/>, files that cannot be read or
/// decoded are left out and listed in <see cref="ImageFolderDataset.Skipped"/> instead of failing the load.
/// </remarks>
public static class ImageFolder
{
    /// <summary>Reads a folder of class sub-folders.</summary>
    /// <param name="root">The folder holding one sub-folder per class.</param>
    /// <param name="options">Channels, size, extensions and bad-image handling; null for defaults (RGB, the most common size).</param>
    /// <param name="loadOptions">Decoding parallelism and PNG checksum verification; null for defaults.</param>
    /// <param name="logger">Receives the one-line summary of conversions and skipped files; null for none.</param>
    /// <param name="cancellationToken">Stops the load.</param>
    /// <returns>The images, labels, class names and files.</returns>
    /// <exception cref="DirectoryNotFoundException">When the root does not exist.</exception>
    /// <exception cref="DataFormatException">For no class folders, an empty class folder, or an unreadable image (unless skipped).</exception>
    /// <exception cref="InvalidOperationException">When a non-PNG image needs SkiaSharp's native library and it is missing.</exception>
    /// <exception cref="OptionsValidationException">When the options are invalid.</exception>
    public static ImageFolderDataset Load(string root, ImageFolderOptions? options = null, DataLoadOptions? loadOptions = null,
        ILogger? logger = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(root);
        options = Validate(options);
        string full = Path.GetFullPath(root);
        if (!Directory.Exists(full)) throw new DirectoryNotFoundException($"The image folder '{full}' does not exist.");
        string[] classes = Directory.GetDirectories(full).Select(Path.GetFileName).OfType<string>().Order(StringComparer.Ordinal).ToArray();
        if (classes.Length == 0)
        {
            throw new DataFormatException(full, "has no class sub-folders. Lay the images out as <root>/<class name>/<image>, one sub-folder per class (or read a flat folder of unlabelled images with ImageFolder.LoadUnlabelled).");
        }

        var files = new List<string>();
        var labels = new List<long>();
        for (int c = 0; c < classes.Length; c++)
        {
            string folder = Path.Combine(full, classes[c]);
            string[] images = ImagesIn(folder, options);
            if (images.Length == 0)
            {
                throw new DataFormatException(folder, $"(class '{classes[c]}') holds no images with the extensions {string.Join(", ", options.Extensions)}. Remove the folder or add its images.");
            }

            files.AddRange(images);
            labels.AddRange(Enumerable.Repeat((long)c, images.Length));
        }

        return Read(Path.GetFileName(full), files, labels, classes, options, loadOptions, logger, cancellationToken);
    }

    /// <summary>Reads a flat folder of unlabelled images (sub-folders are not read), in ordinal file-name order.</summary>
    /// <param name="root">The folder holding the images.</param>
    /// <param name="options">Channels, size, extensions and bad-image handling; null for defaults.</param>
    /// <param name="loadOptions">Decoding parallelism and PNG checksum verification; null for defaults.</param>
    /// <param name="logger">Receives the one-line summary of conversions and skipped files; null for none.</param>
    /// <param name="cancellationToken">Stops the load.</param>
    /// <returns>The images without labels (<see cref="SampleSet.Labels"/> null, no class names) and their files.</returns>
    /// <exception cref="DirectoryNotFoundException">When the root does not exist.</exception>
    /// <exception cref="DataFormatException">When the folder holds no images, or for an unreadable image (unless skipped).</exception>
    /// <exception cref="InvalidOperationException">When a non-PNG image needs SkiaSharp's native library and it is missing.</exception>
    /// <exception cref="OptionsValidationException">When the options are invalid.</exception>
    public static ImageFolderDataset LoadUnlabelled(string root, ImageFolderOptions? options = null, DataLoadOptions? loadOptions = null,
        ILogger? logger = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(root);
        options = Validate(options);
        string full = Path.GetFullPath(root);
        if (!Directory.Exists(full)) throw new DirectoryNotFoundException($"The image folder '{full}' does not exist.");
        string[] images = ImagesIn(full, options);
        if (images.Length == 0)
        {
            throw new DataFormatException(full, $"holds no images with the extensions {string.Join(", ", options.Extensions)} (sub-folders are not read for an unlabelled folder).");
        }

        return Read(Path.GetFileName(full), images, labels: null, [], options, loadOptions, logger, cancellationToken);
    }

    /// <summary>Whether a folder is a flat folder of images: image files and no sub-folders (hidden entries aside).</summary>
    /// <param name="folder">The folder.</param>
    /// <param name="options">The extensions that count as images; null for the defaults.</param>
    /// <returns>True when the folder exists, holds at least one image and no sub-folder.</returns>
    public static bool IsFlatImageFolder(string folder, ImageFolderOptions? options = null)
    {
        options ??= new ImageFolderOptions();
        return Directory.Exists(folder) &&
               !Directory.GetDirectories(folder).Any(d => !Path.GetFileName(d).StartsWith('.')) &&
               ImagesIn(folder, options).Length > 0;
    }

    internal static ImageFolderOptions Validate(ImageFolderOptions? options)
    {
        options ??= new ImageFolderOptions();
        ValidateOptionsResult validation = ImageFolderOptionsValidator.Instance.Validate(null, options);
        if (validation.Failed) throw new OptionsValidationException(nameof(ImageFolderOptions), typeof(ImageFolderOptions), validation.Failures);
        return options;
    }

    private static string[] ImagesIn(string folder, ImageFolderOptions options)
    {
        var extensions = new HashSet<string>(options.Extensions, StringComparer.OrdinalIgnoreCase);
        return Directory.GetFiles(folder).Where(f => extensions.Contains(Path.GetExtension(f)) && !Path.GetFileName(f).StartsWith('.'))
            .Order(StringComparer.Ordinal).ToArray();
    }

    /// <summary>Decodes the files (in parallel), leaves out bad ones when asked, converts and assembles the set.</summary>
    internal static ImageFolderDataset Read(string name, IReadOnlyList<string> files, IReadOnlyList<long>? labels, IReadOnlyList<string> classes,
        ImageFolderOptions options, DataLoadOptions? loadOptions, ILogger? logger, CancellationToken cancellationToken)
    {
        loadOptions = DataLoadOptionsValidator.EnsureValid(loadOptions);
        logger ??= NullLogger.Instance;
        TorchRuntime.EnsureInitialized();

        // In memory: decode every file now. Streamed: read only each file's header now (size, channels, that it is an
        // image) and decode it whenever a batch needs it.
        var decoded = new DecodedImage?[files.Count];
        var probed = new (int Width, int Height, int Channels)?[files.Count];
        var failures = new DataFormatException?[files.Count];
        ParallelDecoding.Run(files.Count, loadOptions.MaxDegreeOfParallelism, cancellationToken, i =>
        {
            try
            {
                if (options.Stream)
                {
                    probed[i] = ProbeFile(files[i], loadOptions.VerifyPngChecksums, options.MaxPixelsPerImage);
                }
                else
                {
                    DecodedImage image = DecodeFile(files[i], loadOptions.VerifyPngChecksums, options.MaxPixelsPerImage);
                    decoded[i] = image;
                    probed[i] = (image.Width, image.Height, image.Channels);
                }
            }
            catch (DataFormatException ex) when (options.SkipBadImages)
            {
                failures[i] = ex;
            }
        });

        var skipped = new List<SkippedImage>();
        var keptFiles = new List<string>(files.Count);
        var keptLabels = labels is null ? null : new List<long>(files.Count);
        var keptImages = new List<DecodedImage>(files.Count);
        var keptInfo = new List<(int Width, int Height, int Channels)>(files.Count);
        for (int i = 0; i < files.Count; i++)
        {
            if (probed[i] is { } info)
            {
                if (decoded[i] is { } image) keptImages.Add(image);
                keptInfo.Add(info);
                keptFiles.Add(files[i]);
                keptLabels?.Add(labels![i]);
            }
            else
            {
                skipped.Add(new SkippedImage(files[i], failures[i]!.Reason));
            }
        }

        if (skipped.Count > 0)
        {
            DatasetLog.SkippedImages(logger, name, skipped.Count, files.Count, string.Join("; ", skipped.Take(5).Select(s => $"{s.Path}: {s.Reason}")) + (skipped.Count > 5 ? $"; … ({skipped.Count - 5} more)" : ""));
        }

        if (keptInfo.Count == 0) throw new DataFormatException(name, $"every one of its {files.Count} images was skipped as unreadable (first: {skipped[0].Path}: {skipped[0].Reason}).");
        if (keptLabels is not null)
        {
            for (int c = 0; c < classes.Count; c++)
            {
                if (!keptLabels.Contains(c))
                {
                    throw new DataFormatException(name, $"every image of class '{classes[c]}' was skipped as unreadable; the class would have no images. Fix or remove them (the skipped files are listed in the log).");
                }
            }
        }

        ImageConversions conversions = Conversions(keptInfo, keptFiles, options);
        if (conversions.Any)
        {
            DatasetLog.Converted(logger, name, conversions.Describe(options.Channels));
        }

        Tensor? labelTensor = keptLabels is null ? null : tensor(keptLabels.ToArray(), ScalarType.Int64);
        if (options.Stream)
        {
            var streamed = new StreamedImageFiles(name, keptFiles, options.Channels, conversions.Height, conversions.Width,
                loadOptions.VerifyPngChecksums, options.MaxPixelsPerImage, loadOptions.MaxDegreeOfParallelism);
            return new ImageFolderDataset(new SampleSet(name, streamed, labelTensor, classes.Count), classes, keptFiles, skipped, conversions);
        }

        Tensor samples = Assemble(keptImages, options.Channels, conversions.Height, conversions.Width);
        try
        {
            var set = new SampleSet(name, samples, labelTensor, classes.Count);
            return new ImageFolderDataset(set, classes, keptFiles, skipped, conversions);
        }
        catch
        {
            samples.Dispose();
            labelTensor?.Dispose();
            throw;
        }
    }

    /// <summary>Reads and decodes one image file; every failure is a <see cref="DataFormatException"/> naming the file.</summary>
    internal static DecodedImage DecodeFile(string path, bool verifyChecksums, long maxPixels)
    {
        byte[] bytes = ReadFile(path);
        return PngDecoder.IsPng(bytes)
            ? PngDecoder.Decode(bytes, path, verifyChecksums, maxPixels)
            : SkiaImageDecoder.Decode(bytes, path, maxPixels);
    }

    /// <summary>Reads one image file's size and channels from its header (PNG: the whole chunk layout; others: the codec's header).</summary>
    private static (int Width, int Height, int Channels) ProbeFile(string path, bool verifyChecksums, long maxPixels)
    {
        byte[] bytes = ReadFile(path);
        return PngDecoder.IsPng(bytes)
            ? PngDecoder.Probe(bytes, path, verifyChecksums, maxPixels)
            : SkiaImageDecoder.Probe(bytes, path, maxPixels);
    }

    private static byte[] ReadFile(string path)
    {
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new DataFormatException(path, "could not be read: " + ex.Message, ex);
        }

        if (bytes.Length == 0) throw new DataFormatException(path, "is empty (0 bytes); it is not an image.");
        return bytes;
    }

    private static ImageConversions Conversions(List<(int Width, int Height, int Channels)> images, List<string> files, ImageFolderOptions options)
    {
        int channels = options.Channels;
        (int width, int height) = options.Height is { } h0
            ? (options.Width!.Value, h0)
            : images.GroupBy(im => (im.Width, im.Height)).OrderByDescending(g => g.Count()).First().Key; // most common; ties: the first seen
        int greyToRgb = channels == 3 ? images.Count(im => im.Channels <= 2) : 0;
        int rgbToGrey = channels == 1 ? images.Count(im => im.Channels >= 3) : 0;
        int alpha = images.Count(im => im.Channels is 2 or 4);
        var sizes = images.Where(im => im.Width != width || im.Height != height).Select(im => (im.Width, im.Height)).ToList();
        return new ImageConversions(greyToRgb, rgbToGrey, alpha, sizes.Count, sizes.Distinct().Count(), height, width,
            sizes.Count > 0 ? files[images.FindIndex(im => im.Width != width || im.Height != height)] : null);
    }

    private static Tensor Assemble(List<DecodedImage> images, int channels, int height, int width)
    {
        Tensor result = empty([images.Count, channels, height, width], ScalarType.Byte);
        try
        {
            // Group images by size: each group is planarised into one tensor and resized in one call.
            foreach (IGrouping<(int W, int H), int> group in Enumerable.Range(0, images.Count).GroupBy(i => (images[i].Width, images[i].Height)))
            {
                int[] indices = group.ToArray();
                (int w, int h) = group.Key;
                var planar = new byte[(long)indices.Length * channels * w * h];
                for (int k = 0; k < indices.Length; k++)
                {
                    images[indices[k]].CopyToPlanar(planar.AsSpan(k * channels * w * h, channels * w * h), channels);
                }

                using DisposeScope scope = NewDisposeScope();
                Tensor groupTensor = empty([indices.Length, channels, h, w], ScalarType.Byte);
                planar.AsSpan().CopyTo(groupTensor.bytes);
                using var groupSet = new SampleSet("group", groupTensor, null, 0);
                using SampleSet resized = (w == width && h == height) ? groupSet.WithoutLabels() : new Resize(height, width).Apply(groupSet);
                result.index_copy_(0, tensor(indices.Select(i => (long)i).ToArray(), ScalarType.Int64), resized.Samples);
            }

            return result;
        }
        catch
        {
            result.Dispose();
            throw;
        }
    }
}
