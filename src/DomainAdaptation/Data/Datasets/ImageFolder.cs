using DomainAdaptation.Data.Formats;
using DomainAdaptation.Data.Transforms;
using DomainAdaptation.Runtime;
using Microsoft.Extensions.Options;
using TorchSharp;
using static TorchSharp.torch;

namespace DomainAdaptation.Data.Datasets;

/// <summary>
/// Reads a user's labelled images laid out as <c>root/&lt;class&gt;/&lt;image&gt;</c>: one sub-folder per class, the
/// class index being the folder's position in ordinal (culture-independent) name order; images in each folder in
/// ordinal file-name order. PNG is decoded by the library's managed <see cref="PngDecoder"/>; JPEG, BMP, GIF and
/// WebP by SkiaSharp, whose native library the application must provide (see docs/data-formats.md).
/// </summary>
public static class ImageFolder
{
    /// <summary>Reads the folder.</summary>
    /// <param name="root">The folder holding one sub-folder per class.</param>
    /// <param name="options">Channels, target size and extensions; null for defaults (RGB, all images one size).</param>
    /// <param name="loadOptions">Decoding parallelism and PNG checksum verification; null for defaults.</param>
    /// <param name="cancellationToken">Stops the load.</param>
    /// <returns>The images, labels, class names and files.</returns>
    /// <exception cref="DirectoryNotFoundException">When the root does not exist.</exception>
    /// <exception cref="DataFormatException">For no class folders, an empty class folder, an unreadable image or, without a target size, images of different sizes.</exception>
    /// <exception cref="InvalidOperationException">When a non-PNG image needs SkiaSharp's native library and it is missing.</exception>
    /// <exception cref="OptionsValidationException">When the options are invalid.</exception>
    public static ImageFolderDataset Load(string root, ImageFolderOptions? options = null, DataLoadOptions? loadOptions = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(root);
        options ??= new ImageFolderOptions();
        ValidateOptionsResult validation = ImageFolderOptionsValidator.Instance.Validate(null, options);
        if (validation.Failed) throw new OptionsValidationException(nameof(ImageFolderOptions), typeof(ImageFolderOptions), validation.Failures);
        loadOptions = DataLoadOptionsValidator.EnsureValid(loadOptions);
        TorchRuntime.EnsureInitialized();

        string full = Path.GetFullPath(root);
        if (!Directory.Exists(full)) throw new DirectoryNotFoundException($"The image folder '{full}' does not exist.");
        string[] classes = Directory.GetDirectories(full).Select(Path.GetFileName).OfType<string>().Order(StringComparer.Ordinal).ToArray();
        if (classes.Length == 0)
        {
            throw new DataFormatException(full, "has no class sub-folders. Lay the images out as <root>/<class name>/<image>, one sub-folder per class.");
        }

        var extensions = new HashSet<string>(options.Extensions, StringComparer.OrdinalIgnoreCase);
        var files = new List<string>();
        var labels = new List<long>();
        for (int c = 0; c < classes.Length; c++)
        {
            string folder = Path.Combine(full, classes[c]);
            string[] images = Directory.GetFiles(folder).Where(f => extensions.Contains(Path.GetExtension(f))).Order(StringComparer.Ordinal).ToArray();
            if (images.Length == 0)
            {
                throw new DataFormatException(folder, $"(class '{classes[c]}') holds no images with the extensions {string.Join(", ", options.Extensions)}. Remove the folder or add its images.");
            }

            files.AddRange(images);
            labels.AddRange(Enumerable.Repeat((long)c, images.Length));
        }

        var decoded = new DecodedImage[files.Count];
        ParallelDecoding.Run(files.Count, loadOptions.MaxDegreeOfParallelism, cancellationToken,
            i => decoded[i] = DecodeFile(files[i], loadOptions.VerifyPngChecksums, options.MaxPixelsPerImage));

        Tensor samples = Assemble(decoded, files, options);
        try
        {
            var set = new SampleSet(Path.GetFileName(full), samples, tensor(labels.ToArray(), ScalarType.Int64), classes.Length);
            return new ImageFolderDataset(set, classes, files);
        }
        catch
        {
            samples.Dispose();
            throw;
        }
    }

    private static DecodedImage DecodeFile(string path, bool verifyChecksums, long maxPixels)
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
        return PngDecoder.IsPng(bytes)
            ? PngDecoder.Decode(bytes, path, verifyChecksums, maxPixels)
            : SkiaImageDecoder.Decode(bytes, path, maxPixels);
    }

    private static Tensor Assemble(DecodedImage[] images, List<string> files, ImageFolderOptions options)
    {
        int channels = options.Channels;
        int height = options.Height ?? images[0].Height;
        int width = options.Width ?? images[0].Width;
        if (options.Height is null)
        {
            int odd = Array.FindIndex(images, im => im.Width != width || im.Height != height);
            if (odd >= 0)
            {
                throw new DataFormatException(files[odd],
                    $"is {images[odd].Width}×{images[odd].Height}, but '{files[0]}' is {width}×{height}; all images must have one size, or set ImageFolderOptions.Height and Width to resize them.");
            }
        }

        Tensor result = empty([images.Length, channels, height, width], ScalarType.Byte);
        try
        {
            // Group images by size: each group is planarised into one tensor and resized in one call.
            foreach (IGrouping<(int W, int H), int> group in Enumerable.Range(0, images.Length).GroupBy(i => (images[i].Width, images[i].Height)))
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
