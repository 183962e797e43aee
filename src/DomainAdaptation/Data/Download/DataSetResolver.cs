using System.Diagnostics;
using System.Net;
using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace DomainAdaptation.Data.Download;

/// <summary>
/// Finds the data files an experiment needs, downloading and verifying them when they are not on disk.
/// </summary>
/// <remarks>
/// <para>For each <see cref="DataFile"/>, in order, the first hit wins:</para>
/// <list type="number">
/// <item>the explicit folder <see cref="DataSetResolverOptions.DataDirectory"/>;</item>
/// <item>the folder named by the environment variable <c>DOMAINADAPTATION_DATA</c>;</item>
/// <item>the cache folder (<see cref="CacheDirectory"/>);</item>
/// <item>a download from each mirror in turn into the cache folder (not in <see cref="DataSetResolverOptions.Offline"/> mode).</item>
/// </list>
/// <para>
/// A file found on disk is checked against its SHA-256 (unless <see cref="DataSetResolverOptions.VerifyExistingFiles"/>
/// is off): a wrong file in the explicit or environment folder is an error naming it; a wrong cached file is deleted and
/// downloaded again. Downloads go to a temporary file beside the destination, are verified, and are then renamed into
/// place, so a failed, cut or cancelled download leaves nothing behind. Transient failures (connection errors, cut
/// transfers, timeouts, HTTP 5xx/408/429) are retried on the same mirror with doubling delays; a missing file (HTTP
/// 404 and other 4xx) or a checksum mismatch moves on to the next mirror.
/// </para>
/// </remarks>
public sealed class DataSetResolver : IDisposable
{
    /// <summary>The environment variable that names a data folder (searched second).</summary>
    public const string DataEnvironmentVariable = "DOMAINADAPTATION_DATA";

    private const int ProgressStepBytes = 256 * 1024;

    private readonly HttpClient _http;
    private readonly bool _ownsHttp;
    private readonly DataSetResolverOptions _options;
    private readonly ILogger _logger;
    private readonly Func<string, string?> _environment;

    /// <summary>Creates a resolver that downloads with the given client.</summary>
    /// <param name="httpClient">The client for downloads (not disposed here); its own <see cref="HttpClient.Timeout"/> applies too.</param>
    /// <param name="options">The options; validated here.</param>
    /// <param name="logger">The logger; null for none.</param>
    /// <exception cref="OptionsValidationException">When the options are invalid.</exception>
    public DataSetResolver(HttpClient httpClient, IOptions<DataSetResolverOptions> options, ILogger<DataSetResolver>? logger = null)
        : this(httpClient ?? throw new ArgumentNullException(nameof(httpClient)), options?.Value ?? throw new ArgumentNullException(nameof(options)), logger, Environment.GetEnvironmentVariable)
    {
    }

    /// <summary>Creates a resolver with its own <see cref="HttpClient"/> (disposed with the resolver).</summary>
    /// <param name="options">The options; validated here.</param>
    /// <param name="logger">The logger; null for none.</param>
    /// <exception cref="OptionsValidationException">When the options are invalid.</exception>
    public DataSetResolver(IOptions<DataSetResolverOptions> options, ILogger<DataSetResolver>? logger = null)
        : this(null, options?.Value ?? throw new ArgumentNullException(nameof(options)), logger, Environment.GetEnvironmentVariable)
    {
    }

    /// <summary>The full constructor; <paramref name="environment"/> reads environment variables (replaceable in tests).</summary>
    internal DataSetResolver(HttpClient? httpClient, DataSetResolverOptions options, ILogger? logger, Func<string, string?> environment)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(environment);
        ValidateOptionsResult check = new DataSetResolverOptionsValidator().Validate(Options.DefaultName, options);
        if (check.Failed) throw new OptionsValidationException(Options.DefaultName, typeof(DataSetResolverOptions), check.Failures);

