using DomainAdaptation.Training;
using Microsoft.Extensions.Options;
using static TorchSharp.torch;

namespace DomainAdaptation.Tests.Training;

public class DannTrainerOptionsValidatorTests
{
    public static TheoryData<string, Action<DannTrainerOptions>, string> InvalidOptions() => new()
    {
        { "neither length", o => o.Steps = null, "Set exactly one of DannTrainerOptions.Steps (≥ 1) and DannTrainerOptions.Epochs (≥ 1), but neither was set." },
        { "both lengths", o => o.Epochs = 3, "*but both were set." },
        { "steps", o => o.Steps = 0, "DannTrainerOptions.Steps must be at least 1, but was 0." },
        { "epochs", o => (o.Steps, o.Epochs) = (null, -1), "DannTrainerOptions.Epochs must be at least 1, but was -1." },
        { "batch size low", o => o.BatchSizePerDomain = 0, "DannTrainerOptions.BatchSizePerDomain must be in [1, 65536], but was 0." },
        { "batch size high", o => o.BatchSizePerDomain = 65537, "DannTrainerOptions.BatchSizePerDomain must be in [1, 65536], but was 65537." },
        { "optimizer", o => o.Optimizer = (OptimizerKind)7, "DannTrainerOptions.Optimizer must be one of Sgd, Adam, but was 7." },
        { "learning rate", o => o.LearningRate = 0, "DannTrainerOptions.LearningRate must be a finite number > 0, but was 0." },
        { "learning rate NaN", o => o.LearningRate = double.NaN, "DannTrainerOptions.LearningRate must be a finite number > 0, but was NaN." },
        { "momentum", o => o.Momentum = 1.0, "DannTrainerOptions.Momentum must be in [0, 1), but was 1." },
        { "weight decay", o => o.WeightDecay = -0.1, "DannTrainerOptions.WeightDecay must be a finite number ≥ 0, but was -0.1." },
        { "beta1", o => o.AdamBeta1 = -0.5, "DannTrainerOptions.AdamBeta1 must be in [0, 1), but was -0.5." },
        { "beta2", o => o.AdamBeta2 = 1.5, "DannTrainerOptions.AdamBeta2 must be in [0, 1), but was 1.5." },
        { "epsilon", o => o.AdamEpsilon = 0, "DannTrainerOptions.AdamEpsilon must be a finite number > 0, but was 0." },
        { "lr schedule", o => o.LearningRateSchedule = null!, "DannTrainerOptions.LearningRateSchedule must be set (e.g. LearningRateSchedules.Annealing()), but was null." },
        { "domain weight", o => o.DomainLossWeight = double.PositiveInfinity, "DannTrainerOptions.DomainLossWeight must be a finite number ≥ 0, but was Infinity." },
        { "domain loss", o => o.DomainLoss = (DomainLossKind)5, "DannTrainerOptions.DomainLoss must be one of BinaryCrossEntropyWithLogits, CrossEntropy, but was 5." },
        { "batch norm mode", o => o.BatchNormMode = (BatchNormMode)9, "DannTrainerOptions.BatchNormMode must be one of Joint, Separate, but was 9." },
        { "mode", o => o.Mode = (TrainingMode)3, "DannTrainerOptions.Mode must be one of SourceOnly, Dann, TargetOnly, but was 3." },
        { "device", o => o.Device = "gpu0", "DannTrainerOptions.Device must be a device name: \"cpu\", \"cuda\", \"cuda:N\" or \"mps\", but was \"gpu0\"." },
        { "dtype", o => o.Dtype = ScalarType.Int32, "DannTrainerOptions.Dtype must be Float32 or Float64, but was Int32." },
        { "normalisation kind", o => o.Normalisation = (NormalisationKind)8, "DannTrainerOptions.Normalisation must be one of None, MeanOverBothDomains, MeanStdOverBothDomains, Explicit, but was 8." },
        { "explicit without values", o => o.Normalisation = NormalisationKind.Explicit, "DannTrainerOptions.Normalisation = Explicit needs DannTrainerOptions.NormalisationMean and DannTrainerOptions.NormalisationStd with one value per channel each (same length ≥ 1), but they had null and null values." },
        { "explicit std zero", o => (o.Normalisation, o.NormalisationMean, o.NormalisationStd) = (NormalisationKind.Explicit, [0.5], [0.0]), "DannTrainerOptions.NormalisationStd[0] must be a finite number > 0, but was 0." },
        { "values without explicit", o => o.NormalisationMean = [0.5], "*are used only with DannTrainerOptions.Normalisation = Explicit, but Normalisation was None*" },
        { "evaluation interval", o => o.EvaluationInterval = -1, "DannTrainerOptions.EvaluationInterval must be ≥ 0 (0: evaluate only after the last step), but was -1." },
        { "evaluation batch", o => o.EvaluationBatchSize = 0, "DannTrainerOptions.EvaluationBatchSize must be in [1, 65536], but was 0." },
        { "evaluation samples", o => o.EvaluationMaxSamples = -5, "DannTrainerOptions.EvaluationMaxSamples must be ≥ 0 (0: all samples), but was -5." },
        { "checkpoint folder", o => o.CheckpointDirectory = " ", "DannTrainerOptions.CheckpointDirectory must be null or a valid folder path, but was \" \"." },
        { "checkpoint interval", o => o.CheckpointInterval = -2, "DannTrainerOptions.CheckpointInterval must be ≥ 0 (0: checkpoint only after the last step), but was -2." },
        { "checkpoints kept", o => o.CheckpointsToKeep = 0, "DannTrainerOptions.CheckpointsToKeep must be in [1, 1000], but was 0." },
        { "log interval", o => o.LogInterval = -1, "DannTrainerOptions.LogInterval must be ≥ 0 (0: no step logs), but was -1." },
        { "garbage collection interval", o => o.GarbageCollectionInterval = -5, "DannTrainerOptions.GarbageCollectionInterval must be ≥ 0 (0: never force a collection), but was -5." },
        { "collapse window", o => o.CollapseWindow = -1, "DannTrainerOptions.CollapseWindow must be ≥ 0 (0: do not watch for a collapse), but was -1." },
    };

