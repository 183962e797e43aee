using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using DomainAdaptation.Data.Formats;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using TorchSharp;
using static TorchSharp.torch;

namespace DomainAdaptation.Data.Generation;

/// <summary>
/// Makes MNIST-M (Ganin &amp; Lempitsky, ICML 2015) from MNIST digits and BSDS500 background images, deterministically
/// for a given seed.
/// </summary>
/// <remarks>
/// <para>
/// The recipe of the paper and the reference script, for digit <c>i</c> (uint8 <c>[1, h, h]</c>) and output side
/// <c>S ≥ h</c>, <c>p = (S − h)/2</c>:
/// </para>
/// <list type="number">
/// <item>binarise and scale: <c>d(y, x) = 255</c> where the digit pixel is &gt; 0, else 0; pad by <c>p</c> zeros on each side to <c>S × S</c>; repeat over R, G, B;</item>
/// <item>choose background <c>b</c> uniformly from the list and a patch corner <c>(x₀, y₀)</c> uniformly among all
///   positions where an <c>S × S</c> patch fits (<see cref="Place(long, BackgroundImages)"/>; random stream SplitMix64 keyed by seed and <c>i</c>);</item>
/// <item>output <c>o(c, y, x) = |B_b(c, y₀ + y, x₀ + x) − d(y, x)|</c> as uint8, i.e. the patch where the digit is off and
///   its inverse <c>255 − B</c> where it is on.</item>
/// </list>
/// <para>
/// With the default <c>S = 32</c> this is exactly how the authors' release was made: given the background and patch
/// position, <see cref="Compose"/> reproduces released images bit for bit (checked on released test images; see
/// docs/data-generation.md). The 28×28 digit sits at offset (2, 2); the border is the untouched background. The reference TensorFlow script makes 28×28 images
/// (<c>S = 28</c>), and draws crop positions from an unseeded generator and excludes the last row and column; ours
/// are seeded and include every position.
/// </para>
/// </remarks>
public sealed class MnistMGenerator
{
    private readonly MnistMGeneratorOptions _options;
    private readonly ILogger _logger;

    /// <summary>Creates a generator from configured options.</summary>
    /// <param name="options">The options; validated here.</param>
    /// <param name="logger">The logger; null for none.</param>
    /// <exception cref="OptionsValidationException">When the options are invalid.</exception>
    public MnistMGenerator(IOptions<MnistMGeneratorOptions> options, ILogger<MnistMGenerator>? logger = null)
        : this(options?.Value ?? throw new ArgumentNullException(nameof(options)), (ILogger?)logger)
    {
    }

    /// <summary>Creates a generator.</summary>
    /// <param name="options">The options (copied); validated here.</param>
    /// <param name="logger">The logger; null for none.</param>
    /// <exception cref="OptionsValidationException">When the options are invalid.</exception>
    public MnistMGenerator(MnistMGeneratorOptions options, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ValidateOptionsResult check = new MnistMGeneratorOptionsValidator().Validate(Microsoft.Extensions.Options.Options.DefaultName, options);
        if (check.Failed)
        {
            throw new OptionsValidationException(Microsoft.Extensions.Options.Options.DefaultName, typeof(MnistMGeneratorOptions), check.Failures);
        }

        _options = new MnistMGeneratorOptions
        {
            Seed = options.Seed,
            ImageSize = options.ImageSize,
            MaxDegreeOfParallelism = options.MaxDegreeOfParallelism,
            PngFilter = options.PngFilter,
        };
        _logger = logger ?? NullLogger.Instance;
    }

    /// <summary>The seed of every random choice.</summary>
    public int Seed => _options.Seed;

    /// <summary>The side of the square output images.</summary>
    public int ImageSize => _options.ImageSize;

