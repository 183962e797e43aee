using Microsoft.Extensions.Logging;

namespace DomainAdaptation.Selection;

/// <summary>Log messages of label-free model selection (source-generated).</summary>
internal static partial class SelectionLog
{
    [LoggerMessage(EventId = 101, Level = LogLevel.Information, Message = "Reverse validation of {Data}: {Count} target samples pseudo-labelled (per class: {Histogram}); forward source-validation accuracy {ForwardAccuracy:F4}")]
    public static partial void PseudoLabelled(ILogger logger, string data, int count, string histogram, double forwardAccuracy);

    [LoggerMessage(EventId = 102, Level = LogLevel.Information, Message = "Reverse validation of {Data}: reverse accuracy {ReverseAccuracy:F4} on {Count} held-out source samples after {Steps} reverse steps ({Seconds:F1} s); fit to the pseudo-labels {FitAccuracy:F4}")]
    public static partial void Finished(ILogger logger, string data, double reverseAccuracy, long count, long steps, double seconds, double fitAccuracy);

    [LoggerMessage(EventId = 103, Level = LogLevel.Warning, Message = "Reverse validation of {Data}: the reverse training failed (it fits its pseudo-labelled data at {FitAccuracy:F4}, no better than the most common pseudo-label); its risk says nothing about the forward model, run it again with another seed")]
    public static partial void ReverseTrainingFailed(ILogger logger, string data, double fitAccuracy);
}
