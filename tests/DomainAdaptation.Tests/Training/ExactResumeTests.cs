using DomainAdaptation.Tests.TestSupport;
using DomainAdaptation.Training;

namespace DomainAdaptation.Tests.Training;

/// <summary>N steps straight and N/2 steps, cancel with checkpoint, a new model and trainer, resume, N/2 steps: bitwise equal.</summary>
[Collection(TorchSerial.Name)]
public class ExactResumeTests
{
    [Theory]
    [InlineData(OptimizerKind.Sgd, BatchNormMode.Joint)]
    [InlineData(OptimizerKind.Adam, BatchNormMode.Separate)]
    public void Resume_AfterCancelledHalfRun_WeightsBitwiseEqualToUninterruptedRun(OptimizerKind optimizer, BatchNormMode batchNorm)
    {
        using var data = SyntheticData.Blobs(50, 30, features: 3, classes: 3, seed: 2, dtype: TorchSharp.torch.ScalarType.Float32);
        using var folderA = new TempDirectory();
        using var folderB = new TempDirectory();
        AdaptationTrainerOptions Options(string folder) => new()
        {
            Steps = 20,
            BatchSizePerDomain = 8,
            BatchNormMode = batchNorm,
            Seed = 5,
            Optimizer = { Kind = optimizer, LearningRate = optimizer == OptimizerKind.Adam ? 0.01 : 0.05 },
            Evaluation = { Interval = 3 },
            Checkpoints = { Directory = folder },
        };

        // Dropout and batch norm: in-model randomness and running statistics must both survive the resume.
        var straightModel = TestModels.Mlp(3, 8, 3, seed: 21, dropout: true, batchNorm: true);
        using (var straight = TestTrainer.Create(straightModel, data, Options(folderA.Path)))
        {
            straight.Train().StepsCompleted.Should().Be(20);
        }

        using var cancel = new CancellationTokenSource();
        var firstModel = TestModels.Mlp(3, 8, 3, seed: 21, dropout: true, batchNorm: true);
        using (var first = TestTrainer.Create(firstModel, data, Options(folderB.Path)))
        {
            var act = () => first.Train(new SyncProgress<StepMetrics>(m => { if (m.Step == 10) cancel.Cancel(); }), cancellationToken: cancel.Token);
            var cancelled = act.Should().Throw<TrainingCancelledException>().Which;
            cancelled.StepsCompleted.Should().Be(10);
            cancelled.Checkpoint!.Step.Should().Be(10);
        }

        // A differently initialised model: everything must come from the checkpoint.
        var resumedModel = TestModels.Mlp(3, 8, 3, seed: 999, dropout: true, batchNorm: true);
        using (var second = TestTrainer.Create(resumedModel, data, Options(folderB.Path)))
        {
            second.Resume(folderB.Path).Step.Should().Be(10);
            second.CompletedSteps.Should().Be(10);
            TrainingResult result = second.Train();
            result.StepsThisRun.Should().Be(10);
            result.StepsCompleted.Should().Be(20);
        }

        TestModels.BitwiseEqual(TestModels.Snapshot(straightModel), TestModels.Snapshot(resumedModel), out string difference)
            .Should().BeTrue($"'{difference}' differs between the straight and the resumed run");
    }

    [Fact]
    public void Resume_WithoutOptimizerState_WouldDiverge_SoTheComparisonIsSensitive()
    {
        // Negative control: restoring only the weights (fresh momentum) must NOT reproduce the straight run.
        using var data = SyntheticData.Blobs(50, 30, features: 3, classes: 3, seed: 2, dtype: TorchSharp.torch.ScalarType.Float32);
        using var folder = new TempDirectory();
        var options = new AdaptationTrainerOptions { Steps = 20, BatchSizePerDomain = 8, Seed = 5, Optimizer = { LearningRate = 0.05 }, Checkpoints = { Directory = folder.Path, Interval = 10 } };
        var straightModel = TestModels.Mlp(3, 8, 3, seed: 21);
        using (var straight = TestTrainer.Create(straightModel, data, options))
        {
            straight.Train();
        }

        string halfway = Path.Combine(folder.Path, "checkpoint-0000000010.dann");
        File.Exists(halfway).Should().BeTrue();
        var weightsOnly = TestModels.Mlp(3, 8, 3, seed: 999);
        Checkpoint.LoadModel(halfway, weightsOnly);
        using (var partial = TestTrainer.Create(weightsOnly, data, new AdaptationTrainerOptions { Steps = 10, BatchSizePerDomain = 8, Seed = 5, Optimizer = { LearningRate = 0.05 } }))
        {
            partial.Train();
        }

        TestModels.BitwiseEqual(TestModels.Snapshot(straightModel), TestModels.Snapshot(weightsOnly), out _).Should().BeFalse();
    }
}
