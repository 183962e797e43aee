using System.Globalization;
using DomainAdaptation.Data.Augmentation;
using Microsoft.Extensions.Options;

namespace DomainAdaptation.Training;

/// <summary>The per-channel input normalisation the trainer applies to every batch, and the augmentation of the source half in training (<see cref="AdaptationTrainerOptions.Input"/>).</summary>
public sealed class InputOptions
{
    /// <summary>The per-channel input normalisation. Default <see cref="NormalisationKind.None"/>.</summary>
    public NormalisationKind Normalisation { get; set; } = NormalisationKind.None;

    /// <summary>Per-channel means for <see cref="NormalisationKind.Explicit"/> (on the [0, 1] scale for uint8 data).</summary>
    public double[]? Mean { get; set; }

    /// <summary>Per-channel standard deviations for <see cref="NormalisationKind.Explicit"/>.</summary>
    public double[]? Std { get; set; }

    /// <summary>
    /// Augmentation of the labelled source half at every training step (after conversion and normalisation), drawn from
    /// the step's seeded generator (<see cref="Methods.StepContext.Generator"/>, stream
    /// <see cref="SourceAugmentationStream"/>), so a resumed run sees the same views. It teaches the label classifier
    /// invariances the target needs (for digits: colour, inversion, small warps). Evaluation never augments. Default
    /// <see cref="AugmentationKind.None"/>.
    /// </summary>
    public AugmentationKind SourceAugmentation { get; set; } = AugmentationKind.None;

    /// <summary>The weak view's settings for <see cref="AugmentationKind.Weak"/>.</summary>
    public WeakAugmentation WeakAugmentation { get; set; } = new();

    /// <summary>The strong view's settings for <see cref="AugmentationKind.Strong"/>.</summary>
    public StrongAugmentation StrongAugmentation { get; set; } = new();

    /// <summary>The settings of <see cref="AugmentationKind.ResizedCrop"/> (torchvision's crop, flip and colour jitter).</summary>
    public ResizedCropAugmentation ResizedCrop { get; set; } = new();

    /// <summary>
    /// Augmentation of the unlabelled target half at every training step, as <see cref="SourceAugmentation"/> does for
    /// the source (stream <see cref="TargetAugmentationStream"/>); tllib augments both domains with the training
    /// transform. Methods that make their own target views (FixMatch, mean teacher) make them of the augmented batch.
    /// Default <see cref="AugmentationKind.None"/>.
    /// </summary>
    public AugmentationKind TargetAugmentation { get; set; } = AugmentationKind.None;

    /// <summary>
    /// How many steps' batches the trainer reads ahead, on a background thread, from a streamed set
    /// (<see cref="Data.SampleSet.IsStreamed"/>, e.g. <see cref="Data.Datasets.ImageFolderOptions.Stream"/>): decoding
    /// then overlaps the step's computation, and memory holds at most this many batches besides the current one. In-memory
    /// sets are not read ahead (gathering from memory is cheap). 0 reads each batch when its step starts. Default 2; at most 64.
    /// Does not change any result: a batch's samples are a function of the seed and the step alone.
    /// </summary>
    public int PrefetchSteps { get; set; } = 2;

    /// <summary>The largest <see cref="PrefetchSteps"/>.</summary>
    public const int MaxPrefetchSteps = 64;

    /// <summary>The generator stream of <see cref="TargetAugmentation"/>.</summary>
    public const int TargetAugmentationStream = 17;

    /// <summary>The generator stream of <see cref="SourceAugmentation"/> (methods use streams 1–4).</summary>
    public const int SourceAugmentationStream = 16;

    /// <summary>A deep copy.</summary>
    /// <returns>The copy.</returns>
    public InputOptions Clone()
    {
        var copy = (InputOptions)MemberwiseClone();
        copy.Mean = (double[]?)Mean?.Clone();
        copy.Std = (double[]?)Std?.Clone();
        return copy;
    }
}

/// <summary>Checks <see cref="InputOptions"/>.</summary>
public sealed class InputOptionsValidator : IValidateOptions<InputOptions>
{
    private readonly string _prefix;

    /// <summary>Creates the validator.</summary>
    /// <param name="prefix">How messages name the options' owner.</param>
    public InputOptionsValidator(string prefix = nameof(InputOptions) + ".") => _prefix = prefix;

    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, InputOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var c = new OptionChecks(_prefix);
        c.Defined(options.Normalisation, nameof(options.Normalisation));
        c.Defined(options.SourceAugmentation, nameof(options.SourceAugmentation));
        c.Defined(options.TargetAugmentation, nameof(options.TargetAugmentation));
        if (options.ResizedCrop is null) c.Fail(nameof(options.ResizedCrop), "settings (not null)", "null");
        else foreach (string problem in options.ResizedCrop.Problems()) c.Add($"{_prefix}{nameof(options.ResizedCrop)}: {problem}.");
        if (options.WeakAugmentation is null) c.Fail(nameof(options.WeakAugmentation), "settings (not null)", "null");
        if (options.StrongAugmentation is null) c.Fail(nameof(options.StrongAugmentation), "settings (not null)", "null");
        if (options.PrefetchSteps is < 0 or > InputOptions.MaxPrefetchSteps)
        {
            c.Fail(nameof(options.PrefetchSteps), $"between 0 and {InputOptions.MaxPrefetchSteps}", options.PrefetchSteps);
        }
        double[]? mean = options.Mean;
        double[]? std = options.Std;
        string p = _prefix;
        if (options.Normalisation != NormalisationKind.Explicit)
        {
            if (mean is not null || std is not null)
            {
                c.Add($"{p}{nameof(options.Mean)} and {p}{nameof(options.Std)} are used only with {p}{nameof(options.Normalisation)} = {nameof(NormalisationKind.Explicit)}, but {nameof(options.Normalisation)} was {options.Normalisation}: set it to {nameof(NormalisationKind.Explicit)} or remove them.");
            }

            return c.Result();
        }

        if (mean is null || mean.Length == 0 || std is null || std.Length != mean.Length)
        {
            c.Add(string.Create(CultureInfo.InvariantCulture, $"{p}{nameof(options.Normalisation)} = {nameof(NormalisationKind.Explicit)} needs {p}{nameof(options.Mean)} and {p}{nameof(options.Std)} with one value per channel each (same length ≥ 1), but they had {mean?.Length.ToString(CultureInfo.InvariantCulture) ?? "null"} and {std?.Length.ToString(CultureInfo.InvariantCulture) ?? "null"} values."));
            return c.Result();
        }

        for (int i = 0; i < mean.Length; i++)
        {
            if (!double.IsFinite(mean[i])) c.Add(string.Create(CultureInfo.InvariantCulture, $"{p}{nameof(options.Mean)}[{i}] must be finite, but was {mean[i]}."));
            if (!double.IsFinite(std[i]) || std[i] <= 0) c.Add(string.Create(CultureInfo.InvariantCulture, $"{p}{nameof(options.Std)}[{i}] must be a finite number > 0, but was {std[i]}."));
        }

        return c.Result();
    }
}
