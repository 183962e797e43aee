using Microsoft.Extensions.Options;

namespace DomainAdaptation.Training;

/// <summary>Logging and watching of a run (<see cref="AdaptationTrainerOptions.Monitoring"/>); none of these changes results.</summary>
public sealed class MonitoringOptions
{
    /// <summary>Log step metrics every this many steps through the ILogger (0: never). Default 100.</summary>
    public int LogInterval { get; set; } = 100;

    /// <summary>
    /// The steps over which the label loss is averaged to notice a collapsed run (0: do not watch). Default 500. When a
    /// window's mean label loss is back at 0.9 · ln K or more (K classes; ln K is a uniform guess) after an earlier
    /// window's was at most 0.5 · ln K, the trainer logs a warning, streams a <see cref="TrainingCollapseDetected"/> and
    /// reports it in <see cref="TrainingResult.Collapse"/>; training goes on. Adversarial runs can end this way without a
    /// NaN (docs/training.md, "When training collapses"). The watch starts afresh at a resume.
    /// </summary>
    public int CollapseWindow { get; set; } = 500;

    /// <summary>
    /// Run a generation-0 garbage collection every this many steps, after the step's tensors are disposed (0: never).
    /// Default 100. Each step leaves ~30 KiB of small managed objects (tensor handles, dispose-scope lists); without
    /// this, on machines whose .NET gen-0 budget is large, the first collection comes only after thousands of steps and
    /// the process's resident memory climbs by ~20% until then (docs/performance.md, "Memory").
    /// </summary>
    public int GarbageCollectionInterval { get; set; } = 100;

    /// <summary>A copy.</summary>
    /// <returns>The copy.</returns>
    public MonitoringOptions Clone() => (MonitoringOptions)MemberwiseClone();
}

/// <summary>Checks <see cref="MonitoringOptions"/>.</summary>
public sealed class MonitoringOptionsValidator : IValidateOptions<MonitoringOptions>
{
    private readonly string _prefix;

    /// <summary>Creates the validator.</summary>
    /// <param name="prefix">How messages name the options' owner.</param>
    public MonitoringOptionsValidator(string prefix = nameof(MonitoringOptions) + ".") => _prefix = prefix;

    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, MonitoringOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var c = new OptionChecks(_prefix);
        if (options.LogInterval < 0) c.Fail(nameof(options.LogInterval), "≥ 0 (0: no step logs)", options.LogInterval);
        if (options.CollapseWindow < 0) c.Fail(nameof(options.CollapseWindow), "≥ 0 (0: do not watch for a collapse)", options.CollapseWindow);
        if (options.GarbageCollectionInterval < 0) c.Fail(nameof(options.GarbageCollectionInterval), "≥ 0 (0: never force a collection)", options.GarbageCollectionInterval);
        return c.Result();
    }
}
