using System.IO.Compression;
using DomainAdaptation.Data.Download;
using DomainAdaptation.Tests.Data.Generation;
using Microsoft.Extensions.Options;
using Xunit.Abstractions;

namespace DomainAdaptation.Tests.Data.Download;

/// <summary>
/// The resolver against a real HTTP server on 127.0.0.1 serving the files of the shared data folder. No test contacts
/// any other address: every mirror is the loopback server.
/// </summary>
public sealed class DataSetResolverTests : IDisposable
{
    private static readonly DataFile Labels = KnownDataFiles.MnistTestLabels; // 4.5 KB: keeps the downloads fast
    private readonly string _root = Path.Combine(Path.GetTempPath(), "da-resolver-" + Guid.NewGuid().ToString("N"));
    private readonly HttpClient _http = new();
    private readonly ITestOutputHelper _output;

    public DataSetResolverTests(ITestOutputHelper output)
    {
        _output = output;
        Directory.CreateDirectory(_root);
    }

    private string Cache => Path.Combine(_root, "cache");

    [Fact]
    public async Task ResolveAsync_GoodDownload_VerifiesStoresInCacheAndReportsProgress()
    {
        byte[] served = SharedBytes(Labels.RelativePath);
        await using var server = new LoopbackHttpServer((path, _) => path == "/m1/" + Labels.RelativePath ? new ServerResponse.Body(served) : new ServerResponse.Status(404, "Not Found"));
        using DataSetResolver resolver = Resolver(Options(server, "m1"));
        var progress = new RecordingProgress();

        ResolvedDataFile resolved = await resolver.ResolveAsync(Labels, progress);

        resolved.Source.Should().Be(DataFileSource.Downloaded);
        resolved.Verified.Should().BeTrue();
        resolved.Path.Should().Be(Path.Combine(Cache, "mnist", "t10k-labels-idx1-ubyte.gz"));
        File.ReadAllBytes(resolved.Path).Should().Equal(served);
        progress.Reports.Should().NotBeEmpty();
        progress.Reports[^1].Should().Be(new DownloadProgress(Labels, new Uri(server.BaseUri, "m1/" + Labels.RelativePath), served.Length, served.Length));
        FilesUnder(Cache).Should().ContainSingle("no temporary file is left");

        ResolvedDataFile again = await resolver.ResolveAsync(Labels);

        again.Source.Should().Be(DataFileSource.Cache);
        again.Path.Should().Be(resolved.Path);
        server.Requests.Should().HaveCount(1, "the second resolution comes from the cache");
    }

    [Fact]
    public async Task ResolveAsync_FileChecksum_DownloadsABsdsImage()
    {
        DataFile image = KnownDataFiles.Bsds500Train[0];
        await using var server = new LoopbackHttpServer((path, _) => new ServerResponse.Body(SharedBytes(path["/m1/".Length..])));
        using DataSetResolver resolver = Resolver(Options(server, "m1"));

        ResolvedDataFile resolved = await resolver.ResolveAsync(image);

        resolved.Path.Should().Be(Path.Combine(Cache, "bsds500", "train", "100075.jpg"));
        File.ReadAllBytes(resolved.Path).Should().Equal(SharedBytes("bsds500/train/100075.jpg"));
    }

    [Theory]
    [InlineData("other file")]
    [InlineData("flipped byte")]
    public async Task ResolveAsync_CorruptedFile_ThrowsChecksumErrorAndLeavesNothingBehind(string corruption)
    {
        byte[] bad = corruption == "other file"
            ? SharedBytes("mnist/train-labels-idx1-ubyte.gz") // valid gzip, wrong content
            : Flip(SharedBytes(Labels.RelativePath), 200);
        await using var server = new LoopbackHttpServer((_, _) => new ServerResponse.Body(bad));
        using DataSetResolver resolver = Resolver(Options(server, "m1"));

        Func<Task> act = () => resolver.ResolveAsync(Labels);

        var error = (await act.Should().ThrowAsync<DataFileUnavailableException>()).Which;
        error.MissingFiles.Should().Equal(Labels);
        if (corruption == "other file")
        {
            error.Message.Should().Contain("checksum mismatch").And.Contain(Labels.Sha256);
            error.InnerException.Should().BeOfType<DataChecksumException>();
        }
        else
        {
            error.Message.Should().MatchRegex("checksum mismatch|not valid");
        }

        server.Requests.Should().HaveCount(1, "a checksum error is not retried on the same mirror");
        FilesUnder(_root).Should().BeEmpty("a failed download leaves nothing behind");
    }

