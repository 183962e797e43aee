using DomainAdaptation.Data;
using DomainAdaptation.Data.Datasets;
using DomainAdaptation.Data.Formats;
using DomainAdaptation.Tests.Data.Formats;
using DomainAdaptation.Tests.TestSupport;
using TorchSharp;
using static TorchSharp.torch;

namespace DomainAdaptation.Tests.Data.Datasets;

/// <summary>Streamed image folders (<see cref="ImageFolderOptions.Stream"/>) against the same folders loaded into memory.</summary>
public class ImageFolderStreamTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    private string WritePng(string cls, string name, int w, int h, int colorType, byte[] pixels) => TestPng.WriteClassImage(_temp, cls, name, w, h, colorType, pixels);

    private string CopyJpegs(string cls, int skip, int count)
    {
        string folder = Directory.CreateDirectory(_temp.Combine("root", cls)).FullName;
        foreach (string jpeg in Directory.GetFiles(TestData.PathOf("bsds500", "train"), "*.jpg").Order(StringComparer.Ordinal).Skip(skip).Take(count))
        {
            File.Copy(jpeg, Path.Combine(folder, Path.GetFileName(jpeg)));
        }

        return folder;
    }

    private void WriteMixedFolder()
    {
        CopyJpegs("photos", 0, 3);                                      // 481×321 and 321×481 JPEGs through SkiaSharp
        WritePng("pngs", "grey.png", 40, 30, 0, TestPng.RandomBytes(1200, 1));   // grey, another size
        WritePng("pngs", "rgba.png", 24, 24, 6, TestPng.RandomBytes(2304, 2));   // RGBA, another size
        WritePng("pngs", "rgb.png", 32, 32, 2, TestPng.RandomBytes(3072, 3));    // RGB at the output size
    }

    private static byte[] AllBytes(SampleSet set)
    {
        using Tensor all = set.Slice(0, set.Count);
        return all.contiguous().data<byte>().ToArray();
    }

    [Theory]
    [InlineData(32, 32)]
    [InlineData(null, null)]
    public void Load_StreamedMixedPngAndJpeg_SameBytesConversionsAndLabelsAsInMemory(int? height, int? width)
    {
        WriteMixedFolder();
        var load = new DataLoadOptions { MaxDegreeOfParallelism = 2 };

        using ImageFolderDataset memory = ImageFolder.Load(_temp.Combine("root"), new ImageFolderOptions { Height = height, Width = width }, load);
        using ImageFolderDataset streamed = ImageFolder.Load(_temp.Combine("root"), new ImageFolderOptions { Height = height, Width = width, Stream = true }, load);

        streamed.Samples.IsStreamed.Should().BeTrue();
        memory.Samples.IsStreamed.Should().BeFalse();
        streamed.Samples.Shape.Should().Be(memory.Samples.Shape);
        streamed.Conversions.Should().Be(memory.Conversions);
        streamed.Files.Should().Equal(memory.Files);
        streamed.ClassNames.Should().Equal(memory.ClassNames);
        streamed.Samples.Labels!.data<long>().ToArray().Should().Equal(memory.Samples.Labels!.data<long>().ToArray());
        AllBytes(streamed.Samples).Should().Equal(AllBytes(memory.Samples), "a streamed set decodes, converts and resizes each image as the in-memory load does");
    }

    [Fact]
    public void Gather_StreamedInAnyOrderWithRepeats_SameAsIndexSelectInMemory()
    {
        WriteMixedFolder();
        using ImageFolderDataset memory = ImageFolder.Load(_temp.Combine("root"), new ImageFolderOptions { Height = 16, Width = 20 });
        using ImageFolderDataset streamed = ImageFolder.Load(_temp.Combine("root"), new ImageFolderOptions { Height = 16, Width = 20, Stream = true });
        long[] order = [5, 0, 3, 3, 1];

        using Tensor fromDisk = streamed.Samples.Gather(order);
        using Tensor fromMemory = memory.Samples.Gather(order);

        fromDisk.shape.Should().Equal(5, 3, 16, 20);
        fromDisk.eq(fromMemory).all().ToBoolean().Should().BeTrue();
    }

    [Fact]
    public void Split_Streamed_SameSplitAsInMemory()
    {
        WriteMixedFolder();
        using ImageFolderDataset memory = ImageFolder.Load(_temp.Combine("root"), new ImageFolderOptions { Height = 8, Width = 8 });
        using ImageFolderDataset streamed = ImageFolder.Load(_temp.Combine("root"), new ImageFolderOptions { Height = 8, Width = 8, Stream = true });

        (SampleSet memoryTrain, SampleSet memoryTest) = memory.Split(0.34, seed: 7);
        (SampleSet streamTrain, SampleSet streamTest) = streamed.Split(0.34, seed: 7);
        using (memoryTrain)
        using (memoryTest)
        using (streamTrain)
        using (streamTest)
        {
            streamTrain.IsStreamed.Should().BeTrue();
            streamTest.Count.Should().Be(memoryTest.Count).And.BeGreaterThan(0);
            AllBytes(streamTrain).Should().Equal(AllBytes(memoryTrain));
            AllBytes(streamTest).Should().Equal(AllBytes(memoryTest));
            streamTest.Labels!.data<long>().ToArray().Should().Equal(memoryTest.Labels!.data<long>().ToArray());
        }
    }

    [Fact]
    public void Samples_OfAStreamedSet_ThrowsSayingHowToReadIt()
    {
        WritePng("a", "1.png", 2, 2, 0, [1, 2, 3, 4]);
        using ImageFolderDataset streamed = ImageFolder.Load(_temp.Combine("root"), new ImageFolderOptions { Stream = true });

        Action act = () => _ = streamed.Samples.Samples;

        act.Should().Throw<InvalidOperationException>().WithMessage("*is streamed*SampleSet.Slice or SampleSet.Gather*Stream = false*");
    }

    [Fact]
    public void Load_StreamedWithABadFile_RefusedAtLoadOrSkipped()
    {
        WritePng("a", "1.png", 2, 2, 0, [1, 2, 3, 4]);
        WritePng("a", "2.png", 2, 2, 0, [5, 6, 7, 8]);
        string empty = _temp.Combine("root", "a", "3.png");
        File.WriteAllBytes(empty, []);

        Action refused = () => ImageFolder.Load(_temp.Combine("root"), new ImageFolderOptions { Stream = true }).Dispose();
        refused.Should().Throw<DataFormatException>().Where(e => e.FilePath == empty).WithMessage("*0 bytes*");

        using ImageFolderDataset skipped = ImageFolder.Load(_temp.Combine("root"), new ImageFolderOptions { Stream = true, SkipBadImages = true });
        skipped.Samples.Count.Should().Be(2);
        skipped.Skipped.Should().ContainSingle().Which.Path.Should().Be(empty);
    }

    [Fact]
    public void Gather_JpegWithSoundHeaderButTruncatedPixels_ThrowsNamingTheFile()
    {
        string folder = CopyJpegs("a", 0, 2);
        string damaged = Directory.GetFiles(folder).Order(StringComparer.Ordinal).First();
        byte[] bytes = File.ReadAllBytes(damaged);
        File.WriteAllBytes(damaged, bytes[..(bytes.Length / 3)]);
        using ImageFolderDataset streamed = ImageFolder.Load(_temp.Combine("root"), new ImageFolderOptions { Height = 8, Width = 8, Stream = true });

        Action act = () => streamed.Samples.Gather([1, 0]).Dispose();

        act.Should().Throw<DataFormatException>().Where(e => e.FilePath == damaged).WithMessage("*truncated*");
    }
}
