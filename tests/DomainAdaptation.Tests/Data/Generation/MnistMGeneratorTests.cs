using System.Formats.Tar;
using System.IO.Compression;
using System.Text.Json;
using DomainAdaptation.Data;
using DomainAdaptation.Data.Formats;
using DomainAdaptation.Data.Generation;
using DomainAdaptation.Tests.TestSupport;
using Microsoft.Extensions.Options;
using TorchSharp;
using static TorchSharp.torch;

namespace DomainAdaptation.Tests.Data.Generation;

public class MnistMGeneratorTests : IClassFixture<Bsds500Fixture>
{
    private readonly Bsds500Fixture _bsds;

    public MnistMGeneratorTests(Bsds500Fixture bsds) => _bsds = bsds;

    /// <summary>
    /// The authors' released test images 0–3, with the background and patch corner that
    /// <c>MnistMTool locate --split test --indices 0,1,2,3</c> found for them (an exhaustive search over all 200 BSDS500
    /// train images and every position; the match is exact, the runner-up is ≥ 4.6 grey levels off on average).
    /// </summary>
    public static TheoryData<int, string, int, int> ReleasedTestPlacements => new()
    {
        { 0, "311068.jpg", 152, 269 },
        { 1, "113009.jpg", 84, 332 },
        { 2, "156079.jpg", 30, 108 },
        { 3, "97017.jpg", 239, 228 },
    };

    [Theory]
    [MemberData(nameof(ReleasedTestPlacements))]
    public void Compose_ReleasedPlacement_ReproducesTheReleasedImageBitForBit(int index, string background, int x, int y)
    {
        using Tensor mnistTest = DomainAdaptation.Data.Formats.MnistIdx.ReadImages(SharedDataFolder.Require("mnist/t10k-images-idx3-ubyte.gz"));
        byte[] digits = mnistTest.narrow(0, 0, index + 1).contiguous().data<byte>().ToArray();
        byte[] released = SkiaPng.DecodeRgb(ReadReleasedTestPng(index), out int width, out int height);
        DecodedImage bg = _bsds.Images.Single(i => i.Name == background);
        byte[] composed = new byte[32 * 32 * 3];

        MnistMGenerator.Compose(digits.AsSpan(index * 784, 784), 28, bg, x, y, 32, composed);

        (width, height).Should().Be((32, 32));
        composed.Should().Equal(released);
    }

    [Fact]
    public void Generate_SyntheticDigits_EveryPixelIsTheAbsoluteDifferenceOfPatchAndBinarisedDigit()
    {
        DecodedImage[] backgrounds = SyntheticBackgrounds();
        byte[] digitPixels = SyntheticDigits(count: 6, side: 28, seed: 1);
        using SampleSet digits = DigitSet(digitPixels, 6, 28);
        var generator = new MnistMGenerator(new MnistMGeneratorOptions { Seed = 7 });

        using SampleSet generated = generator.Generate(digits, backgrounds);

        generated.Samples.shape.Should().Equal(6, 3, 32, 32);
        generated.Samples.dtype.Should().Be(ScalarType.Byte);
        generated.Labels!.data<long>().ToArray().Should().Equal(0, 1, 2, 3, 4, 5);
        byte[] actual = generated.Samples.data<byte>().ToArray();
        for (int i = 0; i < 6; i++)
        {
            MnistMPlacement p = generator.Place(i, backgrounds);
            DecodedImage bg = backgrounds[p.BackgroundIndex];
            for (int c = 0; c < 3; c++)
            {
                for (int y = 0; y < 32; y++)
                {
                    for (int x = 0; x < 32; x++)
                    {
                        // Recipe: digit binarised (x > 0) and scaled to 255, padded by 2 on each side; output |patch − digit|.
                        bool inside = y >= 2 && y < 30 && x >= 2 && x < 30;
                        int d = inside && digitPixels[i * 784 + (y - 2) * 28 + (x - 2)] > 0 ? 255 : 0;
                        int expected = Math.Abs(bg[p.X + x, p.Y + y, c] - d);
                        actual[((i * 3 + c) * 32 + y) * 32 + x].Should().Be((byte)expected, $"image {i}, channel {c}, ({x}, {y})");
                    }
                }
            }
        }
    }

