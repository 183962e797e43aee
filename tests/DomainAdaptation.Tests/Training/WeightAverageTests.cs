using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using DomainAdaptation.Evaluation;
using DomainAdaptation.Tests.TestSupport;
using DomainAdaptation.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace DomainAdaptation.Tests.Training;

[Collection(TorchSerial.Name)]
public class WeightAverageTests
{
    [Fact]
    public void Update_ThreeSteps_MatchesTheHandComputedAverageWithWarmUp()
    {
        using var layer = nn.Linear(2, 1).to(ScalarType.Float64);
        using var average = new WeightAverage(layer, decay: 0.5);
        double[] expected = layer.weight!.data<double>().ToArray(); // the average starts at the initial weights

        // d₁ = min(0.5, 2/11), d₂ = min(0.5, 3/12), d₃ = min(0.5, 4/13): the warm-up, then the cap would apply.
        double[][] steps = [[1.0, 2.0], [4.0, -1.0], [-2.0, 0.5]];
        for (int n = 1; n <= steps.Length; n++)
        {
            using (no_grad()) layer.weight!.copy_(tensor(steps[n - 1], ScalarType.Float64).reshape(1, 2));
            average.Update();
            double d = Math.Min(0.5, (1.0 + n) / (10.0 + n));
            for (int i = 0; i < 2; i++) expected[i] = d * expected[i] + (1 - d) * steps[n - 1][i];
        }

        average.Updates.Should().Be(3);
        using (average.Apply())
        {
            double[] applied = layer.weight!.data<double>().ToArray();
            applied[0].Should().BeApproximately(expected[0], 1e-15);
            applied[1].Should().BeApproximately(expected[1], 1e-15);
        }

        layer.weight!.data<double>().ToArray().Should().Equal(steps[^1], "Apply's handle puts the trained weights back");
    }

    [Fact]
    public void DecayAt_EarlyUpdates_WarmUpThenCapAtTheDecay()
    {
        using var layer = nn.Linear(2, 1);
        using var average = new WeightAverage(layer, decay: 0.999);
        average.DecayAt(1).Should().BeApproximately(2.0 / 11.0, 1e-15);
        average.DecayAt(100).Should().BeApproximately(101.0 / 110.0, 1e-15);
        average.DecayAt(1_000_000).Should().Be(0.999);
        var act = () => average.DecayAt(0);
        act.Should().Throw<ArgumentOutOfRangeException>();
    }

    [Theory]
    [InlineData(-0.1)]
    [InlineData(1.0)]
    [InlineData(double.NaN)]
    public void Constructor_DecayOutsideTheUnitInterval_ThrowsNamingTheRange(double decay)
    {
        using var layer = nn.Linear(2, 1);
        var act = () => new WeightAverage(layer, decay);
        act.Should().Throw<ArgumentOutOfRangeException>().WithMessage("*[0, 1)*");
    }

    [Fact]
    public void CopyTo_DifferentArchitecture_ThrowsNamingTheEntryAndShapes()
    {
        using var layer = nn.Linear(2, 1);
        using var other = nn.Linear(3, 1);
        using var average = new WeightAverage(layer, 0.9);
        var act = () => average.CopyTo(other);
        act.Should().Throw<ArgumentException>().WithMessage("*'weight'*[1, 3]*[1, 2]*");
    }

