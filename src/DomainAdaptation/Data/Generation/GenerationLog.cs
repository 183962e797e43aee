using Microsoft.Extensions.Logging;

namespace DomainAdaptation.Data.Generation;

/// <summary>Source-generated log messages of the MNIST-M generator and the background loaders.</summary>
internal static partial class GenerationLog
{
    [LoggerMessage(EventId = 4100, Level = LogLevel.Information, Message = "Loaded {Count} background images from {Source} in {ElapsedMs} ms")]
    public static partial void BackgroundsLoaded(ILogger logger, int count, string source, long elapsedMs);

    [LoggerMessage(EventId = 4101, Level = LogLevel.Information, Message = "Generating {Count} MNIST-M images ({Split}, {Size}×{Size}, seed {Seed}) from {Backgrounds} backgrounds into {Folder}")]
    public static partial void GenerationStarted(ILogger logger, int count, MnistMSplit split, int size, int seed, int backgrounds, string folder);

    [LoggerMessage(EventId = 4102, Level = LogLevel.Information, Message = "Wrote {Count} MNIST-M images and {LabelFile} in {ElapsedMs} ms")]
    public static partial void GenerationFinished(ILogger logger, int count, string labelFile, long elapsedMs);
}
