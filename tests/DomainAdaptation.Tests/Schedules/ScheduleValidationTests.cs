using DomainAdaptation.Schedules;

namespace DomainAdaptation.Tests.Schedules;

/// <summary>Issue 2 §4: totalSteps ≤ 0, p outside [0, 1] and non-finite parameters give clear errors.</summary>
public class ScheduleValidationTests
{
    public static TheoryData<double> BadProgress() => new() { -0.001, 1.0000001, -1.0, 2.0, double.NaN, double.PositiveInfinity, double.NegativeInfinity };

    public static TheoryData<double> NonFinite() => new() { double.NaN, double.PositiveInfinity, double.NegativeInfinity };

    private static IEnumerable<ILambdaSchedule> AllLambdaSchedules() =>
    [
        LambdaSchedules.Constant(1.0),
        LambdaSchedules.Ganin(),
        LambdaSchedules.WarmStart(0.0, 1.0),
        LambdaSchedules.Linear(0.0, 1.0),
        LambdaSchedules.Delayed(LambdaSchedules.Ganin(), 0.2),
    ];

    private static IEnumerable<ILearningRateSchedule> AllLearningRateSchedules() =>
    [
        LearningRateSchedules.Constant(),
        LearningRateSchedules.Annealing(),
    ];

    [Theory]
    [MemberData(nameof(BadProgress))]
    public void ValueAt_ProgressOutsideUnitIntervalOrNonFinite_ThrowsNamingProgress(double p)
    {
        foreach (var schedule in AllLambdaSchedules())
        {
            var act = () => schedule.ValueAt(p);
            act.Should().Throw<ArgumentOutOfRangeException>().WithParameterName("progress").WithMessage("*[0, 1]*");
        }
    }

    [Theory]
    [MemberData(nameof(BadProgress))]
    public void FactorAt_ProgressOutsideUnitIntervalOrNonFinite_ThrowsNamingProgress(double p)
    {
        foreach (var schedule in AllLearningRateSchedules())
        {
            var act = () => schedule.FactorAt(p);
            act.Should().Throw<ArgumentOutOfRangeException>().WithParameterName("progress").WithMessage("*[0, 1]*");
        }
    }

    [Theory]
    [InlineData(0L)]
    [InlineData(-1L)]
    [InlineData(long.MinValue)]
    public void ProgressOf_TotalStepsNotPositive_ThrowsNamingTotalSteps(long totalSteps)
    {
        var act = () => Progress.Of(0, totalSteps);
        act.Should().Throw<ArgumentOutOfRangeException>().WithParameterName("totalSteps").WithMessage("*positive*");
    }

    [Theory]
    [InlineData(-1L, 10L)]
    [InlineData(11L, 10L)]
    public void ProgressOf_StepOutsideRange_ThrowsNamingStep(long step, long totalSteps)
    {
        var act = () => Progress.Of(step, totalSteps);
        act.Should().Throw<ArgumentOutOfRangeException>().WithParameterName("step").WithMessage("*[0, 10]*");
    }

    [Theory]
    [InlineData(0L, 10L, 0.0)]
    [InlineData(1L, 10L, 0.1)]
    [InlineData(5L, 10L, 0.5)]
    [InlineData(10L, 10L, 1.0)]
    public void ProgressOf_ValidStep_IsStepOverTotal(long step, long totalSteps, double expected)
    {
        Progress.Of(step, totalSteps).Should().Be(expected);
    }

    [Theory]
    [MemberData(nameof(NonFinite))]
    public void Constructors_NonFiniteParameter_ThrowNamingTheParameter(double bad)
    {
        var cases = new (Action Create, string Parameter)[]
        {
            (() => LambdaSchedules.Constant(bad), "value"),
            (() => LambdaSchedules.Ganin(gamma: bad), "gamma"),
            (() => LambdaSchedules.Ganin(max: bad), "max"),
            (() => LambdaSchedules.WarmStart(bad, 1.0), "low"),
            (() => LambdaSchedules.WarmStart(0.0, bad), "high"),
            (() => LambdaSchedules.WarmStart(0.0, 1.0, bad), "alpha"),
            (() => LambdaSchedules.Linear(bad, 1.0), "from"),
            (() => LambdaSchedules.Linear(0.0, bad), "to"),
            (() => LambdaSchedules.Delayed(LambdaSchedules.Ganin(), bad), "delay"),
            (() => LearningRateSchedules.Annealing(alpha: bad), "alpha"),
            (() => LearningRateSchedules.Annealing(beta: bad), "beta"),
        };

        foreach ((Action create, string parameter) in cases)
        {
            create.Should().Throw<ArgumentOutOfRangeException>().WithParameterName(parameter);
        }
    }

    [Fact]
    public void Constructors_OutOfDomainParameters_Throw()
    {
        FluentActions.Invoking(() => LambdaSchedules.Ganin(gamma: 0.0)).Should().Throw<ArgumentOutOfRangeException>().WithParameterName("gamma");
        FluentActions.Invoking(() => LambdaSchedules.WarmStart(0.0, 1.0, alpha: -1.0)).Should().Throw<ArgumentOutOfRangeException>().WithParameterName("alpha");
        FluentActions.Invoking(() => LambdaSchedules.Delayed(LambdaSchedules.Ganin(), 1.0)).Should().Throw<ArgumentOutOfRangeException>().WithParameterName("delay");
        FluentActions.Invoking(() => LambdaSchedules.Delayed(LambdaSchedules.Ganin(), -0.1)).Should().Throw<ArgumentOutOfRangeException>().WithParameterName("delay");
        FluentActions.Invoking(() => LambdaSchedules.Delayed(null!, 0.1)).Should().Throw<ArgumentNullException>().WithParameterName("inner");
        FluentActions.Invoking(() => LearningRateSchedules.Annealing(alpha: -0.5)).Should().Throw<ArgumentOutOfRangeException>().WithParameterName("alpha");
        FluentActions.Invoking(() => LearningRateSchedules.Annealing(beta: -0.5)).Should().Throw<ArgumentOutOfRangeException>().WithParameterName("beta");
    }
}
