using DomainAdaptation.Data;
using DomainAdaptation.Data.Datasets;
using DomainAdaptation.Data.Formats;
using DomainAdaptation.Tests.Data.Formats;
using DomainAdaptation.Tests.TestSupport;
using Microsoft.Extensions.Options;
using TorchSharp;
using static TorchSharp.torch;

namespace DomainAdaptation.Tests.Data.Datasets;

public class ImageFolderTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    private string WritePng(string cls, string name, int w, int h, int colorType, byte[] pixels) => TestPng.WriteClassImage(_temp, cls, name, w, h, colorType, pixels);

    [Fact]
    public void Load_PngClasses_LabelsByOrdinalFolderOrder()
    {
        WritePng("zebra", "b.png", 2, 2, 2, TestPng.RandomBytes(12, 1));
        WritePng("zebra", "a.png", 2, 2, 2, TestPng.RandomBytes(12, 2));
        WritePng("Apple", "x.png", 2, 2, 0, [1, 2, 3, 4]);
        File.WriteAllText(_temp.Combine("root", "Apple", "notes.txt"), "ignored");

        using ImageFolderDataset data = ImageFolder.Load(_temp.Combine("root"), loadOptions: new DataLoadOptions { MaxDegreeOfParallelism = 2 });

        data.ClassNames.Should().Equal("Apple", "zebra");
        data.Files.Select(Path.GetFileName).Should().Equal("x.png", "a.png", "b.png");
        data.Samples.Labels!.data<long>().ToArray().Should().Equal(0, 1, 1);
        data.Samples.Shape.Should().Be(SampleShape.Image(3, 2, 2));
        data.Samples.ClassCount.Should().Be(2);
        data.Samples.Samples[0].flatten().data<byte>().ToArray().Should().Equal(new byte[] { 1, 2, 3, 4, 1, 2, 3, 4, 1, 2, 3, 4 }, "grey is repeated into RGB");
    }

    [Fact]
    public void Load_GreyOutput_ConvertsRgbByLuma()
    {
        WritePng("c", "a.png", 1, 1, 2, [255, 255, 255]);

        using ImageFolderDataset data = ImageFolder.Load(_temp.Combine("root"), new ImageFolderOptions { Channels = 1 });

        data.Samples.Samples.shape.Should().Equal(1, 1, 1, 1);
        data.Samples.Samples.item<byte>().Should().Be(255);
    }

    [Fact]
    public void Load_MixedSizesWithoutTarget_ResizesToTheMostCommonAndSaysSo()
    {
        WritePng("a", "1.png", 4, 4, 0, new byte[16]);
        string odd = WritePng("a", "2.png", 8, 6, 0, Enumerable.Repeat((byte)50, 48).ToArray());
        WritePng("b", "3.png", 4, 4, 2, new byte[48]);
        using var log = new ListLoggerProvider();

        using ImageFolderDataset data = ImageFolder.Load(_temp.Combine("root"), logger: log.CreateLogger("test"));

        data.Samples.Shape.Should().Be(SampleShape.Image(3, 4, 4), "two of the three images are 4×4");
        data.Samples.Samples[1].max().item<byte>().Should().Be(50);
        data.Conversions.Should().Be(new ImageConversions(2, 0, 0, 1, 1, 4, 4, odd));
        log.Messages.Should().ContainSingle().Which.Should().Contain("2 grey image(s) repeated into RGB").And.Contain("1 image(s) of 1 other size(s) resized to 4×4").And.Contain("2.png");
    }

    [Fact]
    public void Load_OneSizeOneChannelCount_ConvertsNothingAndLogsNothing()
    {
        WritePng("a", "1.png", 2, 2, 2, new byte[12]);
        WritePng("b", "2.png", 2, 2, 2, new byte[12]);
        using var log = new ListLoggerProvider();

        using ImageFolderDataset data = ImageFolder.Load(_temp.Combine("root"), logger: log.CreateLogger("test"));

        data.Conversions.Any.Should().BeFalse();
        data.Skipped.Should().BeEmpty();
        data.IsLabelled.Should().BeTrue();
        log.Messages.Should().BeEmpty();
    }

    [Fact]
    public void Load_SkipBadImages_LeavesThemOutAndListsThem()
    {
        WritePng("a", "ok.png", 2, 2, 0, [10, 20, 30, 40]);
        string empty = _temp.Combine("root", "a", "empty.png");
        File.WriteAllBytes(empty, []);
        WritePng("b", "ok.png", 2, 2, 0, [1, 2, 3, 4]);
        string text = _temp.Combine("root", "b", "notes.png");
        File.WriteAllText(text, "not an image");
        using var log = new ListLoggerProvider();

        using ImageFolderDataset data = ImageFolder.Load(_temp.Combine("root"), new ImageFolderOptions { SkipBadImages = true }, logger: log.CreateLogger("test"));

        data.Files.Select(Path.GetFileName).Should().Equal("ok.png", "ok.png");
        data.Samples.Labels!.data<long>().ToArray().Should().Equal(0, 1);
        data.Skipped.Select(s => s.Path).Should().Equal(empty, text);
        data.Skipped.Should().OnlyContain(s => s.Reason.Length > 0);
        log.Messages.Should().ContainSingle(m => m.Contains("skipped")).Which.Should().Contain("2 of 4").And.Contain("empty.png").And.Contain("notes.png");
    }

    [Fact]
    public void Load_BadImageWithoutSkip_ThrowsNamingTheFile()
    {
        WritePng("a", "ok.png", 2, 2, 0, new byte[4]);
        string empty = _temp.Combine("root", "a", "empty.png");
        File.WriteAllBytes(empty, []);

        Action act = () => ImageFolder.Load(_temp.Combine("root")).Dispose();

        act.Should().Throw<DataFormatException>().Where(e => e.FilePath == empty);
    }

    [Fact]
    public void Load_SkipBadImages_EveryImageOfAClassBad_ThrowsNamingTheClass()
    {
        WritePng("a", "ok.png", 2, 2, 0, new byte[4]);
        Directory.CreateDirectory(_temp.Combine("root", "broken"));
        File.WriteAllBytes(_temp.Combine("root", "broken", "x.png"), [1, 2, 3]);

        Action act = () => ImageFolder.Load(_temp.Combine("root"), new ImageFolderOptions { SkipBadImages = true }).Dispose();

        act.Should().Throw<DataFormatException>().WithMessage("*class 'broken'*skipped*");
    }

    [Fact]
    public void LoadUnlabelled_FlatFolder_ReadsImagesWithoutLabels()
    {
        string folder = Directory.CreateDirectory(_temp.Combine("flat")).FullName;
        File.WriteAllBytes(Path.Combine(folder, "b.png"), TestPng.Encode8(2, 2, 0, [1, 1, 1, 1]));
        File.WriteAllBytes(Path.Combine(folder, "a.png"), TestPng.Encode8(2, 2, 0, [2, 2, 2, 2]));
        File.WriteAllText(Path.Combine(folder, "readme.txt"), "ignored");

        using ImageFolderDataset data = ImageFolder.LoadUnlabelled(folder);

        data.IsLabelled.Should().BeFalse();
        data.Samples.Labels.Should().BeNull();
        data.ClassNames.Should().BeEmpty();
        data.Files.Select(Path.GetFileName).Should().Equal("a.png", "b.png");
        data.Samples.Samples[0].flatten().data<byte>().ToArray().Should().OnlyContain(v => v == 2);
        ImageFolder.IsFlatImageFolder(folder).Should().BeTrue();
    }

    [Fact]
    public void LoadUnlabelled_NoImages_ThrowsNamingTheFolder()
    {
        string folder = Directory.CreateDirectory(_temp.Combine("flat")).FullName;
        Directory.CreateDirectory(Path.Combine(folder, "sub"));

        Action act = () => ImageFolder.LoadUnlabelled(folder).Dispose();

        act.Should().Throw<DataFormatException>().Where(e => e.FilePath == folder).WithMessage("*holds no images*sub-folders are not read*");
        ImageFolder.IsFlatImageFolder(folder).Should().BeFalse();
    }

    [Fact]
    public void IsFlatImageFolder_ClassFolders_IsFalse()
    {
        WritePng("a", "1.png", 2, 2, 0, new byte[4]);

        ImageFolder.IsFlatImageFolder(_temp.Combine("root")).Should().BeFalse();
        ImageFolder.IsFlatImageFolder(_temp.Combine("root", "a")).Should().BeTrue();
        ImageFolder.IsFlatImageFolder(_temp.Combine("missing")).Should().BeFalse();
    }

    [Fact]
    public void Load_MixedSizesWithTarget_Resizes()
    {
        WritePng("a", "1.png", 4, 4, 0, Enumerable.Repeat((byte)100, 16).ToArray());
        WritePng("b", "2.png", 8, 6, 0, Enumerable.Repeat((byte)50, 48).ToArray());

        using ImageFolderDataset data = ImageFolder.Load(_temp.Combine("root"), new ImageFolderOptions { Height = 3, Width = 3 });

        data.Samples.Samples.shape.Should().Equal(2, 3, 3, 3);
        data.Samples.Samples[0].min().item<byte>().Should().Be(100);
        data.Samples.Samples[1].max().item<byte>().Should().Be(50);
    }

    [Fact]
    public void Load_EmptyClassFolder_ThrowsNamingFolder()
    {
        WritePng("a", "1.png", 2, 2, 0, new byte[4]);
        Directory.CreateDirectory(_temp.Combine("root", "empty"));

        Action act = () => ImageFolder.Load(_temp.Combine("root")).Dispose();

        act.Should().Throw<DataFormatException>().WithMessage("*empty*holds no images*");
    }

    [Fact]
    public void Load_NoClassFolders_Throws()
    {
        Directory.CreateDirectory(_temp.Combine("root"));
        Action act = () => ImageFolder.Load(_temp.Combine("root")).Dispose();
        act.Should().Throw<DataFormatException>().WithMessage("*no class sub-folders*");
    }

    [Fact]
    public void Load_MissingRoot_Throws()
    {
        Action act = () => ImageFolder.Load(_temp.Combine("nope")).Dispose();
        act.Should().Throw<DirectoryNotFoundException>().WithMessage("*nope*");
    }

    [Fact]
    public void Load_CorruptPng_ThrowsNamingFile()
    {
        string bad = WritePng("a", "bad.png", 4, 4, 0, new byte[16]);
        File.WriteAllBytes(bad, File.ReadAllBytes(bad)[..30]);

        Action act = () => ImageFolder.Load(_temp.Combine("root")).Dispose();

        act.Should().Throw<DataFormatException>().Where(e => e.FilePath == bad);
    }

    [Fact]
    public void Load_UnreadableNonPng_ThrowsNamingFile()
    {
        WritePng("a", "ok.png", 2, 2, 0, new byte[4]);
        string bad = _temp.Combine("root", "a", "junk.jpg");
        File.WriteAllBytes(bad, TestPng.RandomBytes(500, 4));

        Action act = () => ImageFolder.Load(_temp.Combine("root")).Dispose();

        act.Should().Throw<DataFormatException>().Where(e => e.FilePath == bad).WithMessage("*not an image*");
    }

    [Fact]
    public void Load_TextFileNamedPng_ThrowsSayingItIsNotAnImage_NotBlamingSkiaSharp()
    {
        WritePng("a", "ok.png", 2, 2, 0, new byte[4]);
        string bad = _temp.Combine("root", "a", "readme.png");
        File.WriteAllText(bad, "This is not a picture.\n");

        Action act = () => ImageFolder.Load(_temp.Combine("root")).Dispose();

        act.Should().Throw<DataFormatException>().Where(e => e.FilePath == bad)
            .WithMessage("*is not an image: its first bytes (54686973*no PNG, JPEG, BMP, GIF or WebP signature (it looks like text)*")
            .And.Message.Should().NotContain("SkiaSharp");
    }

    [Fact]
    public void Load_RealJpegsThroughSkia_ResizesToTarget()
    {
        string bsds = TestData.PathOf("bsds500", "train");
        string[] jpegs = Directory.GetFiles(bsds, "*.jpg").Order(StringComparer.Ordinal).Take(4).ToArray();
        for (int i = 0; i < jpegs.Length; i++)
        {
            string folder = Directory.CreateDirectory(_temp.Combine("root", i < 2 ? "first" : "second")).FullName;
            File.Copy(jpegs[i], Path.Combine(folder, Path.GetFileName(jpegs[i])));
        }

        using ImageFolderDataset data = ImageFolder.Load(_temp.Combine("root"), new ImageFolderOptions { Height = 32, Width = 32 });

        data.Samples.Samples.shape.Should().Equal(4, 3, 32, 32);
        data.Samples.Labels!.data<long>().ToArray().Should().Equal(0, 0, 1, 1);
        double mean = data.Samples.Samples.to(ScalarType.Float64).mean().item<double>();
        mean.Should().BeInRange(20, 235, "natural photographs are neither black nor white");
    }

    [Fact]
    public void Load_InvalidOptions_ThrowsValidation()
    {
        Action act = () => ImageFolder.Load(_temp.Path, new ImageFolderOptions { Channels = 2, Height = 5 }).Dispose();
        act.Should().Throw<OptionsValidationException>().Where(e => e.Failures.Count() == 2);
    }

    [Fact]
    public void SkiaMissingMessage_NamesPackageToAdd()
    {
        SkiaImageDecoder.DescribeNativeFailure("/x/a.jpg", new DllNotFoundException("libSkiaSharp")).Should().Contain("/x/a.jpg").And.Contain("SkiaSharp.NativeAssets.Linux").And.Contain("convert the images to PNG");
    }
}
