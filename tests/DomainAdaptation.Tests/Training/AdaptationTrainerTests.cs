using DomainAdaptation.Data;
using DomainAdaptation.Data.Batching;
using DomainAdaptation.Methods.Adversarial;
using DomainAdaptation.Methods.Supervised;
using DomainAdaptation.Schedules;
using DomainAdaptation.Tests.TestSupport;
using DomainAdaptation.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace DomainAdaptation.Tests.Training;

[Collection(TorchSerial.Name)]
public class AdaptationTrainerTests
{
    [Fact]
    public void Train_StepMetrics_FollowTheScheduleAtProgressStepOverTotal()
    {
        using var data = SyntheticData.Blobs(40, 40, features: 3, classes: 3, seed: 1);
        var steps = new List<StepMetrics>();
        using var trainer = TestTrainer.Create(TestModels.Mlp(3, 4, 3, seed: 1), data, new AdaptationTrainerOptions { Steps = 10, BatchSizePerDomain = 8, Optimizer = { LearningRate = 0.03 } });

        trainer.Train(new SyncProgress<StepMetrics>(steps.Add));

        steps.Select(s => s.Step).Should().Equal(Enumerable.Range(1, 10).Select(i => (long)i));
        for (int i = 0; i < 10; i++)
        {
            double p = i / 10.0;
            steps[i].Progress.Should().Be(p);
            steps[i].Schedule("lambda").Should().Be(LambdaSchedules.Ganin().ValueAt(p));
            steps[i].LearningRate.Should().BeApproximately(0.03 * LearningRateSchedules.Annealing().FactorAt(p), 1e-15);
            steps[i].Losses.Select(l => l.Name).Should().Equal("label", "domain");
            steps[i].Metrics.Select(l => l.Name).Should().Equal("source_accuracy", "domain_accuracy");
            steps[i].Loss("domain").Should().BeInRange(0, 10);
            steps[i].Metric("domain_accuracy").Should().BeInRange(0, 1);
            steps[i].Metric("source_accuracy").Should().BeInRange(0, 1);
            steps[i].Metric("target_accuracy").Should().BeNull();
            steps[i].TotalLoss.Should().BeApproximately(steps[i].LabelLoss + steps[i].Loss("domain")!.Value, 1e-6);
            steps[i].StepTime.Should().BePositive();
        }
    }

    [Fact]
    public void Train_GarbageCollectionInterval_CollectsGen0EveryIntervalStepsWithoutChangingTheResult()
    {
        using var data = SyntheticData.Blobs(40, 40, features: 3, classes: 3, seed: 1);
        var collecting = TestModels.Mlp(3, 4, 3, seed: 1);
        var notCollecting = TestModels.Mlp(3, 4, 3, seed: 1);
        using var withGc = TestTrainer.Create(collecting, data, new AdaptationTrainerOptions { Steps = 20, BatchSizePerDomain = 8, Monitoring = { GarbageCollectionInterval = 5 } });
        using var withoutGc = TestTrainer.Create(notCollecting, data, new AdaptationTrainerOptions { Steps = 20, BatchSizePerDomain = 8, Monitoring = { GarbageCollectionInterval = 0 } });

        int before = GC.CollectionCount(0);
        withGc.Train();
        int collections = GC.CollectionCount(0) - before;
        withoutGc.Train();

        collections.Should().BeGreaterThanOrEqualTo(4, "20 steps with a collection every 5 steps force 4 gen-0 collections");
        foreach ((string key, Tensor value) in collecting.state_dict())
        {
            value.eq(notCollecting.state_dict()[key]).all().ToBoolean().Should().BeTrue(key);
        }
    }

    [Fact]
    public void Train_SourceOnly_OnlyTheLabelLossAndNoDomainClassifier()
    {
        using var data = SyntheticData.Blobs(40, 40, features: 3, classes: 3, seed: 1);
        var model = TestModels.Mlp(3, 4, 3, seed: 1);
        var steps = new List<StepMetrics>();
        using var trainer = TestTrainer.Create(model, data, new AdaptationTrainerOptions { Steps = 5, BatchSizePerDomain = 8 }, method: new SourceOnly());

        TrainingResult result = trainer.Train(new SyncProgress<StepMetrics>(steps.Add));

        steps.Should().OnlyContain(s => s.Losses.Count == 1 && s.Loss("label") != null && s.Schedules.Count == 0 && s.Metric("source_accuracy") != null);
        steps.Should().OnlyContain(s => s.TotalLoss == s.LabelLoss);
        result.FinalEvaluation.DomainClassifierAccuracy.Should().BeNull("source-only training has no domain classifier to score");
    }

