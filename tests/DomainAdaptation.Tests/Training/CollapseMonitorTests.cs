using DomainAdaptation.Data;
using DomainAdaptation.Methods.Supervised;
using DomainAdaptation.Models;
using DomainAdaptation.Tests.TestSupport;
using DomainAdaptation.Training;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace DomainAdaptation.Tests.Training;

[Collection(TorchSerial.Name)]
public class CollapseMonitorTests
{
    private static readonly double Ln10 = Math.Log(10);

    [Fact]
    public void Observe_LearntThenBackAtChance_ReportsOnceAtTheWindowsEnd()
    {
        var monitor = new CollapseMonitor(classes: 10, window: 4);
        var reports = new List<(long Step, double Mean)>();
        double[] losses = [2.3, 1.0, 0.4, 0.3, /* learnt: mean 1.0 */ 0.2, 0.2, 0.2, 0.2, /* 0.2 */ 2.3, 2.3, 2.3, 2.3, /* collapsed */ 2.31, 2.31, 2.31, 2.31];
        for (int i = 0; i < losses.Length; i++)
        {
            if (monitor.Observe(i + 1, losses[i]) is double mean) reports.Add((i + 1, mean));
        }

        reports.Should().ContainSingle("the collapse is reported once");
        reports[0].Step.Should().Be(12, "at the end of the first window back at chance");
        reports[0].Mean.Should().BeApproximately(2.3, 1e-12);
        monitor.BestWindowMean.Should().BeApproximately(0.2, 1e-12);
        monitor.BestWindowEndStep.Should().Be(8);
        monitor.ChanceLoss.Should().Be(Ln10);
    }

    [Fact]
    public void Observe_NeverLearnt_ReportsNothing()
    {
        var monitor = new CollapseMonitor(classes: 10, window: 5);
        Enumerable.Range(1, 100).Select(s => monitor.Observe(s, 2.3)).Should().OnlyContain(r => r == null, "a run that never learnt has not collapsed");
    }

    [Fact]
    public void Observe_WorseButBelowNineTenthsOfChance_ReportsNothing()
    {
        var monitor = new CollapseMonitor(classes: 10, window: 2);
        double[] losses = [0.1, 0.1, 0.9 * Ln10 - 1e-9, 0.9 * Ln10 - 1e-9, 1.5, 1.5];
        losses.Select((l, i) => monitor.Observe(i + 1, l)).Should().OnlyContain(r => r == null);
        monitor.Observe(7, 0.9 * Ln10).Should().BeNull("the window is not full yet");
        monitor.Observe(8, 0.9 * Ln10).Should().BeApproximately(0.9 * Ln10, 1e-12, "0.9 · ln K is the threshold");
    }

    [Fact]
    public void Observe_BestWindowJustAboveHalfOfChance_ReportsNothing()
    {
        var monitor = new CollapseMonitor(classes: 2, window: 1);
        monitor.Observe(1, 0.5 * Math.Log(2) + 1e-9).Should().BeNull();
        monitor.Observe(2, Math.Log(2)).Should().BeNull("the label loss never fell to 0.5 · ln K");
    }

    [Theory]
    [InlineData(1, 10)]
    [InlineData(10, 0)]
    public void Constructor_BadArguments_Throws(int classes, int window)
    {
        Action act = () => _ = new CollapseMonitor(classes, window);
        act.Should().Throw<ArgumentOutOfRangeException>();
    }

    [Fact]
    public void Train_LabelLossBackAtChance_ReportsTheCollapseInTheResultEventsAndLog()
    {
        using var data = SyntheticData.Blobs(60, 60, features: 3, classes: 3, seed: 1);
        using var logs = new ListLoggerProvider();
        var options = new AdaptationTrainerOptions { Steps = 80, BatchSizePerDomain = 16, Optimizer = { LearningRate = 0.1 }, Monitoring = { CollapseWindow = 10 } };
        using var trainer = TestTrainer.Create(TestModels.Mlp(3, 8, 3, seed: 1), data, options, logs.CreateLogger("trainer"), method: new CollapsingAfter(60));

        var events = new List<TrainingEvent>();
        foreach (TrainingEvent e in trainer.TrainAsync().ToBlockingEnumerable()) events.Add(e);
        TrainingResult result = events.OfType<TrainingCompleted>().Single().Result;

        TrainingCollapseDetected collapse = events.OfType<TrainingCollapseDetected>().Should().ContainSingle().Subject;
        collapse.Step.Should().Be(70, "steps 61–70 are the first window at chance");
        collapse.WindowMeanLabelLoss.Should().BeApproximately(Math.Log(3), 1e-6);
        collapse.ChanceLabelLoss.Should().Be(Math.Log(3));
        collapse.BestWindowMeanLabelLoss.Should().BeLessThanOrEqualTo(0.5 * Math.Log(3));
        collapse.BestWindowEndStep.Should().BeInRange(10, 60);
        result.Collapse.Should().Be(collapse);
        result.StepsCompleted.Should().Be(80, "training goes on after a collapse");
        logs.Messages.Should().ContainSingle(m => m.Contains("collapsed", StringComparison.Ordinal) && m.Contains("steps 61..70", StringComparison.Ordinal));
    }

    [Fact]
    public void Train_NoCollapseOrWatchOff_ResultHasNone()
    {
        using var data = SyntheticData.Blobs(60, 60, features: 3, classes: 3, seed: 1);
        var healthy = new AdaptationTrainerOptions { Steps = 80, BatchSizePerDomain = 16, Optimizer = { LearningRate = 0.1 }, Monitoring = { CollapseWindow = 10 } };
        using (var trainer = TestTrainer.Create(TestModels.Mlp(3, 8, 3, seed: 1), data, healthy, method: new SourceOnly()))
        {
            trainer.Train().Collapse.Should().BeNull();
        }

        var off = new AdaptationTrainerOptions { Steps = 80, BatchSizePerDomain = 16, Optimizer = { LearningRate = 0.1 }, Monitoring = { CollapseWindow = 0 } };
        using (var trainer = TestTrainer.Create(TestModels.Mlp(3, 8, 3, seed: 1), data, off, method: new CollapsingAfter(60)))
        {
            trainer.Train().Collapse.Should().BeNull("CollapseWindow = 0 turns the watch off");
        }
    }

    /// <summary>Source-only training for the first steps (read from the step context), then a label classifier that guesses uniformly (loss exactly ln K).</summary>
    private sealed class CollapsingAfter(int steps) : LossMethod
    {
        public override string Name => "collapsing-after-" + steps;

        public override System.Text.Json.Nodes.JsonObject Settings => [];

        public override ForwardNeeds Needs => ForwardNeeds.Source;

        protected internal override void AddSupervisedTerm(StepForward forward, LossTermsBuilder terms)
        {
            base.AddSupervisedTerm(forward, terms);
        }

        protected internal override void AddAdaptationTerms(StepForward forward, StepContext context, LossTermsBuilder terms)
        {
        }

        internal override void AddTerms(StepForward forward, StepContext context, LossTermsBuilder terms)
        {
            if (context.Step < steps)
            {
                base.AddTerms(forward, context, terms);
                return;
            }

            terms.Add("label", F.cross_entropy(forward.SourceLogits.mul(0), forward.Batch.SourceLabels));
        }
    }
}
