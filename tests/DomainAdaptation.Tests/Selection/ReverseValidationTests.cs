using DomainAdaptation.Data;
using DomainAdaptation.Data.Batching;
using DomainAdaptation.Evaluation;
using DomainAdaptation.Models;
using DomainAdaptation.Selection;
using DomainAdaptation.Tests.TestSupport;
using DomainAdaptation.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace DomainAdaptation.Tests.Selection;

/// <summary>
/// Reverse validation on the rotated two-moons problem (Ganin et al., JMLR 2016, §5.1): checked step by step against a
/// hand-written pseudo-label → reverse DANN → held-out source evaluation, and shown to rank an adapted model above an
/// untrained one.
/// </summary>
[Collection(TorchSerial.Name)]
public class ReverseValidationTests
{
    private const int Hidden = 15;

    private static AdaptationTrainerOptions Recipe(long steps = 300, string? checkpoints = null)
    {
        AdaptationTrainerOptions options = TwoMoons.Recipe(steps);
        options.Checkpoints.Directory = checkpoints;
        options.Checkpoints.ToKeep = 1;
        return options;
    }

    private static TestNet Untrained(long seed = 5) => TestModels.Mlp(2, Hidden, 2, seed, activation: "sigmoid");

    /// <summary>The recipe's method for a net: DANN with the toy experiment's λ and the net's domain head.</summary>
    private static AdaptationMethod Method(TestNet net) => net.Dann(TwoMoons.DannLambda);

    private static TestNet TrainForward(DomainDataset train)
    {
        TestNet model = Untrained(seed: 3);
        using var trainer = TestTrainer.Create(model, train, Recipe(steps: 1500), method: Method(model));
        trainer.Train();
        return model;
    }

    private static SampleSet HeldOutSource()
    {
        using DomainDataset draw = TwoMoons.Problem(perClass: 200, degrees: 35, sourceSeed: 11, targetSeed: 12);
        return new SampleSet("moons held out", draw.Source.Samples.clone(), draw.Source.Labels!.clone(), 2);
    }

    [Fact]
    public void Run_TrainedModel_EqualsHandWrittenPseudoLabelReverseTrainingAndEvaluation()
    {
        using DomainDataset train = TwoMoons.Problem(perClass: 150, degrees: 35, sourceSeed: 1, targetSeed: 2);
        using SampleSet heldOut = HeldOutSource();
        TestNet forward = TrainForward(train);
        using var converter = new SampleConverter(ScalarType.Float32, CPU);

        TestNet reverse = Untrained();
        ReverseValidationResult result = ReverseValidation.Run(forward, converter, train, heldOut, reverse, Method(reverse), Recipe());

        // By hand: arg-max of the forward model's class logits on every target sample, in evaluation mode ...
        long[] pseudo;
        forward.Model.eval();
        using (no_grad())
        {
            pseudo = forward.Model.forward(train.Target.Samples).argmax(1).data<long>().ToArray();
        }

        forward.Model.train();
        // ... a fresh reverse model with the same initial weights trained on (target, pseudo-labels) → unlabelled source ...
        using var reverseData = new DomainDataset(
            "by hand",
            new SampleSet("target", train.Target.Samples.clone(), tensor(pseudo), 2),
            new SampleSet("source", train.Source.Samples.clone(), null, 2));
        TestNet byHand = Untrained();
        using (var trainer = TestTrainer.Create(byHand, reverseData, Recipe(), method: Method(byHand)))
        {
            trainer.Train();
        }

        // ... scored on the held-out labelled source samples.
        byHand.Model.eval();
        double expected, expectedFit;
        using (no_grad())
        {
            expected = byHand.Model.forward(heldOut.Samples).argmax(1).eq(heldOut.Labels!).to_type(ScalarType.Float64).mean().ToDouble();
            expectedFit = byHand.Model.forward(train.Target.Samples).argmax(1).eq(tensor(pseudo)).to_type(ScalarType.Float64).mean().ToDouble();
        }

        result.ReverseAccuracy.Should().Be(expected);
        result.ReverseRisk.Should().Be(1 - expected);
        result.ReverseFitAccuracy.Should().Be(expectedFit);
        result.ReverseTrainingFailed.Should().BeFalse();
        result.SourceValidationCount.Should().Be(400);
        result.PseudoLabelCounts.Should().Equal(pseudo.Count(p => p == 0), pseudo.Count(p => p == 1));
        result.ReverseTraining.StepsCompleted.Should().Be(300);
        result.ForwardSourceAccuracy.Should().BeGreaterThan(0.95, "the forward model learnt the source task");
    }

