using DomainAdaptation.Evaluation;

namespace DomainAdaptation.Training;

/// <summary>An evaluation ran during training.</summary>
/// <param name="Metrics">Its results.</param>
public sealed record EvaluationCompleted(EvaluationMetrics Metrics) : TrainingEvent(Metrics.Step);
