using DomainAdaptation.Schedules;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace DomainAdaptation.Tests.Schedules;

/// <summary>
/// Issue 2 §4: the optimizer's learning rate after N scheduler steps equals μ0/(1+αp)^β, per parameter group, for SGD
/// and Adam; and the optimizer really uses that rate.
/// </summary>
public class ProgressLearningRateSchedulerTests
{
    private const long Total = 40;

    public static TheoryData<string, int> OptimizersAndSteps()
    {
        var data = new TheoryData<string, int>();
        foreach (string optimizer in new[] { "sgd", "adam" })
        {
            foreach (int n in new[] { 0, 1, 4, 20, 40 })
            {
                data.Add(optimizer, n);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(OptimizersAndSteps))]
    public void Step_AfterNSteps_EachGroupRateIsItsBaseOverOnePlusAlphaPToBeta(string which, int n)
    {
        using var scope = NewDisposeScope();
        var (optimizer, _, _) = TwoGroupOptimizer(which, headRate: 0.01, backboneRate: 0.001);
        var scheduler = new ProgressLearningRateScheduler(optimizer, LearningRateSchedules.Annealing(alpha: 10, beta: 0.75), Total);

        for (int i = 0; i < n; i++)
        {
            optimizer.step();
            scheduler.step();
        }

        double p = (double)n / Total;
        double[] rates = optimizer.ParamGroups.Select(g => g.LearningRate).ToArray();
        rates.Should().HaveCount(2);
        ShouldBeClose(rates[0], 0.01 / Math.Pow(1 + (10 * p), 0.75));
        ShouldBeClose(rates[1], 0.001 / Math.Pow(1 + (10 * p), 0.75));
        scheduler.get_last_lr().Should().Equal(rates);
        scheduler.CurrentStep.Should().Be(n);
        scheduler.Progress.Should().Be(p);
    }

    [Theory]
    [InlineData("sgd")]
    [InlineData("adam")]
    public void Constructor_AnyOptimizer_SetsRatesForProgressZeroAndKeepsBaseRates(string which)
    {
        using var scope = NewDisposeScope();
        var (optimizer, _, _) = TwoGroupOptimizer(which, headRate: 0.02, backboneRate: 0.005);

        var scheduler = new ProgressLearningRateScheduler(optimizer, new HalvingSchedule(), Total);

        scheduler.BaseLearningRates.Should().Equal(0.02, 0.005);
        optimizer.ParamGroups.Select(g => g.LearningRate).Should().Equal(0.01, 0.0025);
    }

    [Fact]
    public void Step_SgdWithTwoGroups_OptimizerUsesTheScheduledRates()
    {
        // loss = Σ c·w for two one-element groups: the SGD update is exactly w ← w − lr_g · c.
        using var scope = NewDisposeScope();
        var (optimizer, head, backbone) = TwoGroupOptimizer("sgd", headRate: 0.5, backboneRate: 0.25);
        var scheduler = new ProgressLearningRateScheduler(optimizer, LearningRateSchedules.Annealing(), totalSteps: 4);
        scheduler.step();
        scheduler.step(); // p = 0.5: factor 6^−0.75

        double headBefore = head.item<double>();
        double backboneBefore = backbone.item<double>();
        optimizer.zero_grad();
        (head.sum() * 3.0 + backbone.sum() * 3.0).backward();
        optimizer.step();

        double factor = Math.Pow(6.0, -0.75);
        (headBefore - head.item<double>()).Should().BeApproximately(0.5 * factor * 3.0, 1e-15);
        (backboneBefore - backbone.item<double>()).Should().BeApproximately(0.25 * factor * 3.0, 1e-15);
    }

    [Fact]
    public void Step_PastTotalSteps_ThrowsAndKeepsTheFinalRates()
    {
        using var scope = NewDisposeScope();
        var (optimizer, _, _) = TwoGroupOptimizer("sgd", headRate: 0.01, backboneRate: 0.001);
        var scheduler = new ProgressLearningRateScheduler(optimizer, LearningRateSchedules.Annealing(), totalSteps: 3);
        for (int i = 0; i < 3; i++) scheduler.step();
        double[] final = optimizer.ParamGroups.Select(g => g.LearningRate).ToArray();

        var act = () => scheduler.step();

        act.Should().Throw<InvalidOperationException>().WithMessage("*step 3 of 3*totalSteps*");
        optimizer.ParamGroups.Select(g => g.LearningRate).Should().Equal(final);
        scheduler.Progress.Should().Be(1.0);
    }

    [Theory]
    [InlineData(0L)]
    [InlineData(7L)]
    [InlineData(40L)]
    public void SetStep_ExplicitPosition_GivesExactlyTheRatesOfSteppingThere(long k)
    {
        using var scope = NewDisposeScope();
        var (stepped, _, _) = TwoGroupOptimizer("adam", headRate: 0.01, backboneRate: 0.003);
        var (resumed, _, _) = TwoGroupOptimizer("adam", headRate: 0.01, backboneRate: 0.003);
        var schedule = LearningRateSchedules.Annealing();
        var a = new ProgressLearningRateScheduler(stepped, schedule, Total);
        var b = new ProgressLearningRateScheduler(resumed, schedule, Total);

        for (long i = 0; i < k; i++) a.step();
        b.SetStep(k);

        resumed.ParamGroups.Select(g => g.LearningRate).Should().Equal(stepped.ParamGroups.Select(g => g.LearningRate));
        b.CurrentStep.Should().Be(k);
        if (k < Total)
        {
            b.step();
            a.step();
            resumed.ParamGroups.Select(g => g.LearningRate).Should().Equal(stepped.ParamGroups.Select(g => g.LearningRate));
        }
    }

    [Fact]
    public void StepWithEpoch_ExplicitStep_BehavesLikeSetStep()
    {
        using var scope = NewDisposeScope();
        var (optimizer, _, _) = TwoGroupOptimizer("sgd", headRate: 0.01, backboneRate: 0.001);
        var scheduler = new ProgressLearningRateScheduler(optimizer, LearningRateSchedules.Annealing(), Total);

        scheduler.step(10);

        scheduler.CurrentStep.Should().Be(10);
        ShouldBeClose(optimizer.ParamGroups.First().LearningRate, 0.01 / Math.Pow(1 + (10 * 0.25), 0.75));
    }

    [Theory]
    [InlineData(-1L)]
    [InlineData(41L)]
    public void SetStep_OutsideZeroToTotal_ThrowsNamingStep(long k)
    {
        using var scope = NewDisposeScope();
        var (optimizer, _, _) = TwoGroupOptimizer("sgd", headRate: 0.01, backboneRate: 0.001);
        var scheduler = new ProgressLearningRateScheduler(optimizer, LearningRateSchedules.Annealing(), Total);

        var act = () => scheduler.SetStep(k);

        act.Should().Throw<ArgumentOutOfRangeException>().WithParameterName("step").WithMessage("*[0, 40]*");
    }

    [Theory]
    [InlineData(0L)]
    [InlineData(-5L)]
    public void Constructor_TotalStepsNotPositive_ThrowsNamingTotalSteps(long totalSteps)
    {
        using var scope = NewDisposeScope();
        var (optimizer, _, _) = TwoGroupOptimizer("sgd", headRate: 0.01, backboneRate: 0.001);

        var act = () => new ProgressLearningRateScheduler(optimizer, LearningRateSchedules.Annealing(), totalSteps);

        act.Should().Throw<ArgumentOutOfRangeException>().WithParameterName("totalSteps").WithMessage("*positive*");
    }

    [Fact]
    public void Constructor_NullArguments_Throw()
    {
        using var scope = NewDisposeScope();
        var (optimizer, _, _) = TwoGroupOptimizer("sgd", headRate: 0.01, backboneRate: 0.001);

        FluentActions.Invoking(() => new ProgressLearningRateScheduler(null!, LearningRateSchedules.Annealing(), 10))
            .Should().Throw<ArgumentNullException>().WithParameterName("optimizer");
        FluentActions.Invoking(() => new ProgressLearningRateScheduler(optimizer, null!, 10))
            .Should().Throw<ArgumentNullException>().WithParameterName("schedule");
    }

    [Fact]
    public void Step_ScheduleReturnsNegativeFactor_ThrowsNamingTheSchedule()
    {
        using var scope = NewDisposeScope();
        var (optimizer, _, _) = TwoGroupOptimizer("sgd", headRate: 0.01, backboneRate: 0.001);

        var act = () => new ProgressLearningRateScheduler(optimizer, new BrokenSchedule(), 10);

        act.Should().Throw<InvalidOperationException>().WithMessage("*BrokenSchedule*-1*");
    }

    // base·factor and μ0/(1+αp)^β round differently in the last bit; 1e-15 relative is a few ulps.
    private static void ShouldBeClose(double actual, double expected) =>
        actual.Should().BeApproximately(expected, 1e-15 * Math.Abs(expected));

    /// <summary>An optimizer with two parameter groups (a "head" and a "backbone", one float64 element each) and different base rates.</summary>
    private static (optim.Optimizer Optimizer, Parameter Head, Parameter Backbone) TwoGroupOptimizer(string which, double headRate, double backboneRate)
    {
        var head = new Parameter(tensor(new[] { 1.0 }, dtype: ScalarType.Float64));
        var backbone = new Parameter(tensor(new[] { 2.0 }, dtype: ScalarType.Float64));
        optim.Optimizer optimizer = which switch
        {
            "sgd" => optim.SGD(
                [new SGD.ParamGroup([head], lr: headRate), new SGD.ParamGroup([backbone], lr: backboneRate)],
                learningRate: headRate),
            "adam" => optim.Adam(
                [new Adam.ParamGroup([head], lr: headRate), new Adam.ParamGroup([backbone], lr: backboneRate)],
                lr: headRate),
            _ => throw new ArgumentOutOfRangeException(nameof(which)),
        };
        return (optimizer, head, backbone);
    }

    private sealed class HalvingSchedule : ILearningRateSchedule
    {
        public double FactorAt(double progress) => 0.5;
    }

    private sealed class BrokenSchedule : ILearningRateSchedule
    {
        public double FactorAt(double progress) => -1.0;
    }
}
