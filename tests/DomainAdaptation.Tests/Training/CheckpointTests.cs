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
        var options = new AdaptationTrainerOptions { Steps = 3, BatchSizePerDomain = 6, Seed = 77, Input = { Normalisation = NormalisationKind.MeanStdOverBothDomains }, Checkpoints = { Directory = folder.Path } };
        using var trainer = TestTrainer.Create(model, data, options);
        TrainingResult result = trainer.Train();

        CheckpointInfo info = Checkpoint.ReadInfo(result.LastCheckpoint!.Path);
        info.Should().BeEquivalentTo(result.LastCheckpoint, o => o.Excluding(i => i.CreatedUtc));
        info.Step.Should().Be(3);
        info.TotalSteps.Should().Be(3);
        info.Seed.Should().Be(77);
        info.Method.Should().Be("dann");
        info.MethodSettingsJson.Should().Contain("GaninLambdaSchedule { Gamma = 10, Max = 1 }").And.Contain("\"DomainLossWeight\": 1");
        info.InferenceModule.Should().BeNull();
        info.Optimizer.Should().Be(OptimizerKind.Sgd);
        info.Normalisation.Should().Be(trainer.Normalisation);
        info.OptionsJson.Should().Contain("\"BatchSizePerDomain\": 6").And.Contain("\"Optimizer\": {");
        Path.GetFileName(info.Path).Should().Be("checkpoint-0000000003.dann");

        var fresh = TestModels.Mlp(3, 5, 3, seed: 123, batchNorm: true);
        Checkpoint.LoadModel(folder.Path, fresh).Step.Should().Be(3);
        TestModels.BitwiseEqual(TestModels.Snapshot(model.Model), TestModels.Snapshot(fresh.Model), out string difference).Should().BeTrue(difference);
    }

    [Fact]
    public void SaveCheckpoint_HoldsTheMethodsModulesUnderMethodAndTheModelUnderModel()
    {
        using var data = SyntheticData.Blobs(20, 20, features: 2, classes: 2, seed: 1);
        using var folder = new TempDirectory();
        var model = TestModels.Mlp(2, 3, 2, seed: 1);
        using (var trainer = TestTrainer.Create(model, data, new AdaptationTrainerOptions { Steps = 2, BatchSizePerDomain = 4, Checkpoints = { Directory = folder.Path } }))
        {
            trainer.Train();
        }

        using CheckpointFormat.Contents contents = CheckpointFormat.Read(Checkpoint.FindLatest(folder.Path)!);
        contents.Modules.Keys.Order().Should().Equal(
            "method.domain_classifier.bias", "method.domain_classifier.weight",
            "model.feature_extractor.fc.bias", "model.feature_extractor.fc.weight", "model.label_classifier.bias", "model.label_classifier.weight");
        contents.Modules["method.domain_classifier.weight"].Equals(model.DomainHead.state_dict()["weight"]).Should().BeTrue();
        contents.Optimizer.Keys.Should().OnlyContain(k => k.StartsWith("main.", StringComparison.Ordinal));
    }

    [Fact]
    public void Resume_CheckpointOfAnotherMethodOrOtherSettings_ThrowsNamingBoth()
    {
        using var data = SyntheticData.Blobs(20, 20, features: 2, classes: 2, seed: 1);
        using var folder = new TempDirectory();
        var options = new AdaptationTrainerOptions { Steps = 4, BatchSizePerDomain = 4, Checkpoints = { Directory = folder.Path } };
        using (var trainer = TestTrainer.Create(TestModels.Mlp(2, 3, 2, seed: 1), data, options))
        {
            trainer.Train();
        }

        using (var other = TestTrainer.Create(TestModels.Mlp(2, 3, 2, seed: 1), data, options, method: new DomainAdaptation.Methods.Regularizers.Mcc()))
        {
            FluentActions.Invoking(() => other.Resume(folder.Path)).Should().Throw<CheckpointException>()
                .WithMessage("*written by the method 'dann' (*), but this trainer runs 'mcc' ({\"Weight\":1,\"Temperature\":2.5}); resume it with the method that wrote it.");
        }

        var net = TestModels.Mlp(2, 3, 2, seed: 1);
        using var reweighted = TestTrainer.Create(net, data, options, method: net.Dann(weight: 2));
        FluentActions.Invoking(() => reweighted.Resume(folder.Path)).Should().Throw<CheckpointException>()
            .WithMessage("*written by 'dann' with other settings*DomainLossWeight: checkpoint 1, now 2.");
    }

    [Fact]
    public void Checkpoints_KeepOnlyTheNewest_AndLeaveNoTemporaryFiles()
    {
        using var data = SyntheticData.Blobs(20, 20, features: 2, classes: 2, seed: 1);
        using var folder = new TempDirectory();
        var options = new AdaptationTrainerOptions { Steps = 5, BatchSizePerDomain = 4, Checkpoints = { Directory = folder.Path, Interval = 1, ToKeep = 2 } };
        using var trainer = TestTrainer.Create(TestModels.Mlp(2, 3, 2, seed: 1), data, options);

        trainer.Train();

        Directory.GetFiles(folder.Path).Select(Path.GetFileName).Order().Should().Equal("checkpoint-0000000004.dann", "checkpoint-0000000005.dann");
    }

    [Fact]
    public void FindLatest_NewestCorrupted_FallsBackToThePreviousAndReadInfoExplains()
    {
        using var data = SyntheticData.Blobs(20, 20, features: 2, classes: 2, seed: 1);
        using var folder = new TempDirectory();
        var options = new AdaptationTrainerOptions { Steps = 4, BatchSizePerDomain = 4, Checkpoints = { Directory = folder.Path, Interval = 2 } };
        using (var trainer = TestTrainer.Create(TestModels.Mlp(2, 3, 2, seed: 1), data, options))
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

        using (var resumed = TestTrainer.Create(TestModels.Mlp(2, 3, 2, seed: 1), data, options))
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
        var options = new AdaptationTrainerOptions { Steps = 4, BatchSizePerDomain = 4, Checkpoints = { Directory = folder.Path } };
        using (var trainer = TestTrainer.Create(TestModels.Mlp(2, 3, 2, seed: 1), data, options))
        {
            trainer.Train();
        }

        // Checkpoint and evaluation settings may differ; the learning rate and its schedule may not.
        var changed = new AdaptationTrainerOptions { Steps = 4, BatchSizePerDomain = 4, Optimizer = { LearningRate = 0.02, LearningRateSchedule = LearningRateSchedules.Constant() }, Evaluation = { Interval = 2 }, Checkpoints = { Directory = folder.Path, Interval = 7 } };
        using var other = TestTrainer.Create(TestModels.Mlp(2, 3, 2, seed: 1), data, changed);

        FluentActions.Invoking(() => other.Resume(folder.Path)).Should().Throw<CheckpointException>()
            .WithMessage("*different training options*Optimizer.LearningRate: checkpoint 0.01, now 0.02; Optimizer.LearningRateSchedule: checkpoint *, now *.");

        using var longer = TestTrainer.Create(TestModels.Mlp(2, 3, 2, seed: 1), data, new AdaptationTrainerOptions { Steps = 8, BatchSizePerDomain = 4 });
        FluentActions.Invoking(() => longer.Resume(folder.Path)).Should().Throw<CheckpointException>().WithMessage("*a run of 4 steps, but this trainer plans 8*");
    }

    [Fact]
    public void LoadModel_DifferentArchitecture_ThrowsNamingTheEntryAndBothShapes()
    {
        using var data = SyntheticData.Blobs(20, 20, features: 2, classes: 2, seed: 1);
        using var folder = new TempDirectory();
        using (var trainer = TestTrainer.Create(TestModels.Mlp(2, 3, 2, seed: 1), data, new AdaptationTrainerOptions { Steps = 1, BatchSizePerDomain = 4, Checkpoints = { Directory = folder.Path } }))
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
        using var trainer = TestTrainer.Create(model, data, new AdaptationTrainerOptions { Steps = 5, BatchSizePerDomain = 4, Checkpoints = { Directory = folder.Path } });
        var trained = trainer.Train().FinalEvaluation;

        var evaluationModel = TestModels.Mlp(2, 3, 2, seed: 8, dtype: ScalarType.Float64);
        CheckpointInfo info = Checkpoint.LoadModel(folder.Path, evaluationModel);
        using var converter = new SampleConverter(ScalarType.Float64, CPU, info.Normalisation);
        var again = new DomainAdaptation.Evaluation.Evaluator(converter).Evaluate(evaluationModel, data, info.Step);

        again.SourceAccuracy.Should().Be(trained.SourceAccuracy);
        again.TargetAccuracy.Should().Be(trained.TargetAccuracy);
    }
}
