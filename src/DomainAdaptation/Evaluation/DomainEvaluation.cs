namespace DomainAdaptation.Evaluation;

/// <summary>How the model does on one domain's samples.</summary>
/// <param name="SampleCount">The number of samples evaluated.</param>
/// <param name="Accuracy">Label accuracy; null when the domain's labels are unknown.</param>
/// <param name="Confusion">The confusion matrix; null when the labels are unknown.</param>
/// <param name="MeanPredictionEntropy">
/// The mean Shannon entropy (nats) of the label classifier's softmax, <c>−Σ_k p_k ln p_k</c>, between 0 (confident)
/// and ln K (uniform). Needs no labels.
/// </param>
/// <param name="DomainClassifierAccuracy">
/// The fraction of this domain's samples the method's domain classifier assigns to this domain (source = 0, target = 1);
/// null when the evaluation had no domain classifier (methods without one, such as source-only or MCC).
/// </param>
public sealed record DomainEvaluation(
    long SampleCount,
    double? Accuracy,
    ConfusionMatrix? Confusion,
    double MeanPredictionEntropy,
    double? DomainClassifierAccuracy);
