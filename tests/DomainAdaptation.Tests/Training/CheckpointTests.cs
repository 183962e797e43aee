using DomainAdaptation.Data.Batching;
using DomainAdaptation.Schedules;
using DomainAdaptation.Tests.TestSupport;
using DomainAdaptation.Training;
using static TorchSharp.torch;

namespace DomainAdaptation.Tests.Training;

[Collection(TorchSerial.Name)]
public class CheckpointTests
{
    [Fact]
    public void SaveCheckpoint_RoundTrip_RestoresEveryEntryBitwiseAndTheMetadata()
    {
        using var data = SyntheticData.Blobs(30, 30, features: 3, classes: 3, seed: 1);
        using var folder = new TempDirectory();
        var model = TestModels.Mlp(3, 5, 3, seed: 4, batchNorm: true);
        var options = new DannTrainerOptions { Steps = 3, BatchSizePerDomain = 6, Seed = 77, CheckpointDirectory = folder.Path, Normalisation = NormalisationKind.MeanStdOverBothDomains };
        using var trainer = new DannTrainer(model, data, options);
        TrainingResult result = trainer.Train();

        CheckpointInfo info = Checkpoint.ReadInfo(result.LastCheckpoint!.Path);
        info.Should().BeEquivalentTo(result.LastCheckpoint, o => o.Excluding(i => i.CreatedUtc));
        info.Step.Should().Be(3);
        info.TotalSteps.Should().Be(3);
        info.Seed.Should().Be(77);
        info.Mode.Should().Be(TrainingMode.Dann);
        info.Optimizer.Should().Be(OptimizerKind.Sgd);
        info.Algorithm.Should().Be("DANN");
        info.Normalisation.Should().Be(trainer.Normalisation);
        info.OptionsJson.Should().Contain("\"BatchSizePerDomain\": 6").And.Contain("GaninLambdaSchedule { Gamma = 10, Max = 1 }").And.Contain("\"Mode\": \"Dann\"");
        Path.GetFileName(info.Path).Should().Be("checkpoint-0000000003.dann");

        var fresh = TestModels.Mlp(3, 5, 3, seed: 123, batchNorm: true);
        Checkpoint.LoadModel(folder.Path, fresh).Step.Should().Be(3);
        TestModels.BitwiseEqual(TestModels.Snapshot(model), TestModels.Snapshot(fresh), out string difference).Should().BeTrue(difference);
    }

    [Fact]
    public void Checkpoints_KeepOnlyTheNewest_AndLeaveNoTemporaryFiles()
    {
        using var data = SyntheticData.Blobs(20, 20, features: 2, classes: 2, seed: 1);
        using var folder = new TempDirectory();
        var options = new DannTrainerOptions { Steps = 5, BatchSizePerDomain = 4, CheckpointDirectory = folder.Path, CheckpointInterval = 1, CheckpointsToKeep = 2 };
        using var trainer = new DannTrainer(TestModels.Mlp(2, 3, 2, seed: 1), data, options);

        trainer.Train();

        Directory.GetFiles(folder.Path).Select(Path.GetFileName).Order().Should().Equal("checkpoint-0000000004.dann", "checkpoint-0000000005.dann");
    }

    [Fact]
    public void FindLatest_NewestCorrupted_FallsBackToThePreviousAndReadInfoExplains()
    {
        using var data = SyntheticData.Blobs(20, 20, features: 2, classes: 2, seed: 1);
        using var folder = new TempDirectory();
        var options = new DannTrainerOptions { Steps = 4, BatchSizePerDomain = 4, CheckpointDirectory = folder.Path, CheckpointInterval = 2 };
        using (var trainer = new DannTrainer(TestModels.Mlp(2, 3, 2, seed: 1), data, options))
        {
            trainer.Train();
        }

        string newest = Path.Combine(folder.Path, "checkpoint-0000000004.dann");
        byte[] bytes = File.ReadAllBytes(newest);
        bytes[bytes.Length / 2] ^= 0x40;
        File.WriteAllBytes(newest, bytes);

        Checkpoint.FindLatest(folder.Path).Should().Be(Path.Combine(folder.Path, "checkpoint-0000000002.dann"));
        FluentActions.Invoking(() => Checkpoint.ReadInfo(newest)).Should().Throw<CheckpointException>()
            .WithMessage($"Checkpoint '{newest}': its SHA-256 does not match its contents*");

        File.WriteAllBytes(newest, bytes.AsSpan(0, 100).ToArray());
        FluentActions.Invoking(() => Checkpoint.ReadInfo(newest)).Should().Throw<CheckpointException>().WithMessage("*truncated*");

        using (var resumed = new DannTrainer(TestModels.Mlp(2, 3, 2, seed: 1), data, options))
        {
            resumed.Resume(folder.Path).Step.Should().Be(2);
        }
    }

