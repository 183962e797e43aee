using Microsoft.Extensions.Logging;

namespace DomainAdaptation.Selection;

/// <summary>Log messages of label-free model selection (source-generated).</summary>
internal static partial class SelectionLog
{
    [LoggerMessage(EventId = 101, Level = LogLevel.Information, Message = "Reverse validation of {Data}: {Count} target samples pseudo-labelled (per class: {Histogram}); forward source-validation accuracy {ForwardAccuracy:F4}")]
    public static partial void PseudoLabelled(ILogger logger, string data, int count, string histogram, double forwardAccuracy);

    [LoggerMessage(EventId = 102, Level = LogLevel.Information, Message = "Reverse validation of {Data}: reverse accuracy {ReverseAccuracy:F4} on {Count} held-out source samples after {Steps} reverse steps ({Seconds:F1} s)")]
    public static partial void Finished(ILogger logger, string data, double reverseAccuracy, long count, long steps, double seconds);
}