    [Fact]
    public void Generate_ImageSize28_HasNoPaddingLikeTheReferenceScript()
    {
        DecodedImage[] backgrounds = SyntheticBackgrounds();
        byte[] digitPixels = SyntheticDigits(count: 2, side: 28, seed: 2);
        using SampleSet digits = DigitSet(digitPixels, 2, 28);
        var generator = new MnistMGenerator(new MnistMGeneratorOptions { Seed = 3, ImageSize = 28 });

        using SampleSet generated = generator.Generate(digits, backgrounds);

        generated.Samples.shape.Should().Equal(2, 3, 28, 28);
        byte[] actual = generated.Samples.data<byte>().ToArray();
        MnistMPlacement p = generator.Place(1, backgrounds);
        DecodedImage bg = backgrounds[p.BackgroundIndex];
        for (int k = 0; k < 784; k++)
        {
            int d = digitPixels[784 + k] > 0 ? 255 : 0;
            actual[(3 * 784) + k].Should().Be((byte)Math.Abs(bg[p.X + (k % 28), p.Y + (k / 28), 0] - d));
        }
    }

    [Fact]
    public void Generate_SameSeed_IsIdenticalWhateverTheParallelism_AndAnotherSeedDiffers()
    {
        DecodedImage[] backgrounds = SyntheticBackgrounds();
        using SampleSet digits = DigitSet(SyntheticDigits(40, 28, seed: 4), 40, 28);

        using SampleSet a = new MnistMGenerator(new MnistMGeneratorOptions { Seed = 11, MaxDegreeOfParallelism = 1 }).Generate(digits, backgrounds);
        using SampleSet b = new MnistMGenerator(new MnistMGeneratorOptions { Seed = 11, MaxDegreeOfParallelism = -1 }).Generate(digits, backgrounds);
        using SampleSet c = new MnistMGenerator(new MnistMGeneratorOptions { Seed = 12 }).Generate(digits, backgrounds);

        a.Samples.data<byte>().ToArray().Should().Equal(b.Samples.data<byte>().ToArray());
        a.Samples.data<byte>().ToArray().Should().NotEqual(c.Samples.data<byte>().ToArray());
    }

    [Fact]
    public void Place_ManyIndices_CoversEveryBackgroundAndEveryPositionUniformly()
    {
        // Two 33×34 backgrounds and one 35×32: 2×3, 2×3 and 4×1 patch positions for S = 32.
        DecodedImage[] backgrounds = [Solid("a", 33, 34), Solid("b", 33, 34), Solid("c", 35, 32)];
        var generator = new MnistMGenerator(new MnistMGeneratorOptions { Seed = 5 });
        var counts = new Dictionary<MnistMPlacement, int>();
        const int Draws = 30_000;

        for (int i = 0; i < Draws; i++)
        {
            MnistMPlacement p = generator.Place(i, backgrounds);
            counts[p] = counts.GetValueOrDefault(p) + 1;
        }

        counts.Keys.Should().HaveCount(6 + 6 + 4, "every background and every position where a 32×32 patch fits is drawn");
        counts.Keys.Should().OnlyContain(p => p.X >= 0 && p.Y >= 0 && p.X + 32 <= backgrounds[p.BackgroundIndex].Width && p.Y + 32 <= backgrounds[p.BackgroundIndex].Height);
        for (int b = 0; b < 3; b++)
        {
            double share = counts.Where(kv => kv.Key.BackgroundIndex == b).Sum(kv => kv.Value) / (double)Draws;
            share.Should().BeApproximately(1 / 3.0, 0.02, $"background {b} is chosen uniformly");
        }
    }

