namespace DomainAdaptation.Training;

/// <summary>
/// Thrown when a step's loss is NaN or infinite (or, at checkpoint time, a parameter is). The failing step did not
/// update the model, and no checkpoint is written from a non-finite state, so the last checkpoint stays usable.
/// </summary>
public sealed class TrainingDivergedException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">The explanation, naming the step and the losses.</param>
    /// <param name="step">The 1-based step that produced the non-finite value.</param>
    /// <param name="labelLoss">The label loss of that step.</param>
    /// <param name="domainLoss">The domain loss of that step, if any.</param>
    /// <param name="totalLoss">The total loss of that step.</param>
    /// <param name="lastCheckpoint">The last good checkpoint, or null.</param>
    public TrainingDivergedException(string message, long step, double labelLoss, double? domainLoss, double totalLoss, CheckpointInfo? lastCheckpoint)
        : base(message)
    {
        Step = step;
        LabelLoss = labelLoss;
        DomainLoss = domainLoss;
        TotalLoss = totalLoss;
        LastCheckpoint = lastCheckpoint;
    }

    /// <summary>The 1-based step that produced the non-finite value.</summary>
    public long Step { get; }

    /// <summary>The label loss of that step.</summary>
    public double LabelLoss { get; }

    /// <summary>The domain loss of that step, if any.</summary>
    public double? DomainLoss { get; }

    /// <summary>The total loss of that step.</summary>
    public double TotalLoss { get; }

    /// <summary>The last good checkpoint, or null when none was written.</summary>
    public CheckpointInfo? LastCheckpoint { get; }
}
