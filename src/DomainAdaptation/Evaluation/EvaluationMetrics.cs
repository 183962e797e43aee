namespace DomainAdaptation.Evaluation;

/// <summary>An evaluation of a model on both domains.</summary>
/// <param name="Step">The number of training steps completed when it ran.</param>
/// <param name="Source">Results on the source samples.</param>
/// <param name="Target">Results on the target samples (accuracy only when target labels are known).</param>
/// <param name="Elapsed">Wall-clock time of the evaluation.</param>
public sealed record EvaluationMetrics(long Step, DomainEvaluation Source, DomainEvaluation Target, TimeSpan Elapsed)
{
    /// <summary>Label accuracy on the source samples.</summary>
    public double? SourceAccuracy => Source.Accuracy;

    /// <summary>Label accuracy on the target samples; null when the target labels are unknown.</summary>
    public double? TargetAccuracy => Target.Accuracy;

    /// <summary>
    /// The domain classifier's balanced accuracy: the mean of its per-domain accuracies, so unequal sample counts do
    /// not bias it. 0.5 is chance: the adversary's goal, not by itself a failure sign. Null without a domain classifier.
    /// </summary>
    public double? DomainClassifierAccuracy => Source.DomainClassifierAccuracy is double s && Target.DomainClassifierAccuracy is double t ? (s + t) / 2.0 : null;

    /// <summary>
    /// A label-free validator: the mean entropy of the target predictions (nats). It falls as the classifier grows
    /// confident on the target; use it with the source accuracy to compare runs when no target labels exist.
    /// </summary>
    public double TargetPredictionEntropy => Target.MeanPredictionEntropy;
}
