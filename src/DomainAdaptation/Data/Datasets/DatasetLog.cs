using Microsoft.Extensions.Logging;

namespace DomainAdaptation.Data.Datasets;

/// <summary>Source-generated log messages of the image-set readers.</summary>
internal static partial class DatasetLog
{
    [LoggerMessage(EventId = 4301, Level = LogLevel.Warning, Message = "{SetName}: skipped {Skipped} of {Total} image files that could not be read or decoded: {Files}")]
    public static partial void SkippedImages(ILogger logger, string setName, int skipped, int total, string files);

    [LoggerMessage(EventId = 4302, Level = LogLevel.Information, Message = "{SetName}: {Conversions}")]
    public static partial void Converted(ILogger logger, string setName, string conversions);
}
