using Microsoft.Extensions.Logging;

namespace DomainAdaptation.Data;

/// <summary>Source-generated log messages of the data loaders.</summary>
internal static partial class DataLog
{
    [LoggerMessage(EventId = 4001, Level = LogLevel.Information, Message = "Loaded {SetName} ({Count} samples, {Shape}) from the cache '{CachePath}' in {ElapsedMs} ms")]
    public static partial void CacheHit(ILogger logger, string setName, int count, string shape, string cachePath, long elapsedMs);

    [LoggerMessage(EventId = 4002, Level = LogLevel.Information, Message = "No usable cache for {SetName} at '{CachePath}': {Reason}; decoding the source")]
    public static partial void CacheMiss(ILogger logger, string setName, string cachePath, string reason);

    [LoggerMessage(EventId = 4003, Level = LogLevel.Warning, Message = "Could not write the cache '{CachePath}' for {SetName}; the data are loaded but the next load will decode again")]
    public static partial void CacheWriteFailed(ILogger logger, Exception error, string cachePath, string setName);

    [LoggerMessage(EventId = 4004, Level = LogLevel.Information, Message = "Decoded {SetName} ({Count} samples, {Shape}) from '{SourcePath}' in {ElapsedMs} ms")]
    public static partial void Decoded(ILogger logger, string setName, int count, string shape, string sourcePath, long elapsedMs);

    [LoggerMessage(EventId = 4005, Level = LogLevel.Warning, Message = "The cache '{CachePath}' for {SetName} is corrupt ({Reason}); it will be rebuilt")]
    public static partial void CacheCorrupt(ILogger logger, string cachePath, string setName, string reason);
}