    [Fact]
    public void ReadInfo_NotACheckpoint_ThrowsNamingTheFile()
    {
        using var folder = new TempDirectory();
        string path = Path.Combine(folder.Path, "notes.dann");
        File.WriteAllText(path, new string('x', 200));

        FluentActions.Invoking(() => Checkpoint.ReadInfo(path)).Should().Throw<CheckpointException>().WithMessage($"Checkpoint '{path}': it does not start with \"DANNCKPT\"*");
        FluentActions.Invoking(() => Checkpoint.ReadInfo(Path.Combine(folder.Path, "missing.dann"))).Should().Throw<CheckpointException>().WithMessage("*cannot be opened*");
    }

    [Fact]
    public void Resume_DifferentTrajectoryOptions_ThrowsListingEachDifference()
    {
        using var data = SyntheticData.Blobs(20, 20, features: 2, classes: 2, seed: 1);
        using var folder = new TempDirectory();
        var options = new DannTrainerOptions { Steps = 4, BatchSizePerDomain = 4, CheckpointDirectory = folder.Path };
        using (var trainer = new DannTrainer(TestModels.Mlp(2, 3, 2, seed: 1), data, options))
        {
            trainer.Train();
        }

        // Checkpoint and evaluation settings may differ; the learning rate and λ schedule may not.
        var changed = new DannTrainerOptions { Steps = 4, BatchSizePerDomain = 4, CheckpointDirectory = folder.Path, CheckpointInterval = 7, EvaluationInterval = 2, LearningRate = 0.02, LambdaSchedule = LambdaSchedules.Constant(0.5) };
        using var other = new DannTrainer(TestModels.Mlp(2, 3, 2, seed: 1), data, changed);

        FluentActions.Invoking(() => other.Resume(folder.Path)).Should().Throw<CheckpointException>()
            .WithMessage("*different training options*LambdaSchedule: checkpoint \"GaninLambdaSchedule { Gamma = 10, Max = 1 }\", now \"ConstantLambdaSchedule { Value = 0.5 }\"; LearningRate: checkpoint 0.01, now 0.02.");

        using var longer = new DannTrainer(TestModels.Mlp(2, 3, 2, seed: 1), data, new DannTrainerOptions { Steps = 8, BatchSizePerDomain = 4 });
        FluentActions.Invoking(() => longer.Resume(folder.Path)).Should().Throw<CheckpointException>().WithMessage("*a run of 4 steps, but this trainer plans 8*");
    }

    [Fact]
    public void LoadModel_DifferentArchitecture_ThrowsNamingTheEntryAndBothShapes()
    {
        using var data = SyntheticData.Blobs(20, 20, features: 2, classes: 2, seed: 1);
        using var folder = new TempDirectory();
        using (var trainer = new DannTrainer(TestModels.Mlp(2, 3, 2, seed: 1), data, new DannTrainerOptions { Steps = 1, BatchSizePerDomain = 4, CheckpointDirectory = folder.Path }))
        {
            trainer.Train();
        }

        FluentActions.Invoking(() => Checkpoint.LoadModel(folder.Path, TestModels.Mlp(2, 4, 2, seed: 1))).Should().Throw<CheckpointException>()
            .WithMessage("*'feature_extractor.fc.weight' has shape [3, 2] in the checkpoint but [4, 2] in the model.");
        FluentActions.Invoking(() => Checkpoint.LoadModel(folder.Path, TestModels.Mlp(2, 3, 2, seed: 1, batchNorm: true))).Should().Throw<CheckpointException>()
            .WithMessage("*missing from the checkpoint [feature_extractor.bn.bias, feature_extractor.bn.num_batches_tracked*");
    }

    [Fact]
    public void LoadModel_IntoFloat64Model_ConvertsAndEvaluatesTheSame()
    {
        using var data = SyntheticData.Blobs(20, 20, features: 2, classes: 2, seed: 1);
        using var folder = new TempDirectory();
        var model = TestModels.Mlp(2, 3, 2, seed: 1);
        using var trainer = new DannTrainer(model, data, new DannTrainerOptions { Steps = 5, BatchSizePerDomain = 4, CheckpointDirectory = folder.Path });
        var trained = trainer.Train().FinalEvaluation;

        var evaluationModel = TestModels.Mlp(2, 3, 2, seed: 8, dtype: ScalarType.Float64);
        CheckpointInfo info = Checkpoint.LoadModel(folder.Path, evaluationModel);
        using var converter = new SampleConverter(ScalarType.Float64, CPU, info.Normalisation);
        var again = new DomainAdaptation.Evaluation.Evaluator(converter).Evaluate(evaluationModel, data, info.Step);

        again.SourceAccuracy.Should().Be(trained.SourceAccuracy);
        again.TargetAccuracy.Should().Be(trained.TargetAccuracy);
    }
}