    [Fact]
    public void Run_AdaptedVersusCollapsedForwardModel_AdaptedHasTheLowerReverseRisk()
    {
        using DomainDataset train = TwoMoons.Problem(perClass: 150, degrees: 35, sourceSeed: 1, targetSeed: 2);
        using SampleSet heldOut = HeldOutSource();
        using var converter = new SampleConverter(ScalarType.Float32, CPU);
        TestNet adapted = TrainForward(train);
        // A candidate that predicts class 0 for everything (label-head bias +10 / −10): its pseudo-labels carry nothing.
        TestNet collapsed = Untrained(seed: 3);
        using (no_grad())
        {
            var head = (TorchSharp.Modules.Linear)collapsed.Model.LabelClassifier;
            head.weight!.zero_();
            head.bias!.copy_(tensor(new float[] { 10, -10 }));
        }

        TestNet reverse1 = Untrained();
        TestNet reverse2 = Untrained();

        ReverseValidationResult good = ReverseValidation.Run(adapted, converter, train, heldOut, reverse1, Method(reverse1), Recipe());
        ReverseValidationResult bad = ReverseValidation.Run(collapsed, converter, train, heldOut, reverse2, Method(reverse2), Recipe());

        good.ReverseAccuracy.Should().BeGreaterThan(0.8, "right pseudo-labels on aligned domains carry back to the source");
        bad.PseudoLabelCounts.Should().Equal(300, 0);
        bad.ReverseAccuracy.Should().Be(0.5, "a reverse classifier taught one class predicts it for the 200 + 200 held-out points");
        bad.ReverseRisk.Should().BeGreaterThan(good.ReverseRisk + 0.3);
    }

    [Fact]
    public void Run_ForwardModel_WeightsAndModeUnchanged()
    {
        using DomainDataset train = TwoMoons.Problem(perClass: 50, degrees: 35, sourceSeed: 1, targetSeed: 2);
        using SampleSet heldOut = HeldOutSource();
        using var converter = new SampleConverter(ScalarType.Float32, CPU);
        TestNet forward = Untrained(seed: 3);
        forward.Model.train();
        Dictionary<string, Tensor> before = TestModels.Snapshot(forward);
        TestNet reverse = Untrained();

        ReverseValidation.Run(forward, converter, train, heldOut, reverse, Method(reverse), Recipe(steps: 20));

        TestModels.BitwiseEqual(before, TestModels.Snapshot(forward), out string difference).Should().BeTrue(difference);
        forward.Model.training.Should().BeTrue();
        train.Target.Samples.shape.Should().Equal(100, 2);
        train.Source.Labels.Should().NotBeNull("the forward data's tensors are read through aliases, not disposed");
        train.Source.Labels!.shape.Should().Equal(100);
    }

    [Fact]
    public void Run_CancelledThenResumed_SameReverseAccuracyAsUninterrupted()
    {
        using DomainDataset train = TwoMoons.Problem(perClass: 100, degrees: 35, sourceSeed: 1, targetSeed: 2);
        using SampleSet heldOut = HeldOutSource();
        using var converter = new SampleConverter(ScalarType.Float32, CPU);
        TestNet forward = TrainForward(train);
        using var folder = new TempDirectory();

        TestNet uninterruptedModel = Untrained();
        ReverseValidationResult uninterrupted = ReverseValidation.Run(forward, converter, train, heldOut, uninterruptedModel, Method(uninterruptedModel), Recipe(steps: 200));

        using var cancel = new CancellationTokenSource();
        {
            TestNet first = Untrained();
            var act = () => ReverseValidation.Run(forward, converter, train, heldOut, first, Method(first), Recipe(steps: 200, checkpoints: folder.Path),
                steps: new SyncProgress<StepMetrics>(m => { if (m.Step == 90) cancel.Cancel(); }), cancellationToken: cancel.Token);
            act.Should().Throw<TrainingCancelledException>();
        }

        TestNet second = Untrained(seed: 99);
        ReverseValidationResult resumed = ReverseValidation.Run(forward, converter, train, heldOut, second, Method(second), Recipe(steps: 200, checkpoints: folder.Path), resume: true);

        resumed.ReverseTraining.StepsThisRun.Should().Be(110);
        resumed.ReverseAccuracy.Should().Be(uninterrupted.ReverseAccuracy);
    }

    [Fact]
    public void Run_UnlabelledHeldOutSet_ThrowsNamingTheSet() =>
        ShouldRefuse(train => new SampleSet("moons without labels", train.Source.Samples.clone(), null, 2), Recipe(), "*'moons without labels' has no labels*", "sourceValidation");

    [Fact]
    public void Run_HeldOutSetOfAnotherShape_ThrowsNamingBothShapes() =>
        ShouldRefuse(_ => new SampleSet("three features", zeros(10, 3), zeros(10, dtype: ScalarType.Int64), 2), Recipe(), "*'three features'*shape 3*shape 2*", "sourceValidation");