    [Fact]
    public async Task ResolveAsync_404OnFirstMirror_FallsToTheNextMirror()
    {
        byte[] served = SharedBytes(Labels.RelativePath);
        await using var server = new LoopbackHttpServer((path, _) =>
            path.StartsWith("/m2/", StringComparison.Ordinal) ? new ServerResponse.Body(served) : new ServerResponse.Status(404, "Not Found"));
        using DataSetResolver resolver = Resolver(Options(server, "m1", "m2"));

        ResolvedDataFile resolved = await resolver.ResolveAsync(Labels);

        resolved.Source.Should().Be(DataFileSource.Downloaded);
        server.Requests.Should().Equal("/m1/" + Labels.RelativePath, "/m2/" + Labels.RelativePath);
    }

    [Fact]
    public async Task ResolveAsync_ConnectionCutMidFile_RetriesAndSucceeds()
    {
        byte[] served = SharedBytes(Labels.RelativePath);
        await using var server = new LoopbackHttpServer((_, hit) =>
            hit == 1 ? new ServerResponse.CutAfter(served, served.Length / 2) : new ServerResponse.Body(served));
        using DataSetResolver resolver = Resolver(Options(server, "m1"));

        ResolvedDataFile resolved = await resolver.ResolveAsync(Labels);

        File.ReadAllBytes(resolved.Path).Should().Equal(served);
        server.Requests.Should().HaveCount(2, "the cut transfer is retried once on the same mirror");
        FilesUnder(Cache).Should().ContainSingle();
    }

    [Fact]
    public async Task ResolveAsync_ServerErrors_RetriesUpToTheLimitThenTriesTheNextMirror()
    {
        byte[] served = SharedBytes(Labels.RelativePath);
        await using var server = new LoopbackHttpServer((path, _) =>
            path.StartsWith("/m1/", StringComparison.Ordinal) ? new ServerResponse.Status(503, "Service Unavailable") : new ServerResponse.Body(served));
        using DataSetResolver resolver = Resolver(Options(server, "m1", "m2"));

        await resolver.ResolveAsync(Labels);

        server.Requests.Should().Equal(Enumerable.Repeat("/m1/" + Labels.RelativePath, 3).Append("/m2/" + Labels.RelativePath));
    }

    [Fact]
    public async Task ResolveAllAsync_EveryMirrorFails_ErrorNamesEachUrlAndReason()
    {
        await using var server = new LoopbackHttpServer((_, _) => new ServerResponse.Status(404, "Not Found"));
        using DataSetResolver resolver = Resolver(Options(server, "m1", "m2"));

        Func<Task> act = () => resolver.ResolveAllAsync([Labels]);

        string message = (await act.Should().ThrowAsync<DataFileUnavailableException>()).Which.Message;
        _output.WriteLine(message);
        message.Should().Contain("could not be downloaded")
            .And.Contain($"{server.BaseUri}m1/{Labels.RelativePath} (attempt 1): HTTP 404 Not Found")
            .And.Contain($"{server.BaseUri}m2/{Labels.RelativePath} (attempt 1): HTTP 404 Not Found");
        FilesUnder(_root).Should().BeEmpty();
    }

    [Fact]
    public async Task ResolveAllAsync_Offline_ErrorListsEveryFileAndWhereToPutIt()
    {
        await using var server = new LoopbackHttpServer((_, _) => new ServerResponse.Status(500, "Should Not Be Asked"));
        DataSetResolverOptions options = Options(server, "m1");
        options.Offline = true;
        options.DataDirectory = Path.Combine(_root, "explicit");
        Directory.CreateDirectory(options.DataDirectory);
        using DataSetResolver resolver = Resolver(options);

        Func<Task> act = () => resolver.ResolveAllAsync(KnownDataFiles.MnistToMnistM);

        var error = (await act.Should().ThrowAsync<DataFileUnavailableException>()).Which;
        _output.WriteLine(error.Message);
        error.MissingFiles.Should().Equal(KnownDataFiles.MnistToMnistM);
        error.Message.Should().StartWith("5 data files are not available and downloads are off (DataSetResolverOptions.Offline = true).");
        foreach (DataFile file in KnownDataFiles.MnistToMnistM)
        {
            error.Message.Should().Contain(file.RelativePath).And.Contain(file.Sha256)
                .And.Contain(Path.Combine(_root, "explicit", file.RelativePath))
                .And.Contain(Path.Combine(Cache, file.RelativePath));
        }

        error.Message.Should().Contain("<environment variable DOMAINADAPTATION_DATA, not set>/mnist/train-images-idx3-ubyte.gz")
            .And.Contain("turn Offline off");
        server.Requests.Should().BeEmpty("offline mode downloads nothing");
    }

