using System.Text.RegularExpressions;
using DomainAdaptation.Training.Checkpoints;
using DomainAdaptation.Training.Optimization;
using DomainAdaptation.Training.Precision;
using Microsoft.Extensions.Options;

namespace DomainAdaptation.Training;

/// <summary>
/// Checks <see cref="AdaptationTrainerOptions"/> and each of its groups with the group's own validator; every failure
/// message names the option by its path (e.g. <c>AdaptationTrainerOptions.Optimizer.LearningRate</c>), the allowed
/// range and the value. The same validator runs for options from dependency injection and for a trainer built directly.
/// </summary>
public sealed partial class AdaptationTrainerOptionsValidator : IValidateOptions<AdaptationTrainerOptions>
{
    /// <summary>The largest batch size per domain or evaluation batch accepted.</summary>
    public const int MaxBatchSize = 65_536;

    private const string Prefix = nameof(AdaptationTrainerOptions) + ".";

    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, AdaptationTrainerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var c = new OptionChecks(Prefix);
        if (options.Steps is null == options.Epochs is null)
        {
            c.Add($"Set exactly one of {Prefix}{nameof(options.Steps)} (≥ 1) and {Prefix}{nameof(options.Epochs)} (≥ 1), but {(options.Steps is null ? "neither was" : "both were")} set.");
        }

        if (options.Steps is < 1) c.Fail(nameof(options.Steps), "at least 1", options.Steps);
        if (options.Epochs is < 1) c.Fail(nameof(options.Epochs), "at least 1", options.Epochs);
        if (options.BatchSizePerDomain is < 1 or > MaxBatchSize) c.Fail(nameof(options.BatchSizePerDomain), $"in [1, {MaxBatchSize}]", options.BatchSizePerDomain);
        if (options.Device is null || !DevicePattern().IsMatch(options.Device)) c.Fail(nameof(options.Device), "a device name: \"cpu\", \"cuda\", \"cuda:N\" or \"mps\"", options.Device);
        c.Defined(options.BatchNormMode, nameof(options.BatchNormMode));
        if (!double.IsFinite(options.WeightAverageDecay) || options.WeightAverageDecay is < 0 or >= 1) c.Fail(nameof(options.WeightAverageDecay), "in [0, 1) (0: no weight average; e.g. 0.999)", options.WeightAverageDecay);

        Group(c, options.Optimizer, nameof(options.Optimizer), p => new OptimizerOptionsValidator(p).Validate(name, options.Optimizer));
        Group(c, options.Input, nameof(options.Input), p => new InputOptionsValidator(p).Validate(name, options.Input));
        Group(c, options.Precision, nameof(options.Precision), p => new PrecisionOptionsValidator(p).Validate(name, options.Precision));
        Group(c, options.Evaluation, nameof(options.Evaluation), p => new EvaluationOptionsValidator(p).Validate(name, options.Evaluation));
        Group(c, options.Checkpoints, nameof(options.Checkpoints), p => new CheckpointOptionsValidator(p).Validate(name, options.Checkpoints));
        Group(c, options.Monitoring, nameof(options.Monitoring), p => new MonitoringOptionsValidator(p).Validate(name, options.Monitoring));
        return c.Result();
    }

    /// <summary>Validates and throws, for code that builds a trainer without dependency injection.</summary>
    /// <param name="options">The options.</param>
    /// <exception cref="OptionsValidationException">When an option is invalid; its message lists every failure.</exception>
    public static void ThrowIfInvalid(AdaptationTrainerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        ValidateOptionsResult result = new AdaptationTrainerOptionsValidator().Validate(Options.DefaultName, options);
        if (result.Failed)
        {
            throw new OptionsValidationException(Options.DefaultName, typeof(AdaptationTrainerOptions), result.Failures);
        }
    }

    private static void Group(OptionChecks c, object? group, string property, Func<string, ValidateOptionsResult> validate)
    {
        if (group is null)
        {
            c.Fail(property, "set (the group's defaults: new())", null);
            return;
        }

        ValidateOptionsResult result = validate(Prefix + property + ".");
        if (result.Failed) c.AddRange(result.Failures);
    }

    [GeneratedRegex(@"^(cpu|cuda|mps)(:\d{1,3})?$", RegexOptions.CultureInvariant)]
    private static partial Regex DevicePattern();
}
