using Microsoft.Extensions.Options;

namespace DomainAdaptation.Training;

/// <summary>When and on how much data the trainer evaluates (<see cref="AdaptationTrainerOptions.Evaluation"/>).</summary>
public sealed class EvaluationOptions
{
    /// <summary>Evaluate every this many steps; 0 evaluates only once, after the last step. Default 0.</summary>
    public int Interval { get; set; }

    /// <summary>Samples per forward pass during evaluation. Default 512.</summary>
    public int BatchSize { get; set; } = 512;

    /// <summary>
    /// Evaluate on at most the first this many samples of each domain (0: all). Default 10,000. Final figures for a
    /// report should use the whole test sets through <see cref="DomainAdaptation.Evaluation.Evaluator"/>.
    /// </summary>
    public int MaxSamples { get; set; } = 10_000;

    /// <summary>A copy.</summary>
    /// <returns>The copy.</returns>
    public EvaluationOptions Clone() => (EvaluationOptions)MemberwiseClone();
}

/// <summary>Checks <see cref="EvaluationOptions"/>.</summary>
public sealed class EvaluationOptionsValidator : IValidateOptions<EvaluationOptions>
{
    private readonly string _prefix;

    /// <summary>Creates the validator.</summary>
    /// <param name="prefix">How messages name the options' owner.</param>
    public EvaluationOptionsValidator(string prefix = nameof(EvaluationOptions) + ".") => _prefix = prefix;

    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, EvaluationOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var c = new OptionChecks(_prefix);
        if (options.Interval < 0) c.Fail(nameof(options.Interval), "≥ 0 (0: evaluate only after the last step)", options.Interval);
        if (options.BatchSize is < 1 or > AdaptationTrainerOptionsValidator.MaxBatchSize) c.Fail(nameof(options.BatchSize), $"in [1, {AdaptationTrainerOptionsValidator.MaxBatchSize}]", options.BatchSize);
        if (options.MaxSamples < 0) c.Fail(nameof(options.MaxSamples), "≥ 0 (0: all samples)", options.MaxSamples);
        return c.Result();
    }
}