    [Theory]
    [MemberData(nameof(InvalidOptions))]
    public void Validate_InvalidOption_FailsWithMessageNamingOptionAndRange(string rule, Action<DannTrainerOptions> spoil, string message)
    {
        var options = new DannTrainerOptions { Steps = 100 };
        spoil(options);

        ValidateOptionsResult result = new DannTrainerOptionsValidator().Validate(null, options);

        result.Failed.Should().BeTrue(rule);
        result.Failures.Should().ContainSingle().Which.Should().Match(message, rule);
    }

    [Fact]
    public void Validate_DefaultsWithSteps_Succeed()
    {
        new DannTrainerOptionsValidator().Validate(null, new DannTrainerOptions { Steps = 1 }).Succeeded.Should().BeTrue();
        new DannTrainerOptionsValidator().Validate(null, new DannTrainerOptions { Epochs = 2, Device = "cuda:1", Optimizer = OptimizerKind.Adam }).Succeeded.Should().BeTrue();
    }

    [Fact]
    public void Validate_SeveralInvalidOptions_ReportsEach()
    {
        var options = new DannTrainerOptions { Steps = 10, BatchSizePerDomain = -1, LearningRate = -1, Momentum = 2 };

        new DannTrainerOptionsValidator().Validate(null, options).Failures.Should().HaveCount(3);
    }

    [Fact]
    public void ThrowIfInvalid_InvalidOptions_ThrowsOptionsValidationExceptionWithMessages()
    {
        var act = () => DannTrainerOptionsValidator.ThrowIfInvalid(new DannTrainerOptions { Steps = 10, BatchSizePerDomain = 0 });

        act.Should().Throw<OptionsValidationException>().Which.Message.Should().Contain("DannTrainerOptions.BatchSizePerDomain must be in [1, 65536], but was 0.");
    }

    [Fact]
    public void Clone_CopiesArraysDeeply()
    {
        var options = new DannTrainerOptions { Steps = 5, Normalisation = NormalisationKind.Explicit, NormalisationMean = [0.1], NormalisationStd = [0.2] };

        DannTrainerOptions copy = options.Clone();
        options.NormalisationMean[0] = 9;

        copy.NormalisationMean.Should().Equal(0.1);
        copy.Steps.Should().Be(5);
    }
}
