namespace DomainAdaptation.Training;

/// <summary>The metrics of one training step (batch statistics, not held-out figures).</summary>
/// <param name="Step">The number of steps completed, counting this one (1 for the first step).</param>
/// <param name="TotalSteps">The planned number of steps.</param>
/// <param name="Progress">The training progress p = (Step − 1) / TotalSteps at which λ and the learning rate were taken.</param>
/// <param name="LabelLoss">The label-classifier cross-entropy on the labelled half (source; target in target-only mode).</param>
/// <param name="DomainLoss">The domain-classifier loss on both halves; null in source-only and target-only modes.</param>
/// <param name="TotalLoss">The minimised loss: label loss + DomainLossWeight · domain loss.</param>
/// <param name="SourceAccuracy">The label classifier's accuracy on the source half; null in target-only mode.</param>
/// <param name="TargetAccuracy">The label classifier's accuracy on the labelled target half in target-only mode; null otherwise.</param>
/// <param name="DomainAccuracy">
/// The domain classifier's accuracy on both halves (0.5 is chance); null without a domain loss. Near 0.5 is what the
/// feature extractor aims for; it is not by itself a failure sign.
/// </param>
/// <param name="Lambda">The gradient reversal coefficient λ of this step (0 in source-only and target-only modes).</param>
/// <param name="LearningRate">The learning rate of this step (the first parameter group's).</param>
/// <param name="StepTime">The wall-clock time of the step, batch assembly included.</param>
public sealed record StepMetrics(
    long Step,
    long TotalSteps,
    double Progress,
    double LabelLoss,
    double? DomainLoss,
    double TotalLoss,
    double? SourceAccuracy,
    double? TargetAccuracy,
    double? DomainAccuracy,
    double Lambda,
    double LearningRate,
    TimeSpan StepTime)
    : TrainingEvent(Step);
