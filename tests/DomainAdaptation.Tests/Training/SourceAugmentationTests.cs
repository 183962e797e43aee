using DomainAdaptation.Data.Augmentation;
using DomainAdaptation.Tests.TestSupport;
using DomainAdaptation.Training;

namespace DomainAdaptation.Tests.Training;

/// <summary>InputOptions.SourceAugmentation: the source half is augmented in training, from the step's seed, so resuming repeats it.</summary>
[Collection(TorchSerial.Name)]
public class SourceAugmentationTests
{
    private static AdaptationTrainerOptions Options(AugmentationKind kind, string? folder = null, AugmentationKind target = AugmentationKind.None) => new()
    {
        Steps = 16,
        BatchSizePerDomain = 8,
        BatchNormMode = BatchNormMode.Separate,
        Seed = 5,
        Optimizer = { Kind = OptimizerKind.Adam, LearningRate = 0.01 },
        Input = { SourceAugmentation = kind, TargetAugmentation = target },
        Checkpoints = { Directory = folder },
    };

    [Theory]
    [InlineData(AugmentationKind.Weak, AugmentationKind.None)]
    [InlineData(AugmentationKind.Strong, AugmentationKind.None)]
    [InlineData(AugmentationKind.None, AugmentationKind.Weak)]
    [InlineData(AugmentationKind.Strong, AugmentationKind.Strong)]
    public void Resume_WithAugmentation_WeightsBitwiseEqualToUninterruptedRun(AugmentationKind kind, AugmentationKind target)
    {
        using var data = SyntheticData.Blobs(50, 30, features: 3, classes: 3, seed: 2, dtype: TorchSharp.torch.ScalarType.Float32);
        using var folderA = new TempDirectory();
        using var folderB = new TempDirectory();
        var straightModel = TestModels.Mlp(3, 8, 3, seed: 21, dropout: true, batchNorm: true);
        using (var straight = TestTrainer.Create(straightModel, data, Options(kind, folderA.Path, target)))
        {
            straight.Train();
        }

        using var cancel = new CancellationTokenSource();
        var firstModel = TestModels.Mlp(3, 8, 3, seed: 21, dropout: true, batchNorm: true);
        using (var first = TestTrainer.Create(firstModel, data, Options(kind, folderB.Path, target)))
        {
            var act = () => first.Train(new SyncProgress<StepMetrics>(m => { if (m.Step == 7) cancel.Cancel(); }), cancellationToken: cancel.Token);
            act.Should().Throw<TrainingCancelledException>();
        }

        var resumedModel = TestModels.Mlp(3, 8, 3, seed: 999, dropout: true, batchNorm: true);
        using (var second = TestTrainer.Create(resumedModel, data, Options(kind, folderB.Path, target)))
        {
            second.Resume(folderB.Path).Step.Should().Be(7);
            second.Train();
        }

        TestModels.BitwiseEqual(TestModels.Snapshot(straightModel), TestModels.Snapshot(resumedModel), out string difference)
            .Should().BeTrue($"'{difference}' differs: the augmentation must come from the step's seed alone");
    }

    [Fact]
    public void Train_StrongSourceAugmentation_ChangesTheTrainedWeights_NoneLeavesThem()
    {
        using var data = SyntheticData.Blobs(50, 30, features: 3, classes: 3, seed: 2, dtype: TorchSharp.torch.ScalarType.Float32);
        Dictionary<string, TorchSharp.torch.Tensor> Trained(AugmentationKind kind, bool setExplicitly)
        {
            var model = TestModels.Mlp(3, 8, 3, seed: 21);
            AdaptationTrainerOptions options = Options(kind);
            if (!setExplicitly) options.Input = new InputOptions();
            using (var trainer = TestTrainer.Create(model, data, options))
            {
                trainer.Train();
            }

            return TestModels.Snapshot(model);
        }

        var plain = Trained(AugmentationKind.None, setExplicitly: false);
        TestModels.BitwiseEqual(plain, Trained(AugmentationKind.None, setExplicitly: true), out _).Should().BeTrue("None is the default and draws nothing");
        TestModels.BitwiseEqual(plain, Trained(AugmentationKind.Strong, setExplicitly: true), out _).Should().BeFalse("the strong view changes the source batches");
    }

    [Fact]
    public void Train_TargetAugmentation_ChangesTheTrainedWeights()
    {
        using var data = SyntheticData.Blobs(50, 30, features: 3, classes: 3, seed: 2, dtype: TorchSharp.torch.ScalarType.Float32);
        Dictionary<string, TorchSharp.torch.Tensor> Trained(AugmentationKind target)
        {
            var model = TestModels.Mlp(3, 8, 3, seed: 21);
            using (var trainer = TestTrainer.Create(model, data, Options(AugmentationKind.None, target: target)))
            {
                trainer.Train();
            }

            return TestModels.Snapshot(model);
        }

        TestModels.BitwiseEqual(Trained(AugmentationKind.None), Trained(AugmentationKind.Strong), out _).Should().BeFalse("the target half is augmented, and DANN's domain loss sees it");
    }

    [Fact]
    public void Validate_BadResizedCropSettings_NamesTheOption()
    {
        var options = new InputOptions { TargetAugmentation = AugmentationKind.ResizedCrop, ResizedCrop = new ResizedCropAugmentation { MinScale = 0 } };

        var result = new InputOptionsValidator("AdaptationTrainerOptions.Input.").Validate(null, options);

        result.Failed.Should().BeTrue();
        result.FailureMessage.Should().Contain("AdaptationTrainerOptions.Input.ResizedCrop").And.Contain("MinScale");
    }

    [Fact]
    public void Validate_UndefinedKindOrMissingSettings_NamesTheOption()
    {
        var options = new InputOptions { SourceAugmentation = (AugmentationKind)7, StrongAugmentation = null! };

        var result = new InputOptionsValidator("AdaptationTrainerOptions.Input.").Validate(null, options);

        result.Failed.Should().BeTrue();
        result.FailureMessage.Should().Contain("AdaptationTrainerOptions.Input.SourceAugmentation").And.Contain("AdaptationTrainerOptions.Input.StrongAugmentation");
    }
}