    [Fact]
    public async Task ResolveAsync_Offline_FileOnDisk_Succeeds()
    {
        string env = Path.Combine(_root, "env");
        Place(env, Labels.RelativePath);
        var options = new DataSetResolverOptions { Offline = true, CacheDirectory = Cache };
        using DataSetResolver resolver = Resolver(options, env);

        (await resolver.ResolveAsync(Labels)).Source.Should().Be(DataFileSource.EnvironmentDirectory);
    }

    [Fact]
    public async Task ResolveAllAsync_ExplicitFolderMissing_FailsAtOnceNamingIt()
    {
        int requests = 0;
        await using var server = new LoopbackHttpServer((_, _) => { Interlocked.Increment(ref requests); return new ServerResponse.Status(500, "Should Not Be Asked"); });
        DataSetResolverOptions options = Options(server, "m1");
        options.DataDirectory = Path.Combine(_root, "mistyped");
        using DataSetResolver resolver = Resolver(options);

        Func<Task> act = () => resolver.ResolveAllAsync(KnownDataFiles.MnistToMnistM);

        (await act.Should().ThrowAsync<DirectoryNotFoundException>()).Which.Message
            .Should().Contain(Path.Combine(_root, "mistyped")).And.Contain("DataSetResolverOptions.DataDirectory").And.Contain("does not exist");
        requests.Should().Be(0, "a mistyped folder never turns into a download");
    }

    [Fact]
    public async Task ResolveAsync_Order_ExplicitThenEnvironmentThenCache()
    {
        string explicitFolder = Path.Combine(_root, "explicit");
        string env = Path.Combine(_root, "env");
        foreach (string folder in new[] { explicitFolder, env, Cache }) Place(folder, Labels.RelativePath);
        var options = new DataSetResolverOptions { DataDirectory = explicitFolder, CacheDirectory = Cache, Offline = true };
        using DataSetResolver resolver = Resolver(options, env);

        ResolvedDataFile first = await resolver.ResolveAsync(Labels);
        File.Delete(first.Path);
        ResolvedDataFile second = await resolver.ResolveAsync(Labels);
        File.Delete(second.Path);
        ResolvedDataFile third = await resolver.ResolveAsync(Labels);

        (first.Source, first.Path).Should().Be((DataFileSource.ExplicitDirectory, Path.Combine(explicitFolder, "mnist", "t10k-labels-idx1-ubyte.gz")));
        (second.Source, second.Path).Should().Be((DataFileSource.EnvironmentDirectory, Path.Combine(env, "mnist", "t10k-labels-idx1-ubyte.gz")));
        (third.Source, third.Path).Should().Be((DataFileSource.Cache, Path.Combine(Cache, "mnist", "t10k-labels-idx1-ubyte.gz")));
        third.Verified.Should().BeTrue();
    }

    [Fact]
    public async Task ResolveAsync_RealSharedDataFolderAsEnvironment_VerifiesAllMnistAndMnistMFiles()
    {
        using DataSetResolver resolver = Resolver(new DataSetResolverOptions { Offline = true, CacheDirectory = Cache }, SharedDataFolder.Root);

        IReadOnlyList<ResolvedDataFile> resolved = await resolver.ResolveAllAsync(KnownDataFiles.MnistToMnistM);

        resolved.Should().OnlyContain(r => r.Source == DataFileSource.EnvironmentDirectory && r.Verified);
    }

    [Fact]
    public async Task ResolveAsync_DecompressedCopy_IsAcceptedByContentChecksum()
    {
        string env = Path.Combine(_root, "env");
        string raw = Path.Combine(env, "mnist", "t10k-labels-idx1-ubyte");
        Directory.CreateDirectory(Path.GetDirectoryName(raw)!);
        using (var gzip = new GZipStream(new MemoryStream(SharedBytes(Labels.RelativePath)), CompressionMode.Decompress))
        using (FileStream output = File.Create(raw))
        {
            gzip.CopyTo(output);
        }

        using DataSetResolver resolver = Resolver(new DataSetResolverOptions { Offline = true, CacheDirectory = Cache }, env);

        ResolvedDataFile resolved = await resolver.ResolveAsync(Labels);

        resolved.Path.Should().Be(raw);
        resolved.Verified.Should().BeTrue();
    }

