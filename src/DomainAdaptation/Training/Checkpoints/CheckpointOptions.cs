using Microsoft.Extensions.Options;

namespace DomainAdaptation.Training.Checkpoints;

/// <summary>
/// Where and how often the trainer writes checkpoints (<see cref="AdaptationTrainerOptions.Checkpoints"/>). Every
/// checkpoint is written atomically (temporary file, fsync, rename) and carries a SHA-256 of its contents.
/// </summary>
public sealed class CheckpointOptions
{
    /// <summary>The folder for checkpoints, or null for none. Default null.</summary>
    public string? Directory { get; set; }

    /// <summary>Save a checkpoint every this many steps; 0 saves only after the last step (and on cancellation). Default 0.</summary>
    public int Interval { get; set; }

    /// <summary>
    /// Also save a checkpoint once this much training time has passed since the last one (checked after each step),
    /// so that a crash loses at most this much work whatever the step count; null for none. Default null. The steps at
    /// which it fires depend on the machine's speed; the trajectory does not.
    /// </summary>
    public TimeSpan? TimeInterval { get; set; }

    /// <summary>How many of the newest checkpoints to keep; older ones are deleted after a new one is safely written. Default 2.</summary>
    public int ToKeep { get; set; } = 2;

    /// <summary>Save a checkpoint when training is cancelled (needs <see cref="Directory"/>). Default true.</summary>
    public bool OnCancel { get; set; } = true;

    /// <summary>A copy.</summary>
    /// <returns>The copy.</returns>
    public CheckpointOptions Clone() => (CheckpointOptions)MemberwiseClone();
}

/// <summary>Checks <see cref="CheckpointOptions"/>; every message names the option, the rule and the value.</summary>
public sealed class CheckpointOptionsValidator : IValidateOptions<CheckpointOptions>
{
    /// <summary>The largest number of checkpoints kept.</summary>
    public const int MaxToKeep = 1_000;

    private readonly string _prefix;

    /// <summary>Creates the validator.</summary>
    /// <param name="prefix">How messages name the options' owner, e.g. "AdaptationTrainerOptions.Checkpoints.".</param>
    public CheckpointOptionsValidator(string prefix = nameof(CheckpointOptions) + ".") => _prefix = prefix;

    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, CheckpointOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var c = new OptionChecks(_prefix);
        if (options.Directory is not null && (string.IsNullOrWhiteSpace(options.Directory) || options.Directory.IndexOfAny(Path.GetInvalidPathChars()) >= 0))
        {
            c.Fail(nameof(options.Directory), "null or a valid folder path", options.Directory);
        }

        if (options.Interval < 0) c.Fail(nameof(options.Interval), "≥ 0 (0: checkpoint only after the last step)", options.Interval);
        if (options.TimeInterval is { } t && t <= TimeSpan.Zero) c.Fail(nameof(options.TimeInterval), "null or a positive duration", t);
        if (options.ToKeep is < 1 or > MaxToKeep) c.Fail(nameof(options.ToKeep), $"in [1, {MaxToKeep}]", options.ToKeep);
        return c.Result();
    }
}
