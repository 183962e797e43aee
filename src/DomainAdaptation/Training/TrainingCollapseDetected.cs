using DomainAdaptation.Training.Checkpoints;

namespace DomainAdaptation.Training;

/// <summary>
/// The label loss went back to chance after the label classifier had learnt (see
/// <see cref="MonitoringOptions.CollapseWindow"/>): the adversarial game has most likely collapsed, and such runs
/// were not seen to recover. Training goes on; the event is raised at most once per call of <see cref="AdaptationTrainer.Train"/>
/// or <see cref="AdaptationTrainer.TrainAsync"/> (the watch starts afresh with each call, e.g. after a resume).
/// </summary>
/// <param name="Step">The completed steps at the end of the window that showed the collapse.</param>
/// <param name="WindowMeanLabelLoss">That window's mean label loss.</param>
/// <param name="ChanceLabelLoss">ln K, the label loss of a uniform guess over the K classes.</param>
/// <param name="BestWindowMeanLabelLoss">The lowest window mean before it.</param>
/// <param name="BestWindowEndStep">Where that window ended.</param>
/// <param name="LastCheckpoint">The last checkpoint written before the collapse showed, or null; it may already hold collapsed weights when it falls inside the collapsed window.</param>
public sealed record TrainingCollapseDetected(
    long Step,
    double WindowMeanLabelLoss,
    double ChanceLabelLoss,
    double BestWindowMeanLabelLoss,
    long BestWindowEndStep,
    CheckpointInfo? LastCheckpoint) : TrainingEvent(Step);
