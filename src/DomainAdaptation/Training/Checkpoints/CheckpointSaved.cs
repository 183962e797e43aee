namespace DomainAdaptation.Training.Checkpoints;

/// <summary>A checkpoint was written (atomically) during training.</summary>
/// <param name="Checkpoint">What was written, and where.</param>
public sealed record CheckpointSaved(CheckpointInfo Checkpoint) : TrainingEvent(Checkpoint.Step);