    /// <summary>The background and patch corner of image <paramref name="index"/>; a pure function of seed, index and the background sizes.</summary>
    /// <param name="index">The image index, 0 or more.</param>
    /// <param name="backgrounds">The background list (order matters; the loaders sort by name).</param>
    /// <returns>The placement.</returns>
    /// <exception cref="ArgumentException">When the list is empty or an image is smaller than <see cref="ImageSize"/>.</exception>
    public MnistMPlacement Place(long index, BackgroundImages backgrounds)
    {
        ArgumentNullException.ThrowIfNull(backgrounds);
        return Place(index, backgrounds.Images);
    }

    internal MnistMPlacement Place(long index, IReadOnlyList<DecodedImage> backgrounds)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        CheckBackgrounds(backgrounds);
        return PlaceCore(index, backgrounds);
    }

    /// <summary>Generates MNIST-M in memory.</summary>
    /// <param name="digits">uint8 digits <c>[N, 1, h, h]</c> (or <c>[N, h, h]</c>), e.g. MNIST; labels, if any, are copied.</param>
    /// <param name="backgrounds">The background images, e.g. from <see cref="Bsds500Images"/>.</param>
    /// <param name="cancellationToken">Stops between images.</param>
    /// <returns>uint8 images <c>[N, 3, S, S]</c> on the CPU with the digits' labels; the caller owns it.</returns>
    /// <exception cref="ArgumentException">When the digits or backgrounds do not fit the recipe.</exception>
    public SampleSet Generate(SampleSet digits, BackgroundImages backgrounds, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(backgrounds);
        return Generate(digits, backgrounds.Images, cancellationToken);
    }

    internal SampleSet Generate(SampleSet digits, IReadOnlyList<DecodedImage> backgrounds, CancellationToken cancellationToken = default)
    {
        (byte[] pixels, int count, int digitSize) = ReadDigits(digits);
        CheckBackgrounds(backgrounds);
        int size = _options.ImageSize;
        int plane = size * size;
        byte[] output = new byte[(long)count * 3 * plane];
        Parallel.For(
            0,
            count,
            ParallelOptionsFor(cancellationToken),
            () => new byte[3 * plane],
            (i, _, hwc) =>
            {
                BlendOne(pixels.AsSpan(i * digitSize * digitSize, digitSize * digitSize), digitSize, backgrounds, i, hwc);
                Span<byte> chw = output.AsSpan((int)((long)i * 3 * plane), 3 * plane);
                for (int p = 0; p < plane; p++)
                {
                    chw[p] = hwc[3 * p];
                    chw[plane + p] = hwc[3 * p + 1];
                    chw[2 * plane + p] = hwc[3 * p + 2];
                }

                return hwc;
            },
            _ => { });

        Tensor images = torch.tensor(output, new long[] { count, 3, size, size }, dtype: ScalarType.Byte, device: torch.CPU);
        Tensor? labels = digits.Labels?.clone();
        return new SampleSet($"MNIST-M generated from {digits.Name} (seed {Seed})", images, labels, digits.ClassCount);
    }

    /// <summary>
    /// Generates MNIST-M and writes it in the layout of the authors' release: <c>&lt;out&gt;/mnist_m_train/00000000.png …</c>
    /// (8-bit RGB PNGs) and <c>&lt;out&gt;/mnist_m_train_labels.txt</c> with one <c>"00000000.png 5"</c> line per image,
    /// plus <c>&lt;out&gt;/mnist_m_train_generator.json</c> recording the recipe, seed and backgrounds.
    /// </summary>
    /// <remarks>
    /// Images are written first, then the record, then the label file; the two text files are written to a temporary
    /// file and renamed, so a label file exists only for a complete split. Existing files of the same names are replaced.
    /// </remarks>
    /// <param name="digits">uint8 digits <c>[N, 1, h, h]</c> with int64 labels <c>[N]</c>.</param>
    /// <param name="backgrounds">The background images, e.g. from <see cref="Bsds500Images"/>.</param>
    /// <param name="outputFolder">The folder that receives the split (created if missing).</param>
    /// <param name="split">Names the image folder and label file.</param>
    /// <param name="progress">Receives the count of written images now and then and at the end; null for none.</param>
    /// <param name="cancellationToken">Stops between images; no label file is written then.</param>
    /// <returns>What was written.</returns>
    /// <exception cref="ArgumentException">When the digits have no labels or do not fit the recipe.</exception>
    public Task<MnistMGenerationResult> WriteAsync(
        SampleSet digits,
        BackgroundImages backgrounds,
        string outputFolder,
        MnistMSplit split,
        IProgress<MnistMGenerationProgress>? progress = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(backgrounds);
        return WriteAsync(digits, backgrounds.Images, outputFolder, split, progress, cancellationToken);
    }

    internal async Task<MnistMGenerationResult> WriteAsync(
        SampleSet digits,
        IReadOnlyList<DecodedImage> backgrounds,
        string outputFolder,
        MnistMSplit split,
        IProgress<MnistMGenerationProgress>? progress = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(outputFolder);
        (byte[] pixels, int count, int digitSize) = ReadDigits(digits);
        if (digits.Labels is null)
        {
            throw new ArgumentException($"{digits.Name}: writing MNIST-M needs labels for the label file, but the sample set has none.", nameof(digits));
        }

        long[] labels = digits.Labels.data<long>().ToArray();
        if (labels.FirstOrDefault(l => l < 0) is var bad && bad < 0)
        {
            throw new ArgumentException($"{digits.Name}: labels must be 0 or more, but one is {bad}.", nameof(digits));
        }

        CheckBackgrounds(backgrounds);
        var clock = Stopwatch.StartNew();
        string root = Path.GetFullPath(outputFolder);
        string imageFolder = Path.Combine(root, MnistMLayout.ImageFolderName(split));
        string labelFile = Path.Combine(root, MnistMLayout.LabelFileName(split));
        string recordFile = Path.Combine(root, $"{MnistMLayout.ImageFolderName(split)}_generator.json");
        Directory.CreateDirectory(imageFolder);
        GenerationLog.GenerationStarted(_logger, count, split, ImageSize, Seed, backgrounds.Count, imageFolder);

        int size = _options.ImageSize;
        int written = 0;
        int reportEvery = Math.Max(1, Math.Min(1000, count / 20));
        await Task.Run(
            () => Parallel.For(
                0,
                count,
                ParallelOptionsFor(cancellationToken),
                () => new byte[3 * size * size],
                (i, _, hwc) =>
                {
                    BlendOne(pixels.AsSpan(i * digitSize * digitSize, digitSize * digitSize), digitSize, backgrounds, i, hwc);
                    string file = Path.Combine(imageFolder, MnistMLayout.ImageFileName(i));
                    File.WriteAllBytes(file, SkiaImageEncoder.EncodePng(hwc, size, size, 3, _options.PngFilter, file));
                    int done = Interlocked.Increment(ref written);
                    if (done % reportEvery == 0 && done != count) progress?.Report(new MnistMGenerationProgress(done, count));
                    return hwc;
                },
                _ => { }),
            cancellationToken).ConfigureAwait(false);

        var lines = new StringBuilder(count * 16);
        for (int i = 0; i < count; i++)
        {
            lines.Append(MnistMLayout.ImageFileName(i)).Append(' ').Append(labels[i].ToString(CultureInfo.InvariantCulture)).Append('\n');
        }

        await WriteAtomicallyAsync(recordFile, Record(split, count, digitSize, backgrounds), cancellationToken).ConfigureAwait(false);
        await WriteAtomicallyAsync(labelFile, Encoding.ASCII.GetBytes(lines.ToString()), cancellationToken).ConfigureAwait(false);
        progress?.Report(new MnistMGenerationProgress(count, count));
        GenerationLog.GenerationFinished(_logger, count, labelFile, clock.ElapsedMilliseconds);
        return new MnistMGenerationResult(split, imageFolder, labelFile, recordFile, count, Seed, size, clock.Elapsed);
    }

    /// <summary>
    /// Composes one MNIST-M image: <c>o(y, x, c) = |B(y₀ + y, x₀ + x, c) − d(y, x)|</c>, where <c>d</c> is 255 on the
    /// digit's non-zero pixels (the digit centred in the <c>S × S</c> output) and 0 elsewhere.
    /// </summary>
    /// <param name="digit">The grey digit, <c>h × h</c> bytes row-major.</param>
    /// <param name="digitSize">The digit's side <c>h</c>.</param>
    /// <param name="background">The background image.</param>
    /// <param name="x">Left column <c>x₀</c> of the patch, <c>0 ≤ x₀ ≤ width − S</c>.</param>
    /// <param name="y">Top row <c>y₀</c> of the patch, <c>0 ≤ y₀ ≤ height − S</c>.</param>
    /// <param name="size">The output side <c>S ≥ h</c>, <c>S − h</c> even.</param>
    /// <param name="hwc">Receives <c>S × S × 3</c> bytes, HWC.</param>
    /// <exception cref="ArgumentException">When the sizes or the patch position do not fit.</exception>
    internal static void Compose(ReadOnlySpan<byte> digit, int digitSize, DecodedImage background, int x, int y, int size, Span<byte> hwc)
    {
        ArgumentNullException.ThrowIfNull(background);
        if (background.Channels != 3) throw new ArgumentException($"Background '{background.Name}' has {background.Channels} channel(s); MNIST-M blends into RGB images (DecodedImage.ToRgb converts).", nameof(background));
        if (digitSize < 1 || digit.Length != digitSize * digitSize || size < digitSize || (size - digitSize) % 2 != 0 || hwc.Length != size * size * 3)
        {
            throw new ArgumentException($"Compose needs an h×h digit ({digit.Length} bytes for h = {digitSize}), S ≥ h with S − h even (S = {size}) and S×S×3 output bytes ({hwc.Length}).");
        }

        if (x < 0 || y < 0 || x > background.Width - size || y > background.Height - size)
        {
            throw new ArgumentException($"A {size}×{size} patch at ({x}, {y}) does not fit in background '{background.Name}' ({background.Width}×{background.Height}).");
        }

        int pad = (size - digitSize) / 2;
        ReadOnlySpan<byte> source = background.Pixels;
        for (int row = 0; row < size; row++)
        {
            ReadOnlySpan<byte> patchRow = source.Slice(((y + row) * background.Width + x) * 3, size * 3);
            Span<byte> outRow = hwc.Slice(row * size * 3, size * 3);
            int dy = row - pad;
            for (int col = 0; col < size; col++)
            {
                int dx = col - pad;
                bool on = dy >= 0 && dy < digitSize && dx >= 0 && dx < digitSize && digit[dy * digitSize + dx] > 0;
                for (int c = 0; c < 3; c++)
                {
                    byte b = patchRow[col * 3 + c];
                    outRow[col * 3 + c] = on ? (byte)(255 - b) : b; // |b − 255| or |b − 0|
                }
            }
        }
    }

    /// <summary>Places and composes image <paramref name="index"/>.</summary>
    private void BlendOne(ReadOnlySpan<byte> digit, int digitSize, IReadOnlyList<DecodedImage> backgrounds, long index, Span<byte> hwc)
    {
        MnistMPlacement place = PlaceCore(index, backgrounds);
        Compose(digit, digitSize, backgrounds[place.BackgroundIndex], place.X, place.Y, _options.ImageSize, hwc);
    }

    private static async Task WriteAtomicallyAsync(string path, byte[] content, CancellationToken cancellationToken)
    {
        string temp = $"{path}.{Guid.NewGuid():N}.tmp";
        try
        {
            await File.WriteAllBytesAsync(temp, content, cancellationToken).ConfigureAwait(false);
            File.Move(temp, path, overwrite: true);
        }
        finally
        {
            if (File.Exists(temp)) File.Delete(temp);
        }
    }

    private MnistMPlacement PlaceCore(long index, IReadOnlyList<DecodedImage> backgrounds)
    {
        int size = _options.ImageSize;
        var random = new PlacementRandom(_options.Seed, index);
        int b = random.NextBelow(backgrounds.Count);
        DecodedImage background = backgrounds[b];
        int x = random.NextBelow(background.Width - size + 1);
        int y = random.NextBelow(background.Height - size + 1);
        return new MnistMPlacement(b, x, y);
    }

    private ParallelOptions ParallelOptionsFor(CancellationToken cancellationToken) => new()
    {
        CancellationToken = cancellationToken,
        MaxDegreeOfParallelism = _options.MaxDegreeOfParallelism,
    };

    private (byte[] Pixels, int Count, int DigitSize) ReadDigits(SampleSet digits)
    {
        ArgumentNullException.ThrowIfNull(digits);
        Tensor samples = digits.Samples;
        long[] shape = samples.shape;
        bool rank4 = shape.Length == 4 && shape[1] == 1;
        bool rank3 = shape.Length == 3;
        if (samples.dtype != ScalarType.Byte || !(rank4 || rank3) || shape[^1] != shape[^2])
        {
            throw new ArgumentException(
                $"{digits.Name}: MNIST-M is made from uint8 grey square digits [N, 1, h, h], but the samples are {samples.dtype} [{string.Join(", ", shape)}].",
                nameof(digits));
        }

        int digitSize = (int)shape[^1];
        int size = _options.ImageSize;
        if (digitSize > size || (size - digitSize) % 2 != 0)
        {
            throw new ArgumentException(
                $"{digits.Name}: {digitSize}×{digitSize} digits cannot be centred in {size}×{size} images (the image side must be at least the digit side, with an even difference; MnistMGeneratorOptions.ImageSize).",
                nameof(digits));
        }

        using Tensor contiguous = samples.contiguous();
        byte[] pixels = contiguous.data<byte>().ToArray();
        return (pixels, (int)shape[0], digitSize);
    }

    private void CheckBackgrounds(IReadOnlyList<DecodedImage> backgrounds)
    {
        ArgumentNullException.ThrowIfNull(backgrounds);
        if (backgrounds.Count == 0)
        {
            throw new ArgumentException("MNIST-M needs at least one background image (the 200 BSDS500 train images), but the list is empty.", nameof(backgrounds));
        }

        int size = _options.ImageSize;
        foreach (DecodedImage image in backgrounds)
        {
            if (image is null) throw new ArgumentException("The background list contains null.", nameof(backgrounds));
            if (image.Channels != 3) throw new ArgumentException($"Background '{image.Name}' has {image.Channels} channel(s); MNIST-M blends into RGB images (DecodedImage.ToRgb converts).", nameof(backgrounds));
            if (image.Width < size || image.Height < size)
            {
                throw new ArgumentException($"Background '{image.Name}' is {image.Width}×{image.Height}, smaller than the {size}×{size} patch MNIST-M cuts from it.", nameof(backgrounds));
            }
        }
    }

    private byte[] Record(MnistMSplit split, int count, int digitSize, IReadOnlyList<DecodedImage> backgrounds)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            json.WriteStartObject();
            json.WriteString("generator", "DomainAdaptation.Data.Generation.MnistMGenerator");
            json.WriteString("recipe", "d = 255 where digit > 0 else 0, padded to SxS with zeros, same for R,G,B; patch = SxS crop of background b at (x, y); out = |patch - d| as uint8");
            json.WriteString("placement", "per image i: SplitMix64 keyed by (seed, i) draws b in [0, backgrounds), then x in [0, width - S], then y in [0, height - S]");
            json.WriteString("split", split.ToString());
            json.WriteNumber("seed", Seed);
            json.WriteNumber("imageSize", ImageSize);
            json.WriteNumber("digitSize", digitSize);
            json.WriteNumber("count", count);
            json.WriteStartArray("backgrounds");
            foreach (DecodedImage image in backgrounds)
            {
                json.WriteStringValue($"{image.Name} {image.Width}x{image.Height}");
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        return buffer.ToArray();
    }
}
