using System.IO.Compression;
using DomainAdaptation.Data;
using DomainAdaptation.Data.Datasets;
using DomainAdaptation.Data.Download;
using DomainAdaptation.Tests.TestSupport;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace DomainAdaptation.Tests.Data.Datasets;

/// <summary>
/// A damaged data file gives one message whichever way it is read: through the resolver (what the sample's
/// <c>--data DIR</c> does) and through <see cref="DigitDatasets.MnistToMnistM"/> (what a user's code does).
/// Each case is a copy of the real data root with one file damaged; the others are symbolic links to the real files.
/// </summary>
public sealed class CorruptDataMessagesTests : IDisposable
{
    private readonly TempDirectory _root = new();

    public CorruptDataMessagesTests()
    {
        foreach (DataFile file in KnownDataFiles.MnistToMnistM)
        {
            string real = Path.Combine(TestData.Root, file.RelativePath);
            File.Exists(real).Should().BeTrue($"the real data file {real} is needed (DOMAINADAPTATION_DATA or ../shared/data)");
            string link = _root.Combine(file.RelativePath.Split('/'));
            Directory.CreateDirectory(Path.GetDirectoryName(link)!);
            File.CreateSymbolicLink(link, real);
        }
    }

    public void Dispose() => _root.Dispose();

    [Fact]
    public async Task MnistToMnistM_TruncatedGzipLabels_SameErrorAsResolver()
    {
        byte[] real = File.ReadAllBytes(Path.Combine(TestData.Root, "mnist", "t10k-labels-idx1-ubyte.gz"));
        Replace("mnist/t10k-labels-idx1-ubyte.gz", real[..(real.Length / 2)]);

        (Exception api, Exception resolver) = await BothPaths();

        api.Should().BeAssignableTo<IOException>();
        api.GetType().Should().Be(resolver.GetType());
        api.Message.Should().Be(resolver.Message).And.Contain(_root.Combine("mnist", "t10k-labels-idx1-ubyte.gz"));
    }

    [Fact]
    public async Task MnistToMnistM_TruncatedMnistMArchive_SameChecksumErrorAsResolver()
    {
        using (FileStream real = File.OpenRead(Path.Combine(TestData.Root, "mnist_m", "mnist_m.tar.gz")))
        {
            byte[] head = new byte[1 << 20];
            real.ReadExactly(head);
            Replace("mnist_m/mnist_m.tar.gz", head);
        }

        (Exception api, Exception resolver) = await BothPaths();

        var checksum = api.Should().BeOfType<DataChecksumException>().Which;
        checksum.File.Should().Be(KnownDataFiles.MnistMArchive);
        api.Message.Should().Be(resolver.Message).And.Contain("mnist_m.tar.gz").And.Contain(KnownDataFiles.MnistMArchive.Sha256)
            .And.Contain("replace it with the original");
    }

    [Fact]
    public async Task MnistToMnistM_RawLabelsWithOneByteChanged_SameChecksumErrorAsResolver()
    {
        byte[] labels = Gunzip(Path.Combine(TestData.Root, "mnist", "t10k-labels-idx1-ubyte.gz"));
        labels[100] = (byte)((labels[100] + 1) % 10);   // still a valid IDX file: only the checksum can tell
        File.Delete(_root.Combine("mnist", "t10k-labels-idx1-ubyte.gz"));
        File.WriteAllBytes(_root.Combine("mnist", "t10k-labels-idx1-ubyte"), labels);

        (Exception api, Exception resolver) = await BothPaths();

        api.Should().BeOfType<DataChecksumException>().Which.Path.Should().Be(_root.Combine("mnist", "t10k-labels-idx1-ubyte"));
        api.Message.Should().Be(resolver.Message).And.Contain("content SHA-256");
    }

    [Fact]
    public void LoadMnist_ChangedLabelsWithVerificationOff_ReadsThem()
    {
        byte[] labels = Gunzip(Path.Combine(TestData.Root, "mnist", "t10k-labels-idx1-ubyte.gz"));
        labels[100] = (byte)((labels[100] + 1) % 10);
        File.Delete(_root.Combine("mnist", "t10k-labels-idx1-ubyte.gz"));
        File.WriteAllBytes(_root.Combine("mnist", "t10k-labels-idx1-ubyte"), labels);

        Action verified = () => DigitDatasets.LoadMnist(_root.Path, DataSplit.Test).Dispose();
        verified.Should().Throw<DataChecksumException>();

        using SampleSet test = DigitDatasets.LoadMnist(_root.Path, DataSplit.Test, new DataLoadOptions { VerifyKnownChecksums = false });
        test.Labels!.data<long>()[100 - 8].Should().Be(labels[100], "the file is read as it is (label 92 sits at byte 100: 8 header bytes)");
    }

    private async Task<(Exception Api, Exception Resolver)> BothPaths()
    {
        Action api = () => DigitDatasets.MnistToMnistM(_root.Path, options: new DataLoadOptions { UseCache = false }).Dispose();
        Exception apiError = api.Should().Throw<Exception>().Which;

        var options = new DataSetResolverOptions { DataDirectory = _root.Path, Offline = true, CacheDirectory = _root.Combine("cache") };
        using var resolver = new DataSetResolver(Options.Create(options), NullLogger<DataSetResolver>.Instance);
        Func<Task> resolve = () => resolver.ResolveAllAsync(KnownDataFiles.MnistToMnistM);
        Exception resolverError = (await resolve.Should().ThrowAsync<Exception>()).Which;
        return (apiError, resolverError);
    }

    private void Replace(string relativePath, byte[] content)
    {
        string path = _root.Combine(relativePath.Split('/'));
        File.Delete(path);
        File.WriteAllBytes(path, content);
    }

    private static byte[] Gunzip(string path)
    {
        using var gzip = new GZipStream(File.OpenRead(path), CompressionMode.Decompress);
        using var memory = new MemoryStream();
        gzip.CopyTo(memory);
        return memory.ToArray();
    }
}
