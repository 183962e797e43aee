using DomainAdaptation.Data;
using DomainAdaptation.Data.Caching;
using DomainAdaptation.Data.Formats;
using DomainAdaptation.Tests.Data.Formats;
using DomainAdaptation.Tests.TestSupport;
using Microsoft.Extensions.Logging;
using TorchSharp;
using static TorchSharp.torch;

namespace DomainAdaptation.Tests.Data.Caching;

public class DecodedSetCacheTests : IDisposable
{
    private const int CacheHit = 4001;
    private const int CacheMiss = 4002;
    private const int CacheCorrupt = 4005;

    private readonly TempDirectory _temp = new();
    private readonly SyntheticMnistM _release = SyntheticMnistM.Create(10, seed: 9);

    public void Dispose() => _temp.Dispose();

    private DataLoadOptions Options => new() { CacheDirectory = _temp.Combine("cache") };

    [Fact]
    public void Load_SecondTime_ComesFromCache()
    {
        string archive = _release.WriteArchive(_temp.Combine("mnist_m.tar.gz"));
        var logger = new OutputLogger();

        using (SampleSet first = MnistM.Load(archive, DataSplit.Test, Options, logger)) MnistMTests.AssertMatches(first, _release);
        using SampleSet second = MnistM.Load(archive, DataSplit.Test, Options, logger);

        MnistMTests.AssertMatches(second, _release);
        Events(logger).Should().Equal(CacheMiss, 4004, CacheHit);
        Directory.GetFiles(_temp.Combine("cache"), "*" + DecodedSetCache.Extension).Should().ContainSingle();
        Directory.GetFiles(_temp.Combine("cache"), "*.tmp").Should().BeEmpty("the cache is written to a temporary file and renamed");
    }

    [Theory]
    [InlineData("flip-payload")]
    [InlineData("flip-label")]
    [InlineData("truncate")]
    [InlineData("garbage")]
    [InlineData("empty")]
    public void Load_CorruptCache_IsRebuiltNotTrusted(string damage)
    {
        string archive = _release.WriteArchive(_temp.Combine("mnist_m.tar.gz"));
        MnistM.Load(archive, DataSplit.Test, Options).Dispose();
        string cacheFile = Directory.GetFiles(_temp.Combine("cache"), "*" + DecodedSetCache.Extension).Single();
        byte[] bytes = File.ReadAllBytes(cacheFile);
        switch (damage)
        {
            case "flip-payload": bytes[200] ^= 0x40; break;
            case "flip-label": bytes[^(32 + 8)] ^= 0x01; break;
            case "truncate": bytes = bytes[..(bytes.Length - 100)]; break;
            case "garbage": bytes = TestPng.RandomBytes(bytes.Length, 3); break;
            case "empty": bytes = []; break;
        }

        File.WriteAllBytes(cacheFile, bytes);
        var logger = new OutputLogger();

        using SampleSet set = MnistM.Load(archive, DataSplit.Test, Options, logger);

        MnistMTests.AssertMatches(set, _release);
        Events(logger).Should().Equal(CacheCorrupt, 4004);
        using SampleSet again = MnistM.Load(archive, DataSplit.Test, Options, logger);
        Events(logger).Last().Should().Be(CacheHit, "the rebuilt cache is good");
    }

    [Fact]
    public void Load_ArchiveChanged_CacheIsRebuilt()
    {
        string archive = _release.WriteArchive(_temp.Combine("mnist_m.tar.gz"));
        MnistM.Load(archive, DataSplit.Test, Options).Dispose();
        SyntheticMnistM changed = SyntheticMnistM.Create(10, seed: 10);
        changed.WriteArchive(archive);
        var logger = new OutputLogger();

        using SampleSet set = MnistM.Load(archive, DataSplit.Test, Options, logger);

        MnistMTests.AssertMatches(set, changed);
        logger.Entries.First().Message.Should().Contain("the source changed");
        Directory.GetFiles(_temp.Combine("cache"), "*" + DecodedSetCache.Extension).Should().ContainSingle("the entry is replaced, not accumulated");
    }

    [Fact]
    public void Load_FolderImageChanged_CacheIsRebuilt()
    {
        string folder = _release.WriteFolder(_temp.Combine("extracted"));
        MnistM.Load(folder, DataSplit.Test, Options).Dispose();
        SyntheticMnistM changed = SyntheticMnistM.Create(10, seed: 11);
        string image = Path.Combine(folder, "mnist_m_test", _release.Names[4]);
        File.WriteAllBytes(image, changed.Png[4]);
        File.SetLastWriteTimeUtc(image, DateTime.UtcNow.AddMinutes(1));
        var logger = new OutputLogger();

        using SampleSet set = MnistM.Load(folder, DataSplit.Test, Options, logger);

        logger.Entries.First().Message.Should().Contain("the source changed");
        set.Samples[4].bytes.ToArray().Should().Equal(changed.Planar[4]);
    }

    [Fact]
    public void Load_FolderLabelChanged_CacheIsRebuilt()
    {
        string folder = _release.WriteFolder(_temp.Combine("extracted"));
        MnistM.Load(folder, DataSplit.Test, Options).Dispose();
        string text = _release.LabelText.Replace($"{_release.Names[0]} {_release.Labels[0]}", $"{_release.Names[0]} {(_release.Labels[0] + 1) % 10}", StringComparison.Ordinal);
        File.WriteAllText(Path.Combine(folder, "mnist_m_test_labels.txt"), text);

        using SampleSet set = MnistM.Load(folder, DataSplit.Test, Options);

        set.Labels![0].item<long>().Should().Be((_release.Labels[0] + 1) % 10);
    }

    [Fact]
    public void Load_CacheDisabled_WritesNothing()
    {
        string archive = _release.WriteArchive(_temp.Combine("mnist_m.tar.gz"));
        var options = Options;
        options.UseCache = false;

        MnistM.Load(archive, DataSplit.Test, options).Dispose();

        Directory.Exists(_temp.Combine("cache")).Should().BeFalse();
    }

    [Fact]
    public void Store_UnwritableFolder_LogsAndStillLoads()
    {
        string archive = _release.WriteArchive(_temp.Combine("mnist_m.tar.gz"));
        string blocker = _temp.Combine("not-a-folder");
        File.WriteAllText(blocker, "a file where the cache folder should be");
        var logger = new OutputLogger();

        using SampleSet set = MnistM.Load(archive, DataSplit.Test, new DataLoadOptions { CacheDirectory = blocker }, logger);

        MnistMTests.AssertMatches(set, _release);
        logger.Entries.Should().Contain(e => e.Id.Id == 4003);
    }

    private static int[] Events(OutputLogger logger) => logger.Entries.Select(e => e.Id.Id).ToArray();
}
