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

    private string WritePng(string cls, string name, int w, int h, int colorType, byte[] pixels)
    {
        string folder = Directory.CreateDirectory(_temp.Combine("root", cls)).FullName;
        string path = Path.Combine(folder, name);
        File.WriteAllBytes(path, TestPng.Encode8(w, h, colorType, pixels));
        return path;
    }

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
    public void Load_MixedSizesWithoutTarget_ThrowsNamingFile()
    {
        WritePng("a", "1.png", 4, 4, 0, new byte[16]);
        string odd = WritePng("a", "2.png", 5, 4, 0, new byte[20]);

        Action act = () => ImageFolder.Load(_temp.Combine("root")).Dispose();

        act.Should().Throw<DataFormatException>().Where(e => e.FilePath == odd).WithMessage("*5×4*4×4*Height and Width*");
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
        SkiaImageDecoder.MissingNativeLibraryMessage("/x/a.jpg").Should().Contain("/x/a.jpg").And.Contain("SkiaSharp.NativeAssets.Linux");
    }
}
