using System.Globalization;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;
using static TorchSharp.torch;

namespace DomainAdaptation.Training;

/// <summary>
/// Checks <see cref="DannTrainerOptions"/>; every failure message names the option, the allowed range and the value.
/// The same validator runs for options from dependency injection and for a <see cref="DannTrainer"/> built directly.
/// </summary>
public sealed partial class DannTrainerOptionsValidator : IValidateOptions<DannTrainerOptions>
{
    /// <summary>The largest batch size per domain or evaluation batch accepted.</summary>
    public const int MaxBatchSize = 65_536;

    /// <summary>The largest number of checkpoints kept.</summary>
    public const int MaxCheckpointsToKeep = 1_000;

    private const string Prefix = nameof(DannTrainerOptions) + ".";

    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, DannTrainerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        void Fail(string option, string rule, object? value) =>
            failures.Add(string.Create(CultureInfo.InvariantCulture, $"{Prefix}{option} must be {rule}, but was {Show(value)}."));

        if (options.Steps is null == options.Epochs is null)
        {
            failures.Add($"Set exactly one of {Prefix}{nameof(options.Steps)} (≥ 1) and {Prefix}{nameof(options.Epochs)} (≥ 1), but {(options.Steps is null ? "neither was" : "both were")} set.");
        }

        if (options.Steps is < 1) Fail(nameof(options.Steps), "at least 1", options.Steps);
        if (options.Epochs is < 1) Fail(nameof(options.Epochs), "at least 1", options.Epochs);
        if (options.BatchSizePerDomain is < 1 or > MaxBatchSize) Fail(nameof(options.BatchSizePerDomain), $"in [1, {MaxBatchSize}]", options.BatchSizePerDomain);
        CheckDefined(options.Optimizer, nameof(options.Optimizer), failures);
        if (!double.IsFinite(options.LearningRate) || options.LearningRate <= 0) Fail(nameof(options.LearningRate), "a finite number > 0", options.LearningRate);
        if (!double.IsFinite(options.Momentum) || options.Momentum is < 0 or >= 1) Fail(nameof(options.Momentum), "in [0, 1)", options.Momentum);
        if (!double.IsFinite(options.WeightDecay) || options.WeightDecay < 0) Fail(nameof(options.WeightDecay), "a finite number ≥ 0", options.WeightDecay);
        if (!double.IsFinite(options.AdamBeta1) || options.AdamBeta1 is < 0 or >= 1) Fail(nameof(options.AdamBeta1), "in [0, 1)", options.AdamBeta1);
        if (!double.IsFinite(options.AdamBeta2) || options.AdamBeta2 is < 0 or >= 1) Fail(nameof(options.AdamBeta2), "in [0, 1)", options.AdamBeta2);
        if (!double.IsFinite(options.AdamEpsilon) || options.AdamEpsilon <= 0) Fail(nameof(options.AdamEpsilon), "a finite number > 0", options.AdamEpsilon);
        if (options.LearningRateSchedule is null) Fail(nameof(options.LearningRateSchedule), "set (e.g. LearningRateSchedules.Annealing())", null);
        if (!double.IsFinite(options.DomainLossWeight) || options.DomainLossWeight < 0) Fail(nameof(options.DomainLossWeight), "a finite number ≥ 0", options.DomainLossWeight);
        CheckDefined(options.DomainLoss, nameof(options.DomainLoss), failures);
        CheckDefined(options.BatchNormMode, nameof(options.BatchNormMode), failures);
        CheckDefined(options.Mode, nameof(options.Mode), failures);
        if (options.Device is null || !DevicePattern().IsMatch(options.Device)) Fail(nameof(options.Device), "a device name: \"cpu\", \"cuda\", \"cuda:N\" or \"mps\"", options.Device);
        if (options.Dtype is not (ScalarType.Float32 or ScalarType.Float64)) Fail(nameof(options.Dtype), "Float32 or Float64", options.Dtype);
        CheckDefined(options.Normalisation, nameof(options.Normalisation), failures);
        CheckNormalisation(options, failures);
        if (options.EvaluationInterval < 0) Fail(nameof(options.EvaluationInterval), "≥ 0 (0: evaluate only after the last step)", options.EvaluationInterval);
        if (options.EvaluationBatchSize is < 1 or > MaxBatchSize) Fail(nameof(options.EvaluationBatchSize), $"in [1, {MaxBatchSize}]", options.EvaluationBatchSize);
        if (options.EvaluationMaxSamples < 0) Fail(nameof(options.EvaluationMaxSamples), "≥ 0 (0: all samples)", options.EvaluationMaxSamples);
        if (options.CheckpointDirectory is not null && (string.IsNullOrWhiteSpace(options.CheckpointDirectory) || options.CheckpointDirectory.IndexOfAny(Path.GetInvalidPathChars()) >= 0))
        {
            Fail(nameof(options.CheckpointDirectory), "null or a valid folder path", options.CheckpointDirectory);
        }