    [Fact]
    public async Task WriteAsync_SyntheticDigits_WritesTheReleaseLayoutWithMatchingPngsAndLabels()
    {
        DecodedImage[] backgrounds = SyntheticBackgrounds();
        using SampleSet digits = DigitSet(SyntheticDigits(12, 28, seed: 6), 12, 28, labels: Enumerable.Range(0, 12).Select(i => (long)(9 - (i % 10))).ToArray());
        var generator = new MnistMGenerator(new MnistMGeneratorOptions { Seed = 9 });
        using var output = new TempDirectory();
        var progress = new RecordingProgress();

        MnistMGenerationResult result = await generator.WriteAsync(digits, backgrounds, output.Path, MnistMSplit.Test, progress);

        result.ImageFolder.Should().Be(Path.Combine(output.Path, "mnist_m_test"));
        result.LabelFile.Should().Be(Path.Combine(output.Path, "mnist_m_test_labels.txt"));
        (result.Count, result.Seed, result.ImageSize).Should().Be((12, 9, 32));
        string expectedLabels = string.Concat(Enumerable.Range(0, 12).Select(i => $"{i:D8}.png {9 - (i % 10)}\n"));
        File.ReadAllText(result.LabelFile).Should().Be(expectedLabels);
        Directory.GetFiles(result.ImageFolder).Select(Path.GetFileName).Order().Should().Equal(Enumerable.Range(0, 12).Select(i => $"{i:D8}.png"));
        Directory.GetFiles(output.Path).Select(Path.GetFileName).Order().Should().Equal("mnist_m_test_generator.json", "mnist_m_test_labels.txt");
        progress.Reports.Should().NotBeEmpty().And.EndWith(new MnistMGenerationProgress(12, 12));

        using SampleSet inMemory = generator.Generate(digits, backgrounds);
        byte[] chw = inMemory.Samples.data<byte>().ToArray();
        for (int i = 0; i < 12; i++)
        {
            byte[] rgb = SkiaPng.DecodeRgb(File.ReadAllBytes(Path.Combine(result.ImageFolder, $"{i:D8}.png")), out int w, out int h);
            (w, h).Should().Be((32, 32));
            for (int p = 0; p < 1024; p++)
            {
                for (int c = 0; c < 3; c++) rgb[p * 3 + c].Should().Be(chw[(i * 3 + c) * 1024 + p]);
            }
        }

        using JsonDocument record = JsonDocument.Parse(File.ReadAllText(result.RecordFile));
        record.RootElement.GetProperty("seed").GetInt32().Should().Be(9);
        record.RootElement.GetProperty("count").GetInt32().Should().Be(12);
        record.RootElement.GetProperty("backgrounds").GetArrayLength().Should().Be(backgrounds.Length);
    }

    [Fact]
    public async Task WriteAsync_Cancelled_LeavesNoLabelFile()
    {
        using SampleSet digits = DigitSet(SyntheticDigits(50, 28, seed: 8), 50, 28);
        var generator = new MnistMGenerator(new MnistMGeneratorOptions());
        using var output = new TempDirectory();
        using var cancel = new CancellationTokenSource();
        await cancel.CancelAsync();

        Func<Task> act = () => generator.WriteAsync(digits, SyntheticBackgrounds(), output.Path, MnistMSplit.Train, cancellationToken: cancel.Token);

        await act.Should().ThrowAsync<OperationCanceledException>();
        File.Exists(Path.Combine(output.Path, "mnist_m_train_labels.txt")).Should().BeFalse();
    }

    [Fact]
    public async Task WriteAsync_DigitsWithoutLabels_ThrowsNamingTheSet()
    {
        using SampleSet digits = new("unlabelled digits", tensor(new byte[784], new long[] { 1, 1, 28, 28 }, ScalarType.Byte, CPU), null, 10);
        using var output = new TempDirectory();

        Func<Task> act = () => new MnistMGenerator(new MnistMGeneratorOptions()).WriteAsync(digits, SyntheticBackgrounds(), output.Path, MnistMSplit.Train);

        await act.Should().ThrowAsync<ArgumentException>().WithMessage("unlabelled digits*needs labels*");
    }

    [Fact]
    public void Generate_FloatDigits_ThrowsNamingTheSetAndTheExpectedType()
    {
        using SampleSet digits = new("float digits", zeros(new long[] { 2, 1, 28, 28 }, ScalarType.Float32), null, 10);

        Action act = () => new MnistMGenerator(new MnistMGeneratorOptions()).Generate(digits, SyntheticBackgrounds());

        act.Should().Throw<ArgumentException>().WithMessage("float digits*uint8 grey square digits [N, 1, h, h]*Float32 [2, 1, 28, 28]*");
    }

