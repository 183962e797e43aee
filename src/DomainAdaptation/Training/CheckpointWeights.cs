namespace DomainAdaptation.Training;

/// <summary>Which weights <see cref="Checkpoint.LoadModel"/> loads from a checkpoint.</summary>
public enum CheckpointWeights
{
    /// <summary>
    /// The weights the trainer evaluated: the weight average when the checkpoint holds one
    /// (<see cref="DannTrainerOptions.WeightAverageDecay"/> &gt; 0), otherwise the trained weights.
    /// </summary>
    Evaluated,

    /// <summary>The trained weights of the checkpoint's step (what training continues from).</summary>
    Trained,

    /// <summary>The weight average; a checkpoint without one is an error.</summary>
    Averaged,
}
