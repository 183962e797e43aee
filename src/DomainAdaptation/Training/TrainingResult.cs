using DomainAdaptation.Evaluation;
using DomainAdaptation.Training.Checkpoints;

namespace DomainAdaptation.Training;

/// <summary>The outcome of a completed training run.</summary>
/// <param name="StepsCompleted">Steps completed in total (equal to the planned number).</param>
/// <param name="StepsThisRun">Steps run by this call (fewer than <paramref name="StepsCompleted"/> after a resume).</param>
/// <param name="FinalEvaluation">The evaluation after the last step.</param>
/// <param name="LastCheckpoint">The last checkpoint written, or null when checkpoints are off.</param>
/// <param name="Elapsed">Wall-clock time of this call.</param>
/// <param name="Collapse">The collapse of the label loss this call detected (<see cref="MonitoringOptions.CollapseWindow"/>), or null.</param>
public sealed record TrainingResult(
    long StepsCompleted,
    long StepsThisRun,
    EvaluationMetrics FinalEvaluation,
    CheckpointInfo? LastCheckpoint,
    TimeSpan Elapsed,
    TrainingCollapseDetected? Collapse = null);
