using Microsoft.Extensions.Options;
using static TorchSharp.torch;

namespace DomainAdaptation.Training.Precision;

/// <summary>The dtype and the arithmetic of training (<see cref="AdaptationTrainerOptions.Precision"/>).</summary>
public sealed class PrecisionOptions
{
    /// <summary>The dtype of the model, the batches and the optimizer state: Float32 or Float64. Default Float32.</summary>
    public ScalarType Dtype { get; set; } = ScalarType.Float32;

    /// <summary>
    /// <see cref="TrainingPrecision.Full"/> (everything in <see cref="Dtype"/>) or <see cref="TrainingPrecision.BFloat16Mixed"/>
    /// (bfloat16 forward and backward passes with float32 master weights; needs Dtype = Float32 and a loss method whose
    /// modules are all trainable). Default Full. CPUs without native bfloat16 emulate it, far slower than float32, and the
    /// trainer logs a warning there. The trajectory differs from Full's, so a checkpoint resumes only with the precision it
    /// was written with.
    /// </summary>
    public TrainingPrecision Mode { get; set; } = TrainingPrecision.Full;

    /// <summary>A copy.</summary>
    /// <returns>The copy.</returns>
    public PrecisionOptions Clone() => (PrecisionOptions)MemberwiseClone();
}

/// <summary>Checks <see cref="PrecisionOptions"/>.</summary>
public sealed class PrecisionOptionsValidator : IValidateOptions<PrecisionOptions>
{
    private readonly string _prefix;

    /// <summary>Creates the validator.</summary>
    /// <param name="prefix">How messages name the options' owner.</param>
    public PrecisionOptionsValidator(string prefix = nameof(PrecisionOptions) + ".") => _prefix = prefix;

    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, PrecisionOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var c = new OptionChecks(_prefix);
        if (options.Dtype is not (ScalarType.Float32 or ScalarType.Float64)) c.Fail(nameof(options.Dtype), "Float32 or Float64", options.Dtype);
        c.Defined(options.Mode, nameof(options.Mode));
        if (options.Mode == TrainingPrecision.BFloat16Mixed && options.Dtype != ScalarType.Float32)
        {
            c.Fail(nameof(options.Mode), "Full when Dtype is not Float32 (BFloat16Mixed keeps float32 master weights)", options.Mode);
        }

        return c.Result();
    }
}
