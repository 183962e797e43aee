using DomainAdaptation.Training;
using Microsoft.Extensions.Options;
using static TorchSharp.torch;

namespace DomainAdaptation.Tests.Training;

public class AdaptationTrainerOptionsValidatorTests
{
    public static TheoryData<string, Action<AdaptationTrainerOptions>, string> InvalidOptions() => new()
    {
        { "neither length", o => o.Steps = null, "Set exactly one of AdaptationTrainerOptions.Steps (≥ 1) and AdaptationTrainerOptions.Epochs (≥ 1), but neither was set." },
        { "both lengths", o => o.Epochs = 3, "*but both were set." },
        { "steps", o => o.Steps = 0, "AdaptationTrainerOptions.Steps must be at least 1, but was 0." },
        { "epochs", o => (o.Steps, o.Epochs) = (null, -1), "AdaptationTrainerOptions.Epochs must be at least 1, but was -1." },
        { "batch size low", o => o.BatchSizePerDomain = 0, "AdaptationTrainerOptions.BatchSizePerDomain must be in [1, 65536], but was 0." },
        { "batch size high", o => o.BatchSizePerDomain = 65537, "AdaptationTrainerOptions.BatchSizePerDomain must be in [1, 65536], but was 65537." },
        { "prefetch negative", o => o.Input.PrefetchSteps = -1, "AdaptationTrainerOptions.Input.PrefetchSteps must be between 0 and 64, but was -1." },
        { "prefetch high", o => o.Input.PrefetchSteps = 65, "AdaptationTrainerOptions.Input.PrefetchSteps must be between 0 and 64, but was 65." },
        { "optimizer", o => o.Optimizer.Kind = (OptimizerKind)7, "AdaptationTrainerOptions.Optimizer.Kind must be one of Sgd, Adam, but was 7." },
        { "learning rate", o => o.Optimizer.LearningRate = 0, "AdaptationTrainerOptions.Optimizer.LearningRate must be a finite number > 0, but was 0." },
        { "learning rate NaN", o => o.Optimizer.LearningRate = double.NaN, "AdaptationTrainerOptions.Optimizer.LearningRate must be a finite number > 0, but was NaN." },
        { "momentum", o => o.Optimizer.Momentum = 1.0, "AdaptationTrainerOptions.Optimizer.Momentum must be in [0, 1), but was 1." },
        { "weight decay", o => o.Optimizer.WeightDecay = -0.1, "AdaptationTrainerOptions.Optimizer.WeightDecay must be a finite number ≥ 0, but was -0.1." },
        { "beta1", o => o.Optimizer.AdamBeta1 = -0.5, "AdaptationTrainerOptions.Optimizer.AdamBeta1 must be in [0, 1), but was -0.5." },
        { "beta2", o => o.Optimizer.AdamBeta2 = 1.5, "AdaptationTrainerOptions.Optimizer.AdamBeta2 must be in [0, 1), but was 1.5." },
        { "epsilon", o => o.Optimizer.AdamEpsilon = 0, "AdaptationTrainerOptions.Optimizer.AdamEpsilon must be a finite number > 0, but was 0." },
        { "lr schedule", o => o.Optimizer.LearningRateSchedule = null!, "AdaptationTrainerOptions.Optimizer.LearningRateSchedule must be set (e.g. LearningRateSchedules.Annealing()), but was null." },
        { "batch norm mode", o => o.BatchNormMode = (BatchNormMode)9, "AdaptationTrainerOptions.BatchNormMode must be one of Joint, Separate, but was 9." },
        { "device", o => o.Device = "gpu0", "AdaptationTrainerOptions.Device must be a device name: \"cpu\", \"cuda\", \"cuda:N\" or \"mps\", but was \"gpu0\"." },
        { "dtype", o => o.Precision.Dtype = ScalarType.Int32, "AdaptationTrainerOptions.Precision.Dtype must be Float32 or Float64, but was Int32." },
        { "normalisation kind", o => o.Input.Normalisation = (NormalisationKind)8, "AdaptationTrainerOptions.Input.Normalisation must be one of None, MeanOverBothDomains, MeanStdOverBothDomains, Explicit, ImageNet, but was 8." },
        { "explicit without values", o => o.Input.Normalisation = NormalisationKind.Explicit, "AdaptationTrainerOptions.Input.Normalisation = Explicit needs AdaptationTrainerOptions.Input.Mean and AdaptationTrainerOptions.Input.Std with one value per channel each (same length ≥ 1), but they had null and null values." },
        { "explicit std zero", o => (o.Input.Normalisation, o.Input.Mean, o.Input.Std) = (NormalisationKind.Explicit, [0.5], [0.0]), "AdaptationTrainerOptions.Input.Std[0] must be a finite number > 0, but was 0." },
        { "values without explicit", o => o.Input.Mean = [0.5], "*are used only with AdaptationTrainerOptions.Input.Normalisation = Explicit, but Normalisation was None*" },
        { "evaluation interval", o => o.Evaluation.Interval = -1, "AdaptationTrainerOptions.Evaluation.Interval must be ≥ 0 (0: evaluate only after the last step), but was -1." },
        { "evaluation batch", o => o.Evaluation.BatchSize = 0, "AdaptationTrainerOptions.Evaluation.BatchSize must be in [1, 65536], but was 0." },
        { "evaluation samples", o => o.Evaluation.MaxSamples = -5, "AdaptationTrainerOptions.Evaluation.MaxSamples must be ≥ 0 (0: all samples), but was -5." },
        { "checkpoint folder", o => o.Checkpoints.Directory = " ", "AdaptationTrainerOptions.Checkpoints.Directory must be null or a valid folder path, but was \" \"." },
        { "checkpoint interval", o => o.Checkpoints.Interval = -2, "AdaptationTrainerOptions.Checkpoints.Interval must be ≥ 0 (0: checkpoint only after the last step), but was -2." },
        { "checkpoints kept", o => o.Checkpoints.ToKeep = 0, "AdaptationTrainerOptions.Checkpoints.ToKeep must be in [1, 1000], but was 0." },
        { "log interval", o => o.Monitoring.LogInterval = -1, "AdaptationTrainerOptions.Monitoring.LogInterval must be ≥ 0 (0: no step logs), but was -1." },
        { "garbage collection interval", o => o.Monitoring.GarbageCollectionInterval = -5, "AdaptationTrainerOptions.Monitoring.GarbageCollectionInterval must be ≥ 0 (0: never force a collection), but was -5." },
        { "precision", o => (o.Precision.Mode, o.Precision.Dtype) = (TrainingPrecision.BFloat16Mixed, ScalarType.Float64), "AdaptationTrainerOptions.Precision.Mode must be Full when Dtype is not Float32 (BFloat16Mixed keeps float32 master weights), but was BFloat16Mixed." },
        { "missing group", o => o.Optimizer = null!, "AdaptationTrainerOptions.Optimizer must be set (the group's defaults: new()), but was null." },
        { "weight average", o => o.WeightAverageDecay = 1.0, "AdaptationTrainerOptions.WeightAverageDecay must be in [0, 1) (0: no weight average; e.g. 0.999), but was 1." },
        { "collapse window", o => o.Monitoring.CollapseWindow = -1, "AdaptationTrainerOptions.Monitoring.CollapseWindow must be ≥ 0 (0: do not watch for a collapse), but was -1." },
    };

