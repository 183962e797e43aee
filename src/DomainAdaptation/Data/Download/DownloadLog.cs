using Microsoft.Extensions.Logging;

namespace DomainAdaptation.Data.Download;

/// <summary>Source-generated log messages of <see cref="DataSetResolver"/>.</summary>
internal static partial class DownloadLog
{
    [LoggerMessage(EventId = 4200, Level = LogLevel.Debug, Message = "{File}: found at {Path} ({Source})")]
    public static partial void Found(ILogger logger, string file, string path, DataFileSource source);

    [LoggerMessage(EventId = 4201, Level = LogLevel.Warning, Message = "{File}: the cached copy {Path} has the wrong checksum; deleting it and downloading again")]
    public static partial void CacheCorrupt(ILogger logger, string file, string path);

    [LoggerMessage(EventId = 4202, Level = LogLevel.Information, Message = "{File}: downloading {Url} (attempt {Attempt} of {MaxAttempts})")]
    public static partial void Downloading(ILogger logger, string file, Uri url, int attempt, int maxAttempts);

    [LoggerMessage(EventId = 4203, Level = LogLevel.Warning, Message = "{File}: attempt {Attempt} at {Url} failed ({Reason}); retrying in {DelayMs} ms")]
    public static partial void Retrying(ILogger logger, string file, Uri url, int attempt, string reason, long delayMs);

    [LoggerMessage(EventId = 4204, Level = LogLevel.Warning, Message = "{File}: mirror {Url} failed ({Reason}); trying the next mirror")]
    public static partial void MirrorFailed(ILogger logger, string file, Uri url, string reason);

    [LoggerMessage(EventId = 4205, Level = LogLevel.Information, Message = "{File}: downloaded {Bytes} bytes from {Url} to {Path} in {ElapsedMs} ms, checksum verified")]
    public static partial void Downloaded(ILogger logger, string file, long bytes, Uri url, string path, long elapsedMs);
}