        if (options.CheckpointInterval < 0) Fail(nameof(options.CheckpointInterval), "≥ 0 (0: checkpoint only after the last step)", options.CheckpointInterval);
        if (options.CheckpointsToKeep is < 1 or > MaxCheckpointsToKeep) Fail(nameof(options.CheckpointsToKeep), $"in [1, {MaxCheckpointsToKeep}]", options.CheckpointsToKeep);
        if (options.LogInterval < 0) Fail(nameof(options.LogInterval), "≥ 0 (0: no step logs)", options.LogInterval);
        if (options.CollapseWindow < 0) Fail(nameof(options.CollapseWindow), "≥ 0 (0: do not watch for a collapse)", options.CollapseWindow);
        if (options.GarbageCollectionInterval < 0) Fail(nameof(options.GarbageCollectionInterval), "≥ 0 (0: never force a collection)", options.GarbageCollectionInterval);
        if (!double.IsFinite(options.WeightAverageDecay) || options.WeightAverageDecay is < 0 or >= 1) Fail(nameof(options.WeightAverageDecay), "in [0, 1) (0: no weight average; e.g. 0.999)", options.WeightAverageDecay);
        CheckDefined(options.Precision, nameof(options.Precision), failures);
        if (options.Precision == TrainingPrecision.BFloat16Mixed && options.Dtype != ScalarType.Float32)
        {
            Fail(nameof(options.Precision), "Full when Dtype is not Float32 (BFloat16Mixed keeps float32 master weights)", options.Precision);
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    /// <summary>Validates and throws, for code that builds a trainer without dependency injection.</summary>
    /// <param name="options">The options.</param>
    /// <exception cref="OptionsValidationException">When an option is invalid; its message lists every failure.</exception>
    public static void ThrowIfInvalid(DannTrainerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        ValidateOptionsResult result = new DannTrainerOptionsValidator().Validate(Options.DefaultName, options);
        if (result.Failed)
        {
            throw new OptionsValidationException(Options.DefaultName, typeof(DannTrainerOptions), result.Failures);
        }
    }

    private static void CheckNormalisation(DannTrainerOptions options, List<string> failures)
    {
        double[]? mean = options.NormalisationMean;
        double[]? std = options.NormalisationStd;
        if (options.Normalisation != NormalisationKind.Explicit)
        {
            if (mean is not null || std is not null)
            {
                failures.Add($"{Prefix}{nameof(options.NormalisationMean)} and {Prefix}{nameof(options.NormalisationStd)} are used only with {Prefix}{nameof(options.Normalisation)} = {nameof(NormalisationKind.Explicit)}, but {nameof(options.Normalisation)} was {options.Normalisation}: set it to {nameof(NormalisationKind.Explicit)} or remove them.");
            }

            return;
        }

        if (mean is null || mean.Length == 0 || std is null || std.Length != mean.Length)
        {
            failures.Add(string.Create(CultureInfo.InvariantCulture, $"{Prefix}{nameof(options.Normalisation)} = {nameof(NormalisationKind.Explicit)} needs {Prefix}{nameof(options.NormalisationMean)} and {Prefix}{nameof(options.NormalisationStd)} with one value per channel each (same length ≥ 1), but they had {mean?.Length.ToString(CultureInfo.InvariantCulture) ?? "null"} and {std?.Length.ToString(CultureInfo.InvariantCulture) ?? "null"} values."));
            return;
        }

        for (int c = 0; c < mean.Length; c++)
        {
            if (!double.IsFinite(mean[c])) failures.Add(string.Create(CultureInfo.InvariantCulture, $"{Prefix}{nameof(options.NormalisationMean)}[{c}] must be finite, but was {mean[c]}."));
            if (!double.IsFinite(std[c]) || std[c] <= 0) failures.Add(string.Create(CultureInfo.InvariantCulture, $"{Prefix}{nameof(options.NormalisationStd)}[{c}] must be a finite number > 0, but was {std[c]}."));
        }
    }

    private static void CheckDefined<TEnum>(TEnum value, string option, List<string> failures)
        where TEnum : struct, Enum
    {
        if (!Enum.IsDefined(value))
        {
            failures.Add($"{Prefix}{option} must be one of {string.Join(", ", Enum.GetNames<TEnum>())}, but was {value}.");
        }
    }

    private static string Show(object? value) => value switch
    {
        null => "null",
        string s => "\"" + s + "\"",
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "null",
    };

    [GeneratedRegex(@"^(cpu|cuda|mps)(:\d{1,3})?$", RegexOptions.CultureInvariant)]
    private static partial Regex DevicePattern();
}
