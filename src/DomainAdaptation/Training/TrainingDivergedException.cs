using DomainAdaptation.Training.Checkpoints;

namespace DomainAdaptation.Training;

/// <summary>
/// Thrown when a step's loss is NaN or infinite (or, at checkpoint time, a parameter is). The failing update did not
/// change the model, and no checkpoint is written from a non-finite state, so the last checkpoint stays usable.
/// </summary>
public sealed class TrainingDivergedException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">The explanation, naming the step and the losses.</param>
    /// <param name="step">The 1-based step that produced the non-finite value.</param>
    /// <param name="losses">Each loss term's value at that step, by name (empty when a parameter was found non-finite).</param>
    /// <param name="totalLoss">The total loss of that step (NaN when unknown).</param>
    /// <param name="lastCheckpoint">The last good checkpoint, or null.</param>
    public TrainingDivergedException(string message, long step, IReadOnlyDictionary<string, double> losses, double totalLoss, CheckpointInfo? lastCheckpoint)
        : base(message)
    {
        ArgumentNullException.ThrowIfNull(losses);
        Step = step;
        Losses = losses;
        TotalLoss = totalLoss;
        LastCheckpoint = lastCheckpoint;
    }

    /// <summary>The 1-based step that produced the non-finite value.</summary>
    public long Step { get; }

    /// <summary>Each loss term's value at that step, by name ("label", "domain", …).</summary>
    public IReadOnlyDictionary<string, double> Losses { get; }

    /// <summary>The supervised ("label") loss of that step, or NaN.</summary>
    public double LabelLoss => Losses.TryGetValue("label", out double v) ? v : double.NaN;

    /// <summary>The total loss of that step.</summary>
    public double TotalLoss { get; }

    /// <summary>The last good checkpoint, or null when none was written.</summary>
    public CheckpointInfo? LastCheckpoint { get; }
}
