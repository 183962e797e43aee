namespace DomainAdaptation.Training;

/// <summary>What the trainer optimises.</summary>
public enum TrainingMode
{
    /// <summary>Label loss on the source half only, no domain loss: the lower bound ("source only" in the paper).</summary>
    SourceOnly,

    /// <summary>Label loss on the source half plus the adversarial domain loss on both halves (the paper's DANN).</summary>
    Dann,

    /// <summary>
    /// Label loss on the target half using the target labels (<see cref="Data.IDomainDataset.TargetLabelsForEvaluation"/>),
    /// no domain loss: the upper bound ("train on target" in the paper), for reports only.
    /// </summary>
    TargetOnly,
}
