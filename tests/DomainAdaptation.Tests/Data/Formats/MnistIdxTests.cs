using System.Buffers.Binary;
using System.IO.Compression;
using System.Security.Cryptography;
using DomainAdaptation.Data;
using DomainAdaptation.Data.Formats;
using DomainAdaptation.Tests.TestSupport;
using TorchSharp;
using static TorchSharp.torch;

namespace DomainAdaptation.Tests.Data.Formats;

public class MnistIdxTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void ReadImages_RealTrainFile_MatchesPublishedContentChecksum()
    {
        using Tensor images = MnistIdx.ReadImages(TestData.PathOf("mnist", "train-images-idx3-ubyte.gz"));

        images.shape.Should().Equal(60_000, 1, 28, 28);
        images.dtype.Should().Be(ScalarType.Byte);
        // The header the reader checked plus the pixels it read must hash to the published content SHA-256 (SOURCES.md).
        ContentSha256(Header(2051, 60_000, 28, 28), images.bytes.ToArray())
            .Should().Be("ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db");
    }

    [Fact]
    public void ReadImages_RealTestFile_MatchesPublishedContentChecksum()
    {
        using Tensor images = MnistIdx.ReadImages(TestData.PathOf("mnist", "t10k-images-idx3-ubyte.gz"));

        images.shape.Should().Equal(10_000, 1, 28, 28);
        ContentSha256(Header(2051, 10_000, 28, 28), images.bytes.ToArray())
            .Should().Be("0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7");
    }

    [Fact]
    public void ReadLabels_RealFiles_MatchPublishedChecksumsAndKnownFirstLabels()
    {
        using Tensor train = MnistIdx.ReadLabels(TestData.PathOf("mnist", "train-labels-idx1-ubyte.gz"));
        using Tensor test = MnistIdx.ReadLabels(TestData.PathOf("mnist", "t10k-labels-idx1-ubyte.gz"));

        train.shape.Should().Equal(60_000);
        test.shape.Should().Equal(10_000);
        train.dtype.Should().Be(ScalarType.Int64);
        byte[] trainBytes = train.data<long>().Select(l => (byte)l).ToArray();
        ContentSha256(Header(2049, 60_000), trainBytes).Should().Be("65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5");
        ContentSha256(Header(2049, 10_000), test.data<long>().Select(l => (byte)l).ToArray())
            .Should().Be("ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2");
        train[..10].data<long>().ToArray().Should().Equal(5, 0, 4, 1, 9, 2, 1, 3, 1, 4);
        test[..10].data<long>().ToArray().Should().Equal(7, 2, 1, 0, 4, 1, 4, 9, 5, 9);
    }

    [Fact]
    public void Load_RealTest_GivesLabelledSetWithFullValueRange()
    {
        using SampleSet set = MnistIdx.Load(TestData.PathOf("mnist", "t10k-images-idx3-ubyte.gz"), TestData.PathOf("mnist", "t10k-labels-idx1-ubyte.gz"), "MNIST test");

        set.Count.Should().Be(10_000);
        set.Shape.Should().Be(SampleShape.Image(1, 28, 28));
        set.ClassCount.Should().Be(10);
        set.Samples.min().item<byte>().Should().Be(0);
        set.Samples.max().item<byte>().Should().Be(255);
        set.Labels!.bincount(null, 0).data<long>().ToArray().Should().Equal(980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Load_SyntheticRawOrGzip_RoundTrips(bool gzip)
    {
        byte[] pixels = TestPng.RandomBytes(3 * 4 * 5, seed: 11);
        string images = Write("img", [.. Header(2051, 3, 4, 5), .. pixels], gzip);
        string labels = Write("lbl", [.. Header(2049, 3), 9, 0, 4], gzip);

        using SampleSet set = MnistIdx.Load(images, labels, "tiny");

        set.Samples.shape.Should().Equal(3, 1, 4, 5);
        set.Samples.bytes.ToArray().Should().Equal(pixels);
        set.Labels!.data<long>().ToArray().Should().Equal(9, 0, 4);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void ReadImages_Truncated_ThrowsNamingFileAndSizes(bool gzip)
    {
        string path = Write("trunc", [.. Header(2051, 10, 28, 28), .. new byte[(10 * 784) - 100]], gzip);

        Action act = () => MnistIdx.ReadImages(path).Dispose();

        act.Should().Throw<DataFormatException>().Where(e => e.FilePath == path)
            .WithMessage("*truncated*10 images of 28×28*Download it again*");
    }

    [Fact]
    public void ReadImages_GzipCutShort_ThrowsNamingFile()
    {
        byte[] whole = File.ReadAllBytes(Write("whole", [.. Header(2051, 50, 28, 28), .. TestPng.RandomBytes(50 * 784, 5)], gzip: true));
        string path = _temp.Combine("cut.gz");
        File.WriteAllBytes(path, whole[..(whole.Length / 2)]);

        Action act = () => MnistIdx.ReadImages(path).Dispose();

        act.Should().Throw<DataFormatException>().Where(e => e.FilePath == path);
    }

    [Fact]
    public void ReadImages_TrailingBytes_Throws()
    {
        string path = Write("long", [.. Header(2051, 1, 2, 2), 1, 2, 3, 4, 5], gzip: false);
        Action act = () => MnistIdx.ReadImages(path).Dispose();
        act.Should().Throw<DataFormatException>().WithMessage("*1 bytes after*");
    }

    [Fact]
    public void ReadImages_WrongMagic_ThrowsWithFoundAndExpected()
    {
        string path = Write("magic", [.. Header(1234, 1, 2, 2), 1, 2, 3, 4], gzip: true);
        Action act = () => MnistIdx.ReadImages(path).Dispose();
        act.Should().Throw<DataFormatException>().Where(e => e.FilePath == path).WithMessage("*magic number 1234*2051*");
    }

    [Fact]
    public void ReadImages_GivenLabelFile_SaysFilesAreSwapped()
    {
        string path = Write("labels-as-images", [.. Header(2049, 2), 1, 2], gzip: false);
        Action act = () => MnistIdx.ReadImages(path).Dispose();
        act.Should().Throw<DataFormatException>().WithMessage("*label file (magic 2049)*swapped*");
    }

    [Fact]
    public void Load_CountMismatch_ThrowsNamingBothFiles()
    {
        string images = Write("img3", [.. Header(2051, 3, 1, 1), 1, 2, 3], gzip: false);
        string labels = Write("lbl2", [.. Header(2049, 2), 1, 2], gzip: false);

        Action act = () => MnistIdx.Load(images, labels, "pair").Dispose();

        act.Should().Throw<DataFormatException>().Where(e => e.FilePath == labels && e.Message.Contains(images))
            .WithMessage("*2 labels*3 images*matching pair*");
    }

    [Fact]
    public void ReadLabels_LabelOutOfRange_ThrowsWithIndex()
    {
        string path = Write("range", [.. Header(2049, 3), 1, 12, 3], gzip: false);
        Action act = () => MnistIdx.ReadLabels(path).Dispose();
        act.Should().Throw<DataFormatException>().WithMessage("*label 1 is 12*[0, 10)*");
    }

    [Fact]
    public void ReadImages_HeaderAnnouncesMoreThanBound_ThrowsBeforeAllocating()
    {
        string path = Write("bomb", [.. Header(2051, 2_000_000, 28, 28), 0, 0], gzip: true);

        Action act = () => MnistIdx.ReadImages(path, new DataLoadOptions { MaxDecompressedBytes = 1 << 20 }).Dispose();

        act.Should().Throw<DataFormatException>().WithMessage("*more than the limit of 1,048,576*");
    }

    [Fact]
    public void ReadImages_MissingFile_ThrowsFileNotFoundWithPath()
    {
        string path = _temp.Combine("nope.gz");
        Action act = () => MnistIdx.ReadImages(path).Dispose();
        act.Should().Throw<FileNotFoundException>().Where(e => e.FileName == path && e.Message.Contains(path));
    }

    [Fact]
    public void ReadImages_EmptyFile_ThrowsTooFewBytes()
    {
        string path = _temp.Combine("empty");
        File.WriteAllBytes(path, []);
        Action act = () => MnistIdx.ReadImages(path).Dispose();
        act.Should().Throw<DataFormatException>().WithMessage("*only 0 bytes*header*");
    }

    internal static byte[] Header(int magic, params int[] dims)
    {
        var header = new byte[4 * (dims.Length + 1)];
        BinaryPrimitives.WriteInt32BigEndian(header, magic);
        for (int i = 0; i < dims.Length; i++) BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(4 * (i + 1)), dims[i]);
        return header;
    }

    private static string ContentSha256(byte[] header, byte[] payload) => Convert.ToHexStringLower(SHA256.HashData([.. header, .. payload]));

    private string Write(string name, byte[] content, bool gzip)
    {
        string path = _temp.Combine(name + (gzip ? ".gz" : string.Empty));
        if (!gzip)
        {
            File.WriteAllBytes(path, content);
            return path;
        }

        using var file = File.Create(path);
        using var z = new GZipStream(file, CompressionLevel.Fastest);
        z.Write(content);
        return path;
    }
}