    [Fact]
    public void Train_TargetOnly_TrainsOnTargetLabels()
    {
        using var data = SyntheticData.Blobs(40, 40, features: 3, classes: 3, seed: 1);
        var steps = new List<StepMetrics>();
        using var trainer = TestTrainer.Create(TestModels.Mlp(3, 4, 3, seed: 1), data, new AdaptationTrainerOptions { Steps = 3, BatchSizePerDomain = 8 }, method: new TargetOnly());

        trainer.Train(new SyncProgress<StepMetrics>(steps.Add));

        steps.Should().OnlyContain(s => s.Metric("target_accuracy") != null && s.Metric("source_accuracy") == null && s.Losses.Count == 1);
    }

    [Fact]
    public void Ctor_TargetOnlyWithoutTargetLabels_ThrowsNamingTheData()
    {
        using var data = new DomainDataset("no target labels", new SampleSet("s", zeros(4, 2), tensor(new long[] { 0, 1, 0, 1 }), 2), new SampleSet("t", zeros(4, 2), null, 2));

        FluentActions.Invoking(() => TestTrainer.Create(TestModels.Mlp(2, 3, 2, seed: 1), data, new AdaptationTrainerOptions { Steps = 1 }, method: new TargetOnly()))
            .Should().Throw<ArgumentException>().WithMessage("The method 'target-only' trains on target labels, but 'no target labels' has none*");
    }

    [Fact]
    public void Ctor_InvalidOptions_ThrowsTheValidatorsMessage()
    {
        using var data = SyntheticData.Blobs(8, 8, features: 2, classes: 2, seed: 1);

        FluentActions.Invoking(() => TestTrainer.Create(TestModels.Mlp(2, 3, 2, seed: 1), data, new AdaptationTrainerOptions { Steps = 1, Optimizer = { LearningRate = -1 } }))
            .Should().Throw<Microsoft.Extensions.Options.OptionsValidationException>().WithMessage("*AdaptationTrainerOptions.Optimizer.LearningRate must be a finite number > 0, but was -1.*");
    }

    [Fact]
    public void Ctor_ExplicitNormalisationWithWrongChannelCount_Throws()
    {
        using var data = SyntheticData.Blobs(8, 8, features: 2, classes: 2, seed: 1);
        var options = new AdaptationTrainerOptions { Steps = 1, Input = { Normalisation = NormalisationKind.Explicit, Mean = [0.1, 0.2, 0.3], Std = [1, 1, 1] } };

        FluentActions.Invoking(() => TestTrainer.Create(TestModels.Mlp(2, 3, 2, seed: 1), data, options))
            .Should().Throw<ArgumentException>().WithMessage("AdaptationTrainerOptions.Input.Mean/Std have 3 channels, but the samples of 'blobs' have 2*");
    }

    [SkippableFact]
    public void Ctor_CudaWithoutCuda_ThrowsNamingTheOption()
    {
        Skip.If(cuda.is_available(), "CUDA is available here.");
        using var data = SyntheticData.Blobs(8, 8, features: 2, classes: 2, seed: 1);

        FluentActions.Invoking(() => TestTrainer.Create(TestModels.Mlp(2, 3, 2, seed: 1), data, new AdaptationTrainerOptions { Steps = 1, Device = "cuda" }))
            .Should().Throw<ArgumentException>().WithMessage("AdaptationTrainerOptions.Device is \"cuda\", but CUDA is not available here*");
    }

    [Fact]
    public void Ctor_Epochs_TotalStepsFromTheLargerDomain()
    {
        using var data = SyntheticData.Blobs(100, 30, features: 2, classes: 2, seed: 1);

        using var trainer = TestTrainer.Create(TestModels.Mlp(2, 3, 2, seed: 1), data, new AdaptationTrainerOptions { Epochs = 3, BatchSizePerDomain = 16 });

        trainer.StepsPerEpoch.Should().Be(7);
        trainer.TotalSteps.Should().Be(21);
    }

    [Fact]
    public void Train_DannWithItsOwnSchedule_ReportsItsLambda()
    {
        using var data = SyntheticData.Blobs(16, 16, features: 2, classes: 2, seed: 1);
        var model = TestModels.Mlp(2, 3, 2, seed: 1);
        var steps = new List<StepMetrics>();
        using var trainer = TestTrainer.Create(model, data, new AdaptationTrainerOptions { Steps = 2, BatchSizePerDomain = 4 }, method: model.Dann(LambdaSchedules.Constant(0.25)));

        trainer.Train(new SyncProgress<StepMetrics>(steps.Add));

        steps.Should().OnlyContain(s => s.Schedule("lambda") == 0.25);
        ((Dann)trainer.Method).LambdaSchedule.Should().Be(LambdaSchedules.Constant(0.25));
    }