    [Theory]
    [MemberData(nameof(InvalidOptions))]
    public void Validate_InvalidOption_FailsWithMessageNamingOptionAndRange(string rule, Action<AdaptationTrainerOptions> spoil, string message)
    {
        var options = new AdaptationTrainerOptions { Steps = 100 };
        spoil(options);

        ValidateOptionsResult result = new AdaptationTrainerOptionsValidator().Validate(null, options);

        result.Failed.Should().BeTrue(rule);
        result.Failures.Should().ContainSingle().Which.Should().Match(message, rule);
    }

    [Fact]
    public void Validate_DefaultsWithSteps_Succeed()
    {
        new AdaptationTrainerOptionsValidator().Validate(null, new AdaptationTrainerOptions { Steps = 1 }).Succeeded.Should().BeTrue();
        new AdaptationTrainerOptionsValidator().Validate(null, new AdaptationTrainerOptions { Epochs = 2, Device = "cuda:1", Optimizer = { Kind = OptimizerKind.Adam } }).Succeeded.Should().BeTrue();
    }

    [Fact]
    public void Validate_SeveralInvalidOptions_ReportsEach()
    {
        var options = new AdaptationTrainerOptions { Steps = 10, BatchSizePerDomain = -1, Optimizer = { LearningRate = -1, Momentum = 2 } };

        new AdaptationTrainerOptionsValidator().Validate(null, options).Failures.Should().HaveCount(3);
    }

    [Fact]
    public void ThrowIfInvalid_InvalidOptions_ThrowsOptionsValidationExceptionWithMessages()
    {
        var act = () => AdaptationTrainerOptionsValidator.ThrowIfInvalid(new AdaptationTrainerOptions { Steps = 10, BatchSizePerDomain = 0 });

        act.Should().Throw<OptionsValidationException>().Which.Message.Should().Contain("AdaptationTrainerOptions.BatchSizePerDomain must be in [1, 65536], but was 0.");
    }

    [Fact]
    public void Clone_CopiesArraysDeeply()
    {
        var options = new AdaptationTrainerOptions { Steps = 5, Input = { Normalisation = NormalisationKind.Explicit, Mean = [0.1], Std = [0.2] } };

        AdaptationTrainerOptions copy = options.Clone();
        options.Input.Mean[0] = 9;
        options.Optimizer.LearningRate = 0.5;
        options.Checkpoints.Interval = 7;

        copy.Input.Mean.Should().Equal(0.1);
        copy.Optimizer.LearningRate.Should().Be(0.01, "the groups are copied, not shared");
        copy.Checkpoints.Interval.Should().Be(0);
        copy.Steps.Should().Be(5);
    }

    [Fact]
    public void GroupValidators_OnTheirOwn_NameTheirOwnType()
    {
        new OptimizerOptionsValidator().Validate(null, new OptimizerOptions { LearningRate = -1 }).Failures.Should().ContainSingle()
            .Which.Should().Be("OptimizerOptions.LearningRate must be a finite number > 0, but was -1.");
        new CheckpointOptionsValidator().Validate(null, new CheckpointOptions { ToKeep = 0 }).Failures.Should().ContainSingle()
            .Which.Should().StartWith("CheckpointOptions.ToKeep must be in [1, 1000]");
    }
}