    [Fact]
    public void Trainer_WithWeightAverage_TrainsTheSameWeightsAndEvaluatesTheAverage()
    {
        using var data = SyntheticData.Blobs(40, 30, features: 3, classes: 3, seed: 3, dtype: ScalarType.Float32);
        AdaptationTrainerOptions Options(double decay) => new() { Steps = 30, BatchSizePerDomain = 8, Seed = 4, WeightAverageDecay = decay, Optimizer = { LearningRate = 0.1 } };

        var plainModel = TestModels.Mlp(3, 8, 3, seed: 11, batchNorm: true);
        using (var plain = TestTrainer.Create(plainModel, data, Options(0)))
        {
            plain.WeightAverage.Should().BeNull();
            plain.Train();
        }

        var averagedModel = TestModels.Mlp(3, 8, 3, seed: 11, batchNorm: true);
        var copy = TestModels.Mlp(3, 8, 3, seed: 99, batchNorm: true);
        using (var averaged = TestTrainer.Create(averagedModel, data, Options(0.9)))
        {
            TrainingResult result = averaged.Train();
            averaged.WeightAverage!.Updates.Should().Be(30);

            // The trained weights are untouched by the average (same trajectory, bitwise).
            TestModels.BitwiseEqual(TestModels.Snapshot(plainModel), TestModels.Snapshot(averagedModel), out string difference)
                .Should().BeTrue($"'{difference}' differs although averaging must not change training");

            // The final evaluation is the averaged weights' evaluation (the model's and the domain classifier's).
            averaged.CopyAverageTo(copy);
            averaged.WeightAverage.CopyTo(copy.DomainHead, "method.domain_classifier.");
            TestModels.BitwiseEqual(TestModels.Snapshot(copy), TestModels.Snapshot(averagedModel), out _).Should().BeFalse("the average differs from the last weights");
            copy.Model.eval();
            EvaluationMetrics direct = averaged.Evaluator.Evaluate(copy, data, discriminator: copy.Dann());
            result.FinalEvaluation.SourceAccuracy.Should().Be(direct.SourceAccuracy);
            result.FinalEvaluation.Target.MeanPredictionEntropy.Should().Be(direct.Target.MeanPredictionEntropy);
            result.FinalEvaluation.DomainClassifierAccuracy.Should().Be(direct.DomainClassifierAccuracy);
        }
    }

    [Fact]
    public void Checkpoint_WithWeightAverage_LoadsEachKindOfWeightsAndResumesBitwise()
    {
        using var data = SyntheticData.Blobs(40, 30, features: 3, classes: 3, seed: 3, dtype: ScalarType.Float32);
        using var folderA = new TempDirectory();
        using var folderB = new TempDirectory();
        AdaptationTrainerOptions Options(string folder) => new() { Steps = 20, BatchSizePerDomain = 8, Seed = 4, WeightAverageDecay = 0.8, Optimizer = { LearningRate = 0.1 }, Checkpoints = { Directory = folder, Interval = 10 } };

        var straightModel = TestModels.Mlp(3, 8, 3, seed: 11);
        var straightAverage = TestModels.Mlp(3, 8, 3, seed: 98);
        using (var straight = TestTrainer.Create(straightModel, data, Options(folderA.Path)))
        {
            straight.Train();
            straight.CopyAverageTo(straightAverage);
        }

        string final = Path.Combine(folderA.Path, "checkpoint-0000000020.dann");
        Checkpoint.ReadInfo(final).WeightAverageUpdates.Should().Be(20);
        var loaded = TestModels.Mlp(3, 8, 3, seed: 50);
        Checkpoint.LoadModel(final, loaded).HasWeightAverage.Should().BeTrue();
        TestModels.BitwiseEqual(TestModels.Snapshot(straightAverage.Model), TestModels.Snapshot(loaded.Model), out string d1).Should().BeTrue($"the default loads the average ('{d1}' differs)");
        Checkpoint.LoadModel(final, loaded, CheckpointWeights.Trained);
        TestModels.BitwiseEqual(TestModels.Snapshot(straightModel.Model), TestModels.Snapshot(loaded.Model), out string d2).Should().BeTrue($"Trained loads the trained weights ('{d2}' differs)");

        // Resume from step 10 in another folder: both the weights and the average continue bitwise.
        File.Copy(Path.Combine(folderA.Path, "checkpoint-0000000010.dann"), Path.Combine(folderB.Path, "checkpoint-0000000010.dann"));
        var resumedModel = TestModels.Mlp(3, 8, 3, seed: 77);
        var resumedAverage = TestModels.Mlp(3, 8, 3, seed: 97);
        using (var resumed = TestTrainer.Create(resumedModel, data, Options(folderB.Path)))
        {
            resumed.Resume(folderB.Path).WeightAverageUpdates.Should().Be(10);
            resumed.Train();
            resumed.WeightAverage!.Updates.Should().Be(20);
            resumed.CopyAverageTo(resumedAverage);
        }

        TestModels.BitwiseEqual(TestModels.Snapshot(straightModel), TestModels.Snapshot(resumedModel), out string d3).Should().BeTrue($"'{d3}' differs");
        TestModels.BitwiseEqual(TestModels.Snapshot(straightAverage.Model), TestModels.Snapshot(resumedAverage.Model), out string d4).Should().BeTrue($"average '{d4}' differs");
    }