    [Fact]
    public void Ctor_MethodOfAnotherTrainer_ThrowsAskingForANewInstance()
    {
        using var data = SyntheticData.Blobs(16, 16, features: 2, classes: 2, seed: 1);
        var model = TestModels.Mlp(2, 3, 2, seed: 1);
        Dann method = model.Dann();
        using (TestTrainer.Create(model, data, new AdaptationTrainerOptions { Steps = 1 }, method: method))
        {
        }

        FluentActions.Invoking(() => TestTrainer.Create(TestModels.Mlp(2, 3, 2, seed: 2), data, new AdaptationTrainerOptions { Steps = 1 }, method: method))
            .Should().Throw<ArgumentException>().WithMessage("The method 'dann' was already initialised by another trainer*Create a new method instance.*");
    }

    [Fact]
    public void Ctor_MethodHeadThatDoesNotFitTheFeatures_ThrowsNamingTheHead()
    {
        using var data = SyntheticData.Blobs(16, 16, features: 2, classes: 2, seed: 1);
        var model = TestModels.Mlp(2, 3, 2, seed: 1);

        FluentActions.Invoking(() => TestTrainer.Create(model, data, new AdaptationTrainerOptions { Steps = 1 }, method: new Dann(nn.Linear(7, 1))))
            .Should().Throw<DomainAdaptation.Models.ModelCompositionException>().WithMessage("The parts do not fit: the model gives 3 features, DANN's domain classifier expects 7*");
    }

    [Fact]
    public async Task TrainAsync_StreamsStepsEvaluationsCheckpointsAndCompletion()
    {
        using var data = SyntheticData.Blobs(16, 16, features: 2, classes: 2, seed: 1);
        using var folder = new TempDirectory();
        using var trainer = TestTrainer.Create(TestModels.Mlp(2, 3, 2, seed: 1), data, new AdaptationTrainerOptions { Steps = 4, BatchSizePerDomain = 4, Evaluation = { Interval = 2 }, Checkpoints = { Interval = 2, Directory = folder.Path } });

        var events = new List<TrainingEvent>();
        await foreach (TrainingEvent e in trainer.TrainAsync())
        {
            events.Add(e);
        }

        events.Select(e => $"{e.GetType().Name}@{e.Step}").Should().Equal(
            "StepMetrics@1", "StepMetrics@2", "EvaluationCompleted@2", "CheckpointSaved@2",
            "StepMetrics@3", "StepMetrics@4", "EvaluationCompleted@4", "CheckpointSaved@4", "TrainingCompleted@4");
        var completed = (TrainingCompleted)events[^1];
        completed.Result.LastCheckpoint!.Step.Should().Be(4);
        completed.Result.FinalEvaluation.Should().BeSameAs(((EvaluationCompleted)events[^3]).Metrics);
    }

    [Fact]
    public void Train_CancelledBeforeTheFirstStep_ThrowsWithoutCheckpointWhenNoFolder()
    {
        using var data = SyntheticData.Blobs(16, 16, features: 2, classes: 2, seed: 1);
        using var trainer = TestTrainer.Create(TestModels.Mlp(2, 3, 2, seed: 1), data, new AdaptationTrainerOptions { Steps = 4, BatchSizePerDomain = 4 });

        var act = () => trainer.Train(cancellationToken: new CancellationToken(canceled: true));

        var e = act.Should().Throw<TrainingCancelledException>().Which;
        e.StepsCompleted.Should().Be(0);
        e.Checkpoint.Should().BeNull();
        e.Message.Should().Be("Training was cancelled after 0 of 4 steps. No checkpoint was written.");
        trainer.CompletedSteps.Should().Be(0);
    }

    [Fact]
    public void Train_CancelledMidway_SavesCheckpointOfWholeStepsAndThrowsOperationCanceled()
    {
        using var data = SyntheticData.Blobs(16, 16, features: 2, classes: 2, seed: 1);
        using var folder = new TempDirectory();
        using var cancel = new CancellationTokenSource();
        var model = TestModels.Mlp(2, 3, 2, seed: 1);
        using var trainer = TestTrainer.Create(model, data, new AdaptationTrainerOptions { Steps = 10, BatchSizePerDomain = 4, Checkpoints = { Directory = folder.Path } });

        var act = () => trainer.Train(new SyncProgress<StepMetrics>(m => { if (m.Step == 4) cancel.Cancel(); }), cancellationToken: cancel.Token);

        var e = act.Should().Throw<OperationCanceledException>().Which.Should().BeOfType<TrainingCancelledException>().Subject;
        e.StepsCompleted.Should().Be(4);
        e.CancellationToken.Should().Be(cancel.Token);
        e.Checkpoint!.Step.Should().Be(4);
        e.Message.Should().Be($"Training was cancelled after 4 of 10 steps. Resume from '{e.Checkpoint.Path}' (step 4).");
        var reloaded = TestModels.Mlp(2, 3, 2, seed: 50);
        Checkpoint.LoadModel(e.Checkpoint.Path, reloaded);
        TestModels.BitwiseEqual(TestModels.Snapshot(model.Model), TestModels.Snapshot(reloaded.Model), out string difference).Should().BeTrue(difference);
    }

