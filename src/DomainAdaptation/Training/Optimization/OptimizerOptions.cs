using DomainAdaptation.Schedules;
using Microsoft.Extensions.Options;

namespace DomainAdaptation.Training.Optimization;

/// <summary>
/// The optimizer the trainer creates and its learning-rate schedule (<see cref="AdaptationTrainerOptions.Optimizer"/>).
/// Each parameter group's rate is <c>LearningRate × its part's multiplier × LearningRateSchedule(p)</c>. Defaults
/// follow Ganin &amp; Lempitsky (2015): SGD, momentum 0.9, μ₀ = 0.01, μ_p = μ₀ / (1 + 10p)^0.75.
/// </summary>
public sealed class OptimizerOptions
{
    /// <summary>The optimizer. Default <see cref="OptimizerKind.Sgd"/> (the paper).</summary>
    public OptimizerKind Kind { get; set; } = OptimizerKind.Sgd;

    /// <summary>The base learning rate μ₀, multiplied each step by <see cref="LearningRateSchedule"/>. Default 0.01 (the paper).</summary>
    public double LearningRate { get; set; } = 0.01;

    /// <summary>SGD momentum. Default 0.9 (the paper).</summary>
    public double Momentum { get; set; } = 0.9;

    /// <summary>L2 weight decay added to the gradient by the optimizer. Default 0.</summary>
    public double WeightDecay { get; set; }

    /// <summary>Adam's β1. Default 0.9.</summary>
    public double AdamBeta1 { get; set; } = 0.9;

    /// <summary>Adam's β2. Default 0.999.</summary>
    public double AdamBeta2 { get; set; } = 0.999;

    /// <summary>Adam's ε. Default 1e-8.</summary>
    public double AdamEpsilon { get; set; } = 1e-8;

    /// <summary>The learning-rate factor as a function of progress. Default the paper's annealing <c>1 / (1 + 10 p)^0.75</c>.</summary>
    public ILearningRateSchedule LearningRateSchedule { get; set; } = LearningRateSchedules.Annealing();

    /// <summary>A copy (the schedule is immutable and shared).</summary>
    /// <returns>The copy.</returns>
    public OptimizerOptions Clone() => (OptimizerOptions)MemberwiseClone();
}

/// <summary>Checks <see cref="OptimizerOptions"/>; every message names the option, the rule and the value.</summary>
public sealed class OptimizerOptionsValidator : IValidateOptions<OptimizerOptions>
{
    private readonly string _prefix;

    /// <summary>Creates the validator.</summary>
    /// <param name="prefix">How messages name the options' owner, e.g. "AdaptationTrainerOptions.Optimizer.".</param>
    public OptimizerOptionsValidator(string prefix = nameof(OptimizerOptions) + ".") => _prefix = prefix;

    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, OptimizerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var c = new OptionChecks(_prefix);
        c.Defined(options.Kind, nameof(options.Kind));
        if (!double.IsFinite(options.LearningRate) || options.LearningRate <= 0) c.Fail(nameof(options.LearningRate), "a finite number > 0", options.LearningRate);
        if (!double.IsFinite(options.Momentum) || options.Momentum is < 0 or >= 1) c.Fail(nameof(options.Momentum), "in [0, 1)", options.Momentum);
        if (!double.IsFinite(options.WeightDecay) || options.WeightDecay < 0) c.Fail(nameof(options.WeightDecay), "a finite number ≥ 0", options.WeightDecay);
        if (!double.IsFinite(options.AdamBeta1) || options.AdamBeta1 is < 0 or >= 1) c.Fail(nameof(options.AdamBeta1), "in [0, 1)", options.AdamBeta1);
        if (!double.IsFinite(options.AdamBeta2) || options.AdamBeta2 is < 0 or >= 1) c.Fail(nameof(options.AdamBeta2), "in [0, 1)", options.AdamBeta2);
        if (!double.IsFinite(options.AdamEpsilon) || options.AdamEpsilon <= 0) c.Fail(nameof(options.AdamEpsilon), "a finite number > 0", options.AdamEpsilon);
        if (options.LearningRateSchedule is null) c.Fail(nameof(options.LearningRateSchedule), "set (e.g. LearningRateSchedules.Annealing())", null);
        return c.Result();
    }
}
