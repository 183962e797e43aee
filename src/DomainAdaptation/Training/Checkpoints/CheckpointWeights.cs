namespace DomainAdaptation.Training.Checkpoints;

/// <summary>Which weights <see cref="Checkpoint.LoadModel"/> loads from a checkpoint.</summary>
public enum CheckpointWeights
{
    /// <summary>
    /// The weights the trainer evaluated: those of the method's inference model when it names one (a mean teacher),
    /// else the trained model's; the weight average of them when the checkpoint holds one
    /// (<see cref="AdaptationTrainerOptions.WeightAverageDecay"/> &gt; 0).
    /// </summary>
    Evaluated,

    /// <summary>The trained model's weights at the checkpoint's step (what training continues from).</summary>
    Trained,

    /// <summary>The weight average (of the inference model when the method names one); a checkpoint without one is an error.</summary>
    Averaged,
}
