using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using DomainAdaptation.Data;
using DomainAdaptation.Data.Formats;
using DomainAdaptation.Tests.TestSupport;
using TorchSharp;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace DomainAdaptation.Tests.Data.Formats;

[Collection(RealDigitsCollection.Name)]
public class MnistMRealDataTests(RealDigitsFixture data, ITestOutputHelper output)
{
    [Fact]
    public void Load_RealArchive_HasPublishedCountsAndShapes()
    {
        data.MnistMTrain.Count.Should().Be(59_001);
        data.MnistMTest.Count.Should().Be(9_001);
        data.MnistMTrain.Shape.Should().Be(SampleShape.Image(3, 32, 32));
        data.MnistMTest.Shape.Should().Be(SampleShape.Image(3, 32, 32));
        data.MnistMTrain.StorageType.Should().Be(ScalarType.Byte);
        data.MnistMTrain.ClassCount.Should().Be(10);
        output.WriteLine($"Cold load of both splits from the archive: {data.ColdLoad.TotalMilliseconds:F0} ms");
    }

    [Fact]
    public void Load_RealArchive_LabelsEqualMnistPrefixes()
    {
        using Tensor trainPrefix = data.MnistTrainLabels[..59_001];
        using Tensor testPrefix = data.MnistTestLabels[..9_001];

        data.MnistMTrain.Labels!.SameAs(trainPrefix).Should().BeTrue();
        data.MnistMTest.Labels!.SameAs(testPrefix).Should().BeTrue();
    }

    [Theory]
    [InlineData(DataSplit.Test, 0, "5cd9d790abc7e43c660d7bfeb5525c8524b84e5cda755c5d724ccbbfdd28d431")]
    [InlineData(DataSplit.Test, 1, "1535d8f673766efb68dd1992f81650a565552e7f85868da75e174ca96a4acae8")]
    [InlineData(DataSplit.Test, 9_000, "3084a42b2ea1c56c125d78ae816a587781787b278c973b903253f8eabacfa677")]
    [InlineData(DataSplit.Train, 0, "7d464e681caa509647e8aeb675f261e6eda47be933faebf021e723068f5d3835")]
    [InlineData(DataSplit.Train, 12_345, "72e5e6abdd8f34f441dddde41ca60c36e4026de22bce12db45b0aba658ecf52f")]
    [InlineData(DataSplit.Train, 59_000, "86ebed36b79fbf3304acad6f33b1b6094209e1287d14ac9e2230879709ba4ec5")]
    public void Load_RealArchive_DecodedImagesMatchReferenceDecoder(DataSplit split, int index, string sha256)
    {
        // Expected values: SHA-256 of the [3, 32, 32] bytes decoded by Pillow 9.4 (an independent decoder), computed once.
        SampleSet set = split == DataSplit.Train ? data.MnistMTrain : data.MnistMTest;
        using Tensor image = set.Samples[index].contiguous();

        Convert.ToHexStringLower(SHA256.HashData(image.bytes)).Should().Be(sha256);
    }

    [Fact]
    public void Load_RealArchive_ValueRangeAndPixelSumsMatchReferenceDecoder()
    {
        // Pixel sums over each whole split, from the same Pillow decoding.
        data.MnistMTrain.Samples.sum(ScalarType.Int64).item<long>().Should().Be(20_463_346_940);
        data.MnistMTest.Samples.sum(ScalarType.Int64).item<long>().Should().Be(3_140_488_029);
        data.MnistMTrain.Samples.min().item<byte>().Should().Be(0);
        data.MnistMTrain.Samples.max().item<byte>().Should().Be(255);
    }

    [Fact]
    public void Load_ExtractedTestFolder_EqualsArchive()
    {
        using var folder = new TempDirectory();
        foreach (ArchiveFile file in TarArchive.ReadFiles(data.Archive, n => n.StartsWith("mnist_m/mnist_m_test", StringComparison.Ordinal)))
        {
            string path = folder.Combine(file.Name.Split('/'));
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllBytes(path, file.Content);
            if (file.Name.EndsWith("_labels.txt", StringComparison.Ordinal)) break;
        }

        using SampleSet fromFolder = MnistM.Load(folder.Path, DataSplit.Test, new DataLoadOptions { UseCache = false });

        fromFolder.Samples.SameAs(data.MnistMTest.Samples).Should().BeTrue();
        fromFolder.Labels!.SameAs(data.MnistMTest.Labels!).Should().BeTrue();
    }

    [Fact]
    public void Load_SecondTime_ReadsCacheAndEqualsDecoded()
    {
        var logger = new OutputLogger(output);
        var watch = Stopwatch.StartNew();
        using SampleSet train = MnistM.Load(data.Archive, DataSplit.Train, data.Options, logger);
        output.WriteLine($"Warm load of MNIST-M train from the cache: {watch.ElapsedMilliseconds} ms (cold load of both splits: {data.ColdLoad.TotalMilliseconds:F0} ms)");

        logger.Entries.Should().ContainSingle(e => e.Id.Id == 4001);
        train.Samples.SameAs(data.MnistMTrain.Samples).Should().BeTrue();
        train.Labels!.SameAs(data.MnistMTrain.Labels!).Should().BeTrue();
    }

    [Fact]
    public void LabelFile_RealTestLabels_ParseAsReleased()
    {
        ArchiveFile labels = TarArchive.ReadFiles(data.Archive, n => n.EndsWith("mnist_m_test_labels.txt", StringComparison.Ordinal)).First();
        string[] lines = Encoding.ASCII.GetString(labels.Content).Split('\n', StringSplitOptions.RemoveEmptyEntries);

        lines.Should().HaveCount(9_001);
        lines[0].Should().Be("00000000.png 7");
    }
}