    [Fact]
    public void Run_EmptyHeldOutSet_Throws() =>
        ShouldRefuse(_ => new SampleSet("no moons", zeros(0, 2), zeros(0, dtype: ScalarType.Int64), 2), Recipe(), "*'no moons' is empty*", "sourceValidation");

    [Fact]
    public void Run_HeldOutLabelsOutsideTheClasses_Throws() =>
        ShouldRefuse(_ => new SampleSet("labels up to 4", zeros(5, 2), arange(5, dtype: ScalarType.Int64), 5), Recipe(), "*labels in [0, 4]*2 classes*", "sourceValidation");

    [Fact]
    public void Run_TargetOnlyMethod_Throws() =>
        ShouldRefuse(_ => HeldOutSource(), Recipe(), "*'target-only' trains on target labels*", "reverseMethod", method: new DomainAdaptation.Methods.Supervised.TargetOnly());

    [Fact]
    public void Run_MethodAlreadyUsedByTheForwardRun_Throws()
    {
        using DomainDataset train = TwoMoons.Problem(perClass: 20, degrees: 35, sourceSeed: 1, targetSeed: 2);
        TestNet used = Untrained(3);
        AdaptationMethod method = Method(used);
        using (TestTrainer.Create(used, train, Recipe(steps: 1), method: method))
        {
        }

        ShouldRefuse(_ => HeldOutSource(), Recipe(), "*already in use*new instance*", "reverseMethod", method: method);
    }

    [Fact]
    public void Run_ReverseModelIsTheForwardModel_Throws() =>
        ShouldRefuse(_ => HeldOutSource(), Recipe(), "*separate, untrained model*", "reverseModel", reverseIsForward: true);

    private static void ShouldRefuse(Func<DomainDataset, SampleSet> heldOut, AdaptationTrainerOptions options, string message, string parameter, bool reverseIsForward = false, AdaptationMethod? method = null)
    {
        using DomainDataset train = TwoMoons.Problem(perClass: 20, degrees: 35, sourceSeed: 1, targetSeed: 2);
        using SampleSet set = heldOut(train);
        using var converter = new SampleConverter(ScalarType.Float32, CPU);
        TestNet forward = Untrained(3);
        TestNet reverse = Untrained();

        var act = () => ReverseValidation.Run(forward, converter, train, set, reverseIsForward ? forward : reverse, method ?? Method(reverse), options);

        act.Should().Throw<ArgumentException>().WithMessage(message).Which.ParamName.Should().Be(parameter);
    }

    [Fact]
    public void Run_CheckpointFolderHoldsAnotherRunsCheckpointWithoutResume_ThrowsAndLeavesItAlone()
    {
        using DomainDataset train = TwoMoons.Problem(perClass: 20, degrees: 35, sourceSeed: 1, targetSeed: 2);
        using SampleSet heldOut = HeldOutSource();
        using var converter = new SampleConverter(ScalarType.Float32, CPU);
        using var folder = new TempDirectory();
        TestNet forward = Untrained(3);
        using (var trainer = TestTrainer.Create(forward, train, Recipe(steps: 5, checkpoints: folder.Path), method: Method(forward)))
        {
            trainer.Train();
        }

        string[] before = Directory.GetFiles(folder.Path);
        TestNet reverse = Untrained();

        var act = () => ReverseValidation.Run(forward, converter, train, heldOut, reverse, Method(reverse), Recipe(steps: 5, checkpoints: folder.Path));

        act.Should().Throw<ArgumentException>().WithMessage("*already holds a checkpoint*resume*").Which.ParamName.Should().Be("reverseOptions");
        Directory.GetFiles(folder.Path).Should().BeEquivalentTo(before);
    }

    [Theory]
    [InlineData(0.17, new long[] { 15, 10, 10, 10, 10, 10, 10, 10, 10, 5 }, true)]   // fits no better than "always class 0" (0.15)
    [InlineData(0.20, new long[] { 15, 10, 10, 10, 10, 10, 10, 10, 10, 5 }, true)]   // within 5 points of it
    [InlineData(0.93, new long[] { 15, 10, 10, 10, 10, 10, 10, 10, 10, 5 }, false)]  // learnt its task
    [InlineData(1.00, new long[] { 300, 0 }, false)]                                   // constant pseudo-labels: the forward model's failure, not the reverse run's
    public void ReverseTrainingFailed_FitAgainstTheMostCommonPseudoLabel(double fit, long[] counts, bool failed)
    {
        var result = new ReverseValidationResult(0.5, 0.99, 100, fit, counts, new TrainingResult(1, 1, null!, null, TimeSpan.Zero));

        result.ReverseTrainingFailed.Should().Be(failed);
    }
}
