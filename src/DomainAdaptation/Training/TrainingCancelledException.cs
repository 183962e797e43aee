using DomainAdaptation.Training.Checkpoints;

namespace DomainAdaptation.Training;

/// <summary>
/// Thrown by <see cref="AdaptationTrainer.Train"/> and <see cref="AdaptationTrainer.TrainAsync"/> when the cancellation token fires.
/// Cancellation is honoured between steps, so the model holds the state after <see cref="StepsCompleted"/> whole steps;
/// with <see cref="Checkpoints.CheckpointOptions.OnCancel"/> that state is also saved (<see cref="Checkpoint"/>).
/// </summary>
public sealed class TrainingCancelledException : OperationCanceledException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">The explanation.</param>
    /// <param name="stepsCompleted">Whole steps completed before cancellation.</param>
    /// <param name="checkpoint">The checkpoint written on cancellation, or the last one before it, or null.</param>
    /// <param name="token">The token that was cancelled.</param>
    public TrainingCancelledException(string message, long stepsCompleted, CheckpointInfo? checkpoint, CancellationToken token)
        : base(message, token)
    {
        StepsCompleted = stepsCompleted;
        Checkpoint = checkpoint;
    }

    /// <summary>Whole steps completed before cancellation.</summary>
    public long StepsCompleted { get; }

    /// <summary>The newest checkpoint (written on cancellation when enabled), or null.</summary>
    public CheckpointInfo? Checkpoint { get; }
}