    [Fact]
    public void LoadModel_AveragedFromACheckpointWithoutAverage_ThrowsNamingTheOption()
    {
        using var data = SyntheticData.Blobs(20, 20, features: 2, classes: 2, seed: 1);
        using var folder = new TempDirectory();
        var model = TestModels.Mlp(2, 4, 2, seed: 1, dtype: ScalarType.Float64);
        using (var trainer = TestTrainer.Create(model, data, new AdaptationTrainerOptions { Steps = 2, BatchSizePerDomain = 4, Precision = { Dtype = ScalarType.Float64 }, Checkpoints = { Directory = folder.Path } }))
        {
            trainer.Train();
        }

        var act = () => Checkpoint.LoadModel(folder.Path, TestModels.Mlp(2, 4, 2, seed: 2, dtype: ScalarType.Float64), CheckpointWeights.Averaged);
        act.Should().Throw<CheckpointException>().WithMessage("*checkpoint-0000000002.dann*no weight average*WeightAverageDecay*");
    }

    [Fact]
    public void Resume_DannOnlyTrainerCheckpoint_RefusedNamingTheFormatVersion()
    {
        // A checkpoint whose header says version 2, as the DANN-only trainer wrote them (model keys without "model.").
        using var data = SyntheticData.Blobs(20, 20, features: 2, classes: 2, seed: 1);
        using var folder = new TempDirectory();
        var options = new AdaptationTrainerOptions { Steps = 2, BatchSizePerDomain = 4, Checkpoints = { Directory = folder.Path } };
        using (var trainer = TestTrainer.Create(TestModels.Mlp(2, 4, 2, seed: 1), data, options))
        {
            trainer.Train();
        }

        string path = Path.Combine(folder.Path, "checkpoint-0000000002.dann");
        RewriteVersion(path, 2);

        FluentActions.Invoking(() => Checkpoint.ReadInfo(path)).Should().Throw<CheckpointException>()
            .WithMessage("*format version 2, written by the DANN-only trainer before the method redesign*reads version 3*");
        using var resumed = TestTrainer.Create(TestModels.Mlp(2, 4, 2, seed: 1), data, options);
        FluentActions.Invoking(() => resumed.Resume(path)).Should().Throw<CheckpointException>().WithMessage("*format version 2*");
    }

    [Fact]
    public void Validator_WeightAverageDecayOutOfRange_FailsNamingTheOption()
    {
        var result = new AdaptationTrainerOptionsValidator().Validate(null, new AdaptationTrainerOptions { WeightAverageDecay = 1.0 });
        result.Failed.Should().BeTrue();
        result.FailureMessage.Should().Contain("WeightAverageDecay").And.Contain("[0, 1)");
    }

    /// <summary>Rewrites a checkpoint's format version (and its hash, so that only the version is wrong).</summary>
    private static void RewriteVersion(string path, int version)
    {
        byte[] file = File.ReadAllBytes(path);
        BitConverter.GetBytes(version).CopyTo(file, 8);
        byte[] body = file.AsSpan(0, file.Length - 32).ToArray();
        File.WriteAllBytes(path, [.. body, .. SHA256.HashData(body)]);
    }
}