    [Fact]
    public void Generate_OddPadding_ThrowsNamingTheOption()
    {
        using SampleSet digits = DigitSet(new byte[784], 1, 28);

        Action act = () => new MnistMGenerator(new MnistMGeneratorOptions { ImageSize = 31 }).Generate(digits, SyntheticBackgrounds());

        act.Should().Throw<ArgumentException>().WithMessage("*28×28 digits cannot be centred in 31×31 images*ImageSize*");
    }

    [Fact]
    public void Generate_BackgroundSmallerThanThePatch_ThrowsNamingTheImage()
    {
        using SampleSet digits = DigitSet(new byte[784], 1, 28);

        Action act = () => new MnistMGenerator(new MnistMGeneratorOptions()).Generate(digits, [Solid("tiny.jpg", 40, 20)]);

        act.Should().Throw<ArgumentException>().WithMessage("*'tiny.jpg' is 40×20, smaller than the 32×32 patch*");
    }

    [Fact]
    public void Constructor_InvalidOptions_ThrowsWithEveryFailure()
    {
        Action act = () => _ = new MnistMGenerator(Options.Create(new MnistMGeneratorOptions { ImageSize = 0, MaxDegreeOfParallelism = 0 }));

        act.Should().Throw<OptionsValidationException>()
            .Which.Failures.Should().HaveCount(2)
            .And.Contain(f => f.Contains("ImageSize must lie in [1, 321]", StringComparison.Ordinal))
            .And.Contain(f => f.Contains("MaxDegreeOfParallelism must be -1", StringComparison.Ordinal));
    }

    [Fact]
    public void Compose_PatchOutsideTheBackground_Throws()
    {
        Action act = () => MnistMGenerator.Compose(new byte[784], 28, Solid("bg", 40, 40), 9, 0, 32, new byte[3072]);

        act.Should().Throw<ArgumentException>().WithMessage("*patch at (9, 0) does not fit in background 'bg' (40×40)*");
    }

    private static byte[] ReadReleasedTestPng(int index)
    {
        string wanted = $"mnist_m/mnist_m_test/{index:D8}.png";
        using var tar = new TarReader(new GZipStream(File.OpenRead(SharedDataFolder.Require("mnist_m/mnist_m.tar.gz")), CompressionMode.Decompress));
        while (tar.GetNextEntry() is { } entry)
        {
            if (entry.Name != wanted) continue;
            byte[] png = new byte[entry.Length];
            entry.DataStream!.ReadExactly(png);
            return png;
        }

        throw new InvalidDataException($"{wanted} is not in mnist_m.tar.gz");
    }

    private static SampleSet DigitSet(byte[] pixels, int count, int side, long[]? labels = null) =>
        new("synthetic digits",
            tensor(pixels, new long[] { count, 1, side, side }, ScalarType.Byte, CPU),
            tensor(labels ?? Enumerable.Range(0, count).Select(i => (long)(i % 10)).ToArray(), new long[] { count }, ScalarType.Int64, CPU),
            10);

    /// <summary>Digits with MNIST-like statistics: mostly 0, some faint (1–50) and some bright pixels — faint ones must count as "on".</summary>
    private static byte[] SyntheticDigits(int count, int side, int seed)
    {
        var random = new Random(seed);
        byte[] pixels = new byte[count * side * side];
        for (int i = 0; i < pixels.Length; i++)
        {
            int r = random.Next(100);
            pixels[i] = r < 70 ? (byte)0 : r < 80 ? (byte)random.Next(1, 51) : (byte)random.Next(51, 256);
        }

        return pixels;
    }

    private static DecodedImage[] SyntheticBackgrounds()
    {
        var random = new Random(99);
        return [Noise("bg-a", 40, 36), Noise("bg-b", 50, 50), Noise("bg-c", 33, 45)];

        DecodedImage Noise(string name, int w, int h)
        {
            byte[] pixels = new byte[w * h * 3];
            random.NextBytes(pixels);
            return new DecodedImage(w, h, 3, pixels, name);
        }
    }

    private static DecodedImage Solid(string name, int width, int height) => new(width, height, 3, new byte[width * height * 3], name);

    private sealed class RecordingProgress : IProgress<MnistMGenerationProgress>
    {
        private readonly object _gate = new();

        public List<MnistMGenerationProgress> Reports { get; } = [];

        public void Report(MnistMGenerationProgress value)
        {
            lock (_gate) Reports.Add(value);
        }
    }
}