    [Fact]
    public void Train_PoisonedSample_StopsAtTheStepThatDrawsItWithIntactCheckpoint()
    {
        using var clean = SyntheticData.Blobs(64, 64, features: 3, classes: 2, seed: 1, dtype: ScalarType.Float32);
        var sampler = new DomainBatchSampler(64, 64, 8, seed: 3);
        // A source sample first drawn at step 5 (0-based): steps 1–5 complete, step 6 sees the NaN.
        long poisoned = sampler.IndicesAt(5).Source.First(i => Enumerable.Range(0, 5).All(s => !sampler.IndicesAt(s).Source.Contains(i)));
        Tensor samples = clean.Source.Samples.clone();
        samples[poisoned, 1] = tensor(float.NaN);
        using var data = new DomainDataset("poisoned", new SampleSet("s", samples, clean.Source.Labels!.clone(), 2), new SampleSet("t", clean.Target.Samples.clone(), null, 2));
        using var folder = new TempDirectory();
        var model = TestModels.Mlp(3, 4, 2, seed: 1);
        var options = new AdaptationTrainerOptions { Steps = 20, BatchSizePerDomain = 8, Seed = 3, Checkpoints = { Directory = folder.Path, Interval = 1 } };
        using var trainer = TestTrainer.Create(model, data, options);

        var e = FluentActions.Invoking(() => trainer.Train()).Should().Throw<TrainingDivergedException>().Which;

        e.Step.Should().Be(6);
        e.LabelLoss.Should().Be(double.NaN);
        e.Message.Should().StartWith("Training diverged at step 6 of 20 (p = 0.2500").And.Contain("label loss = NaN").And.Contain("The parameters were not updated by this step's failing update.")
            .And.Contain($"The last good checkpoint is '{Path.Combine(folder.Path, "checkpoint-0000000005.dann")}' (step 5).");
        e.LastCheckpoint!.Step.Should().Be(5);
        trainer.CompletedSteps.Should().Be(5);

        // The model was not touched by the failing step: it equals the step-5 checkpoint, which loads and resumes.
        var reloaded = TestModels.Mlp(3, 4, 2, seed: 77);
        Checkpoint.LoadModel(e.LastCheckpoint.Path, reloaded);
        TestModels.BitwiseEqual(TestModels.Snapshot(model.Model), TestModels.Snapshot(reloaded.Model), out string difference).Should().BeTrue(difference);
        using var resumed = TestTrainer.Create(TestModels.Mlp(3, 4, 2, seed: 77), clean, options);
        resumed.Resume(folder.Path).Step.Should().Be(5);
        resumed.Train().StepsCompleted.Should().Be(20);
    }

    [Fact]
    public void Train_HugeLearningRate_DivergesAndEveryCheckpointLeftIsFinite()
    {
        using var data = SyntheticData.Blobs(32, 32, features: 3, classes: 2, seed: 1, dtype: ScalarType.Float32);
        using var folder = new TempDirectory();
        var options = new AdaptationTrainerOptions { Steps = 50, BatchSizePerDomain = 8, Optimizer = { LearningRate = 1e38 }, Checkpoints = { Directory = folder.Path, Interval = 1, ToKeep = 100 } };
        using var trainer = TestTrainer.Create(TestModels.Mlp(3, 4, 2, seed: 1), data, options);

        var e = FluentActions.Invoking(() => trainer.Train()).Should().Throw<TrainingDivergedException>().Which;

        e.Message.Should().Contain("Lower AdaptationTrainerOptions.Optimizer.LearningRate");
        foreach (string file in Directory.GetFiles(folder.Path))
        {
            var model = TestModels.Mlp(3, 4, 2, seed: 2);
            Checkpoint.LoadModel(file, model);
            model.parameters().Should().OnlyContain(p => p.isfinite().all().ToBoolean(), $"{file} must hold a finite model");
        }
    }
}