    [Fact]
    public async Task ResolveAsync_WrongFileInEnvironmentFolder_ThrowsNamingItAndTheFix()
    {
        string env = Path.Combine(_root, "env");
        string path = Path.Combine(env, "mnist", "t10k-labels-idx1-ubyte.gz");
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, SharedBytes("mnist/train-labels-idx1-ubyte.gz"));
        using DataSetResolver resolver = Resolver(new DataSetResolverOptions { Offline = true, CacheDirectory = Cache }, env);

        Func<Task> act = () => resolver.ResolveAsync(Labels);

        var error = (await act.Should().ThrowAsync<DataChecksumException>()).Which;
        error.Path.Should().Be(path);
        error.ActualSha256.Should().Be("65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5", "it is the train labels' content");
        error.Message.Should().Contain($"'{path}'").And.Contain("expected " + Labels.Sha256).And.Contain("DOMAINADAPTATION_DATA folder").And.Contain("Replace it");
    }

    [Fact]
    public async Task ResolveAsync_CorruptCachedCopy_IsDeletedAndDownloadedAgain()
    {
        string cached = Path.Combine(Cache, "mnist", "t10k-labels-idx1-ubyte.gz");
        Directory.CreateDirectory(Path.GetDirectoryName(cached)!);
        File.WriteAllBytes(cached, Flip(SharedBytes(Labels.RelativePath), 100));
        byte[] served = SharedBytes(Labels.RelativePath);
        await using var server = new LoopbackHttpServer((_, _) => new ServerResponse.Body(served));
        using DataSetResolver resolver = Resolver(Options(server, "m1"));

        ResolvedDataFile resolved = await resolver.ResolveAsync(Labels);

        resolved.Source.Should().Be(DataFileSource.Downloaded);
        File.ReadAllBytes(cached).Should().Equal(served);
    }

    [Fact]
    public async Task ResolveAsync_CancelledMidDownload_ThrowsAndLeavesNothingBehind()
    {
        byte[] served = SharedBytes(Labels.RelativePath);
        await using var server = new LoopbackHttpServer((_, _) => new ServerResponse.Stall(served, 1000));
        using DataSetResolver resolver = Resolver(Options(server, "m1"));
        using var cancel = new CancellationTokenSource();
        var progress = new RecordingProgress(onReport: p =>
        {
            if (p.BytesReceived == 0) cancel.CancelAfter(200);
        });

        Func<Task> act = () => resolver.ResolveAsync(Labels, progress, cancel.Token);

        await act.Should().ThrowAsync<OperationCanceledException>();
        FilesUnder(_root).Should().BeEmpty();
    }

    [Fact]
    public async Task ResolveAsync_AttemptTimeout_IsRetriedAsTransient()
    {
        byte[] served = SharedBytes(Labels.RelativePath);
        await using var server = new LoopbackHttpServer((_, hit) => hit == 1 ? new ServerResponse.Stall(served, 10) : new ServerResponse.Body(served));
        DataSetResolverOptions options = Options(server, "m1");
        options.AttemptTimeout = TimeSpan.FromSeconds(1);
        using DataSetResolver resolver = Resolver(options);

        ResolvedDataFile resolved = await resolver.ResolveAsync(Labels);

        resolved.Source.Should().Be(DataFileSource.Downloaded);
        server.Requests.Should().HaveCount(2);
    }

    [Fact]
    public void DefaultCacheDirectory_FollowsXdgCacheHomeThenHome()
    {
        if (OperatingSystem.IsWindows()) return; // LocalApplicationData there

        DataSetResolver.DefaultCacheDirectory(name => name == "XDG_CACHE_HOME" ? "/xdg/cache" : "/home/ann")
            .Should().Be("/xdg/cache/DomainAdaptation");
        DataSetResolver.DefaultCacheDirectory(name => name == "HOME" ? "/home/ann" : null)
            .Should().Be("/home/ann/.cache/DomainAdaptation");
        DataSetResolver.DefaultCacheDirectory(name => name == "XDG_CACHE_HOME" ? "relative/cache" : name == "HOME" ? "/home/ann" : null)
            .Should().Be("/home/ann/.cache/DomainAdaptation", "a relative XDG_CACHE_HOME is ignored, as the XDG spec says");
    }

    [Fact]
    public void Constructor_NoMirrorsConfigured_UsesTheDefaultMirrorsWithTrailingSlashes()
    {
        using var resolver = new DataSetResolver(_http, Microsoft.Extensions.Options.Options.Create(new DataSetResolverOptions { CacheDirectory = Cache }));

        resolver.Mirrors.Should().Equal(DataSetResolverOptions.DefaultMirrors);
        resolver.Mirrors.Should().OnlyContain(m => m.AbsoluteUri.EndsWith('/'));
        resolver.CacheDirectory.Should().Be(Cache);
    }

    [Fact]
    public void Constructor_InvalidOptions_ThrowsWithEveryFailure()
    {
        var options = new DataSetResolverOptions
        {
            Mirrors = [new Uri("ftp://example.invalid/data/"), new Uri("relative/path", UriKind.Relative)],
            MaxAttemptsPerMirror = 0,
            InitialRetryDelay = TimeSpan.FromSeconds(5),
            MaxRetryDelay = TimeSpan.FromSeconds(1),
            AttemptTimeout = TimeSpan.Zero,
            MaxDownloadBytes = 0,
            DataDirectory = " ",
        };

        Action act = () => _ = new DataSetResolver(_http, Microsoft.Extensions.Options.Options.Create(options));

        act.Should().Throw<OptionsValidationException>().Which.Failures.Should().BeEquivalentTo(
        [
            "DataSetResolverOptions.DataDirectory must be null or a folder path, but was ' '.",
            "DataSetResolverOptions.Mirrors[0] must be an absolute http:// or https:// URL, but was 'ftp://example.invalid/data/'.",
            "DataSetResolverOptions.Mirrors[1] must be an absolute http:// or https:// URL, but was 'relative/path'.",
            "DataSetResolverOptions.MaxAttemptsPerMirror must lie in [1, 20], but was 0.",
            "DataSetResolverOptions.InitialRetryDelay (00:00:05) and MaxRetryDelay (00:00:01) must be 0 or more, with InitialRetryDelay ≤ MaxRetryDelay.",
            "DataSetResolverOptions.AttemptTimeout must be positive (or Timeout.InfiniteTimeSpan), but was 00:00:00.",
            "DataSetResolverOptions.MaxDownloadBytes must be 1 or more, but was 0.",
        ]);
    }

    [Fact]
    public void Validator_DefaultOptions_Succeed()
    {
        new DataSetResolverOptionsValidator().Validate(null, new DataSetResolverOptions()).Succeeded.Should().BeTrue();
    }

    public void Dispose()
    {
        _http.Dispose();
        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private static byte[] SharedBytes(string relativePath) => File.ReadAllBytes(SharedDataFolder.Require(relativePath));

    private static byte[] Flip(byte[] bytes, int at)
    {
        byte[] copy = (byte[])bytes.Clone();
        copy[at] ^= 0x5A;
        return copy;
    }

    private static void Place(string folder, string relativePath)
    {
        string path = Path.Combine(folder, relativePath);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, SharedBytes(relativePath));
    }

    private static string[] FilesUnder(string folder) =>
        Directory.Exists(folder) ? Directory.GetFiles(folder, "*", SearchOption.AllDirectories) : [];

    private DataSetResolverOptions Options(LoopbackHttpServer server, params string[] mirrorPrefixes) => new()
    {
        CacheDirectory = Cache,
        Mirrors = mirrorPrefixes.Select(p => new Uri(server.BaseUri, p + "/")).ToList(),
        InitialRetryDelay = TimeSpan.FromMilliseconds(10),
        MaxRetryDelay = TimeSpan.FromMilliseconds(50),
        AttemptTimeout = TimeSpan.FromSeconds(20),
    };

    /// <summary>A resolver whose environment has only DOMAINADAPTATION_DATA (when given) and HOME under the test folder.</summary>
    private DataSetResolver Resolver(DataSetResolverOptions options, string? dataEnvironment = null) =>
        new(_http, options, logger: null, name => name switch
        {
            DataSetResolver.DataEnvironmentVariable => dataEnvironment,
            "HOME" => Path.Combine(_root, "home"),
            _ => null,
        });

    private sealed class RecordingProgress(Action<DownloadProgress>? onReport = null) : IProgress<DownloadProgress>
    {
        private readonly object _gate = new();

        public List<DownloadProgress> Reports { get; } = [];

        public void Report(DownloadProgress value)
        {
            lock (_gate) Reports.Add(value);
            onReport?.Invoke(value);
        }
    }
}
