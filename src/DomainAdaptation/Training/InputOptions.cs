using System.Globalization;
using Microsoft.Extensions.Options;

namespace DomainAdaptation.Training;

/// <summary>The per-channel input normalisation the trainer applies to every batch (<see cref="AdaptationTrainerOptions.Input"/>).</summary>
public sealed class InputOptions
{
    /// <summary>The per-channel input normalisation. Default <see cref="NormalisationKind.None"/>.</summary>
    public NormalisationKind Normalisation { get; set; } = NormalisationKind.None;

    /// <summary>Per-channel means for <see cref="NormalisationKind.Explicit"/> (on the [0, 1] scale for uint8 data).</summary>
    public double[]? Mean { get; set; }

    /// <summary>Per-channel standard deviations for <see cref="NormalisationKind.Explicit"/>.</summary>
    public double[]? Std { get; set; }

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
