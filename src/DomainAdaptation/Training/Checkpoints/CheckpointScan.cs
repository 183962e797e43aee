namespace DomainAdaptation.Training.Checkpoints;

/// <summary>A checkpoint file that is not intact (truncated, corrupted, not a checkpoint), and why.</summary>
/// <param name="Path">The file.</param>
/// <param name="Step">The step its name gives.</param>
/// <param name="Reason">What is wrong with it.</param>
public sealed record DamagedCheckpoint(string Path, long Step, string Reason);

/// <summary>
/// What a checkpoint folder holds (<see cref="Checkpoint.Scan"/>): the newest intact checkpoint, and every newer one
/// that was skipped because it is damaged.
/// </summary>
/// <param name="Directory">The folder.</param>
/// <param name="Latest">The newest intact checkpoint, or null.</param>
/// <param name="Skipped">The damaged checkpoints newer than <paramref name="Latest"/> (all of them when it is null), newest first.</param>
/// <param name="Count">How many checkpoint files (checkpoint-*.dann) the folder holds.</param>
public sealed record CheckpointScan(string Directory, string? Latest, IReadOnlyList<DamagedCheckpoint> Skipped, int Count)
{
    /// <summary>The folder holds checkpoint files, but none is intact: resuming is impossible and starting again would overwrite them.</summary>
    public bool NoneIntact => Count > 0 && Latest is null;
}

/// <summary>What <see cref="AdaptationTrainer.ResumeOrStart"/> did.</summary>
public enum ResumeOutcome
{
    /// <summary>The folder held no checkpoint: training starts from step 0.</summary>
    Started,

    /// <summary>Training continues from the newest intact checkpoint.</summary>
    Resumed,
}

/// <summary>The result of <see cref="AdaptationTrainer.ResumeOrStart"/>.</summary>
/// <param name="Outcome">Started or resumed.</param>
/// <param name="Checkpoint">The checkpoint resumed from, or null when starting.</param>
/// <param name="Skipped">Damaged checkpoints newer than the one resumed from (each logged as a warning).</param>
public sealed record ResumeDecision(ResumeOutcome Outcome, CheckpointInfo? Checkpoint, IReadOnlyList<DamagedCheckpoint> Skipped);