        _options = options;
        _logger = logger ?? NullLogger.Instance;
        _environment = environment;
        _ownsHttp = httpClient is null;
        _http = httpClient ?? new HttpClient { Timeout = Timeout.InfiniteTimeSpan };
        CacheDirectory = Path.GetFullPath(options.CacheDirectory ?? DefaultCacheDirectory(environment));
        Mirrors = (options.Mirrors.Count > 0 ? options.Mirrors.AsEnumerable() : DataSetResolverOptions.DefaultMirrors)
            .Select(m => m.AbsoluteUri.EndsWith('/') ? m : new Uri(m.AbsoluteUri + "/"))
            .ToArray();
    }

    /// <summary>The cache folder in use: downloads land here.</summary>
    public string CacheDirectory { get; }

    /// <summary>The mirror base URLs in use, each ending with '/'.</summary>
    public IReadOnlyList<Uri> Mirrors { get; }

    /// <summary>
    /// The user's cache folder for this library: <c>$XDG_CACHE_HOME/DomainAdaptation</c> when that variable holds an
    /// absolute path, else <c>~/.cache/DomainAdaptation</c>; on Windows <c>%LOCALAPPDATA%\DomainAdaptation</c>.
    /// </summary>
    /// <returns>The folder's full path (not created).</returns>
    public static string DefaultCacheDirectory() => DefaultCacheDirectory(Environment.GetEnvironmentVariable);

    /// <summary>Resolves one file (see the class remarks for the order).</summary>
    /// <param name="file">The file.</param>
    /// <param name="progress">Receives download progress; null for none.</param>
    /// <param name="cancellationToken">Stops the search or download; a partial download is deleted.</param>
    /// <returns>Where the verified file is.</returns>
    /// <exception cref="DataFileUnavailableException">When the file is missing and cannot be downloaded (or downloads are off).</exception>
    /// <exception cref="DataChecksumException">When the file in the explicit or environment folder has the wrong content.</exception>
    /// <exception cref="DirectoryNotFoundException">When <see cref="DataSetResolverOptions.DataDirectory"/> is set to a folder that does not exist.</exception>
    public async Task<ResolvedDataFile> ResolveAsync(DataFile file, IProgress<DownloadProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(file);
        IReadOnlyList<ResolvedDataFile> resolved = await ResolveAllAsync([file], progress, cancellationToken).ConfigureAwait(false);
        return resolved[0];
    }

    /// <summary>
    /// Resolves several files. Every file is tried before failing, so the error of a failed or offline resolution
    /// lists all files that are missing, every place each may be put, and why each download failed.
    /// </summary>
    /// <param name="files">The files, e.g. <see cref="KnownDataFiles.MnistToMnistM"/>.</param>
    /// <param name="progress">Receives download progress; null for none.</param>
    /// <param name="cancellationToken">Stops the search or download; a partial download is deleted.</param>
    /// <returns>One result per file, in the given order.</returns>
    /// <exception cref="DataFileUnavailableException">When any file is missing and cannot be downloaded (or downloads are off).</exception>
    /// <exception cref="DataChecksumException">When a file in the explicit or environment folder has the wrong content.</exception>
    /// <exception cref="DirectoryNotFoundException">When <see cref="DataSetResolverOptions.DataDirectory"/> is set to a folder that does not exist.</exception>
    public async Task<IReadOnlyList<ResolvedDataFile>> ResolveAllAsync(
        IEnumerable<DataFile> files,
        IProgress<DownloadProgress>? progress = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(files);
        if (_options.DataDirectory is { } explicitFolder && !Directory.Exists(explicitFolder))
        {
            // A mistyped folder must not turn into a search elsewhere and a download.
            throw new DirectoryNotFoundException($"The data folder '{Path.GetFullPath(explicitFolder)}' (DataSetResolverOptions.DataDirectory) does not exist.");
        }

        DataFile[] wanted = files.ToArray();
        var results = new List<ResolvedDataFile>(wanted.Length);
        var missing = new List<(DataFile File, IReadOnlyList<string> Failures)>();
        Exception? lastError = null;
        foreach (DataFile file in wanted)
        {
            ArgumentNullException.ThrowIfNull(file, nameof(files));
            cancellationToken.ThrowIfCancellationRequested();
            ResolvedDataFile? found = await FindOnDiskAsync(file, cancellationToken).ConfigureAwait(false);
            if (found is not null)
            {
                results.Add(found);
                continue;
            }

            if (_options.Offline)
            {
                missing.Add((file, []));
                continue;
            }

            (ResolvedDataFile? downloaded, List<string> failures, Exception? error) = await DownloadAsync(file, progress, cancellationToken).ConfigureAwait(false);
            if (downloaded is not null)
            {
                results.Add(downloaded);
            }
            else
            {
                missing.Add((file, failures));
                lastError = error;
            }
        }

        if (missing.Count > 0)
        {
            throw new DataFileUnavailableException(DescribeMissing(missing), missing.Select(m => m.File).ToArray(), lastError);
        }

        return results;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        if (_ownsHttp) _http.Dispose();
    }

    internal static string DefaultCacheDirectory(Func<string, string?> environment)
    {
        if (OperatingSystem.IsWindows())
        {
            return Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData), "DomainAdaptation");
        }

        string? xdg = environment("XDG_CACHE_HOME");
        if (!string.IsNullOrWhiteSpace(xdg) && Path.IsPathRooted(xdg)) return Path.Combine(xdg, "DomainAdaptation");
        string home = environment("HOME") is { Length: > 0 } h ? h : Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        return Path.Combine(home, ".cache", "DomainAdaptation");
    }

    /// <summary>The folders searched, in order, with the option or variable that names each; null folder when unset.</summary>
    private IEnumerable<(DataFileSource Source, string? Folder)> SearchFolders()
    {
        yield return (DataFileSource.ExplicitDirectory, _options.DataDirectory is null ? null : Path.GetFullPath(_options.DataDirectory));
        string? fromEnvironment = _environment(DataEnvironmentVariable);
        yield return (DataFileSource.EnvironmentDirectory, string.IsNullOrWhiteSpace(fromEnvironment) ? null : Path.GetFullPath(fromEnvironment));
        yield return (DataFileSource.Cache, CacheDirectory);
    }

    private static string Under(string folder, string relativePath) => Path.Combine(folder, relativePath.Replace('/', Path.DirectorySeparatorChar));

    private async Task<ResolvedDataFile?> FindOnDiskAsync(DataFile file, CancellationToken cancellationToken)
    {
        foreach ((DataFileSource source, string? folder) in SearchFolders())
        {
            if (folder is null) continue;
            foreach (string relative in file.AcceptedRelativePaths)
            {
                string path = Under(folder, relative);
                if (!File.Exists(path)) continue;
                if (!_options.VerifyExistingFiles)
                {
                    DownloadLog.Found(_logger, file.RelativePath, path, source);
                    return new ResolvedDataFile(file, path, source, Verified: false);
                }

                string actual;
                try
                {
                    actual = await ContentHasher.ComputeAsync(path, file.ChecksumKind, _options.MaxDownloadBytes, cancellationToken).ConfigureAwait(false);
                }
                catch (InvalidDataException) when (source == DataFileSource.Cache)
                {
                    actual = "(unreadable)";
                }

                if (actual == file.Sha256)
                {
                    DownloadLog.Found(_logger, file.RelativePath, path, source);
                    return new ResolvedDataFile(file, path, source, Verified: true);
                }

                if (source == DataFileSource.Cache)
                {
                    DownloadLog.CacheCorrupt(_logger, file.RelativePath, path);
                    File.Delete(path);
                    continue;
                }

                // The explicit folder is the user's own: the message is the loaders' (DigitDatasets reads the same file the same way).
                throw source == DataFileSource.ExplicitDirectory
                    ? new DataChecksumException(file, path, actual)
                    : new DataChecksumException(file, path, actual,
                        $"It was found through the {DataEnvironmentVariable} folder. Replace it with the original ({file.Origin}) or remove it to let the resolver look further.");
            }
        }

        return null;
    }

    private async Task<(ResolvedDataFile? Resolved, List<string> Failures, Exception? LastError)> DownloadAsync(
        DataFile file, IProgress<DownloadProgress>? progress, CancellationToken cancellationToken)
    {
        string destination = Under(CacheDirectory, file.RelativePath);
        Directory.CreateDirectory(Path.GetDirectoryName(destination)!);
        var failures = new List<string>();
        Exception? lastError = null;
        foreach (Uri mirror in Mirrors)
        {
            var url = new Uri(mirror, file.RelativePath);
            for (int attempt = 1; attempt <= _options.MaxAttemptsPerMirror; attempt++)
            {
                DownloadLog.Downloading(_logger, file.RelativePath, url, attempt, _options.MaxAttemptsPerMirror);
                try
                {
                    ResolvedDataFile resolved = await AttemptAsync(file, url, destination, progress, cancellationToken).ConfigureAwait(false);
                    return (resolved, failures, null);
                }
                catch (AttemptFailedException failure)
                {
                    failures.Add($"{url} (attempt {attempt}): {failure.Message}");
                    lastError = failure.InnerException ?? failure;
                    if (!failure.Transient || attempt == _options.MaxAttemptsPerMirror)
                    {
                        DownloadLog.MirrorFailed(_logger, file.RelativePath, url, failure.Message);
                        break;
                    }

                    TimeSpan delay = RetryDelay(attempt);
                    DownloadLog.Retrying(_logger, file.RelativePath, url, attempt, failure.Message, (long)delay.TotalMilliseconds);
                    await Task.Delay(delay, cancellationToken).ConfigureAwait(false);
                }
            }
        }

        return (null, failures, lastError);
    }

    /// <summary>The wait after failed attempt <paramref name="attempt"/>: <c>min(initial × 2^(attempt − 1), max)</c>.</summary>
    private TimeSpan RetryDelay(int attempt)
    {
        double ms = _options.InitialRetryDelay.TotalMilliseconds * Math.Pow(2, attempt - 1);
        return TimeSpan.FromMilliseconds(Math.Min(ms, _options.MaxRetryDelay.TotalMilliseconds));
    }

    private async Task<ResolvedDataFile> AttemptAsync(DataFile file, Uri url, string destination, IProgress<DownloadProgress>? progress, CancellationToken cancellationToken)
    {
        string temp = $"{destination}.{Guid.NewGuid():N}.part";
        var clock = Stopwatch.StartNew();
        try
        {
            using var attemptToken = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            if (_options.AttemptTimeout != Timeout.InfiniteTimeSpan) attemptToken.CancelAfter(_options.AttemptTimeout);
            long received = await ReceiveAsync(file, url, temp, progress, attemptToken.Token, cancellationToken).ConfigureAwait(false);

            string actual;
            try
            {
                actual = await ContentHasher.ComputeAsync(temp, file.ChecksumKind, _options.MaxDownloadBytes, cancellationToken).ConfigureAwait(false);
            }
            catch (InvalidDataException ex)
            {
                throw new AttemptFailedException($"the downloaded file is not valid: {ex.Message}", transient: false, ex);
            }

            if (actual != file.Sha256)
            {
                var mismatch = new DataChecksumException(file, url.ToString(), actual, "The mirror serves a different or corrupted file.");
                throw new AttemptFailedException($"checksum mismatch: SHA-256 {actual}, expected {file.Sha256}", transient: false, mismatch);
            }

            File.Move(temp, destination, overwrite: true);
            DownloadLog.Downloaded(_logger, file.RelativePath, received, url, destination, clock.ElapsedMilliseconds);
            return new ResolvedDataFile(file, destination, DataFileSource.Downloaded, Verified: true);
        }
        finally
        {
            TryDelete(temp);
        }
    }

    private async Task<long> ReceiveAsync(DataFile file, Uri url, string temp, IProgress<DownloadProgress>? progress, CancellationToken attemptToken, CancellationToken callerToken)
    {
        long received = 0;
        long? total = null;
        try
        {
            using HttpResponseMessage response = await _http.GetAsync(url, HttpCompletionOption.ResponseHeadersRead, attemptToken).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode)
            {
                int code = (int)response.StatusCode;
                bool transient = code >= 500 || response.StatusCode is HttpStatusCode.RequestTimeout or HttpStatusCode.TooManyRequests;
                throw new AttemptFailedException($"HTTP {code} {response.ReasonPhrase}", transient);
            }

            total = response.Content.Headers.ContentLength;
            if (total > _options.MaxDownloadBytes)
            {
                throw new AttemptFailedException($"the server announces {total:N0} bytes, more than MaxDownloadBytes ({_options.MaxDownloadBytes:N0})", transient: false);
            }

            await using Stream body = await response.Content.ReadAsStreamAsync(attemptToken).ConfigureAwait(false);
            await using var output = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16, useAsync: true);
            byte[] buffer = new byte[1 << 16];
            long lastReported = 0;
            progress?.Report(new DownloadProgress(file, url, 0, total));
            int n;
            while ((n = await body.ReadAsync(buffer, attemptToken).ConfigureAwait(false)) > 0)
            {
                received += n;
                if (received > _options.MaxDownloadBytes)
                {
                    throw new AttemptFailedException($"the download grew past MaxDownloadBytes ({_options.MaxDownloadBytes:N0})", transient: false);
                }

                await output.WriteAsync(buffer.AsMemory(0, n), attemptToken).ConfigureAwait(false);
                if (received - lastReported >= ProgressStepBytes)
                {
                    lastReported = received;
                    progress?.Report(new DownloadProgress(file, url, received, total));
                }
            }

            await output.FlushAsync(attemptToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!callerToken.IsCancellationRequested)
        {
            throw new AttemptFailedException($"timed out after {_options.AttemptTimeout} (AttemptTimeout) with {received:N0} bytes received", transient: true);
        }
        catch (HttpRequestException ex)
        {
            throw new AttemptFailedException($"connection failed after {received:N0} bytes: {ex.Message}", transient: true, ex);
        }
        catch (IOException ex)
        {
            throw new AttemptFailedException($"transfer cut after {received:N0}{(total is null ? string.Empty : $" of {total:N0}")} bytes: {ex.Message}", transient: true, ex);
        }

        if (total is not null && received != total)
        {
            throw new AttemptFailedException($"transfer ended after {received:N0} of {total:N0} bytes", transient: true);
        }

        progress?.Report(new DownloadProgress(file, url, received, total));
        return received;
    }

    private string DescribeMissing(List<(DataFile File, IReadOnlyList<string> Failures)> missing)
    {
        var text = new StringBuilder();
        text.Append(missing.Count).Append(missing.Count == 1 ? " data file is" : " data files are").Append(" not available");
        text.Append(_options.Offline
            ? " and downloads are off (DataSetResolverOptions.Offline = true).\n"
            : " and could not be downloaded from any mirror.\n");
        text.Append("Put each file at one of these places (searched in this order; the first found is used), then run again")
            .Append(_options.Offline ? ", or turn Offline off to download them:\n" : ":\n");
        foreach ((DataFile file, IReadOnlyList<string> failures) in missing)
        {
            text.Append("  • ").Append(file.RelativePath).Append(" — ").Append(file.Description).Append("; ")
                .Append(file.ChecksumKind == ChecksumKind.ContentSha256 ? "SHA-256 of the decompressed content " : "SHA-256 ")
                .Append(file.Sha256);
            if (file.AcceptedRelativePaths.Count > 1) text.Append(" (the .gz or the decompressed file without .gz)");
            text.Append('\n');
            foreach ((DataFileSource source, string? folder) in SearchFolders())
            {
                string label = source switch
                {
                    DataFileSource.ExplicitDirectory => "DataSetResolverOptions.DataDirectory",
                    DataFileSource.EnvironmentDirectory => $"environment variable {DataEnvironmentVariable}",
                    _ => "cache folder, DataSetResolverOptions.CacheDirectory",
                };
                text.Append("      ")
                    .Append(folder is null ? $"<{label}, not set>/{file.RelativePath}" : Under(folder, file.RelativePath))
                    .Append(folder is null ? string.Empty : $"   ({label})")
                    .Append('\n');
            }

            text.Append("    origin: ").Append(file.Origin).Append('\n');
            foreach (string failure in failures)
            {
                text.Append("    failed: ").Append(failure).Append('\n');
            }
        }

        return text.ToString().TrimEnd('\n');
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
            // Still open elsewhere; nothing better to do than leave it.
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    /// <summary>One failed download attempt; <see cref="Transient"/> says whether the same mirror is worth another try.</summary>
    private sealed class AttemptFailedException(string message, bool transient, Exception? inner = null) : Exception(message, inner)
    {
        public bool Transient { get; } = transient;
    }
}
