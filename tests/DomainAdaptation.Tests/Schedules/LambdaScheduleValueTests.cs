using DomainAdaptation.Schedules;

namespace DomainAdaptation.Tests.Schedules;

/// <summary>Issue 2 §4: λ schedule values against their formulas at p ∈ {0, 0.1, 0.5, 1}.</summary>
public class LambdaScheduleValueTests
{
    private const double Tight = 1e-15;

    public static TheoryData<double> Points() => new() { 0.0, 0.1, 0.5, 1.0 };

    [Theory]
    [MemberData(nameof(Points))]
    public void Ganin_PaperDefaults_EqualsTwoOverOnePlusExpMinusTenPMinusOne(double p)
    {
        // 2/(1+e^(−γp)) − 1 = tanh(γp/2): an independent way to compute the same formula.
        LambdaSchedules.Ganin().ValueAt(p).Should().BeApproximately(Math.Tanh(5.0 * p), Tight);
    }

    [Theory]
    [InlineData(0.0, 0.0)]
    [InlineData(0.1, 0.46211715726000974)]
    [InlineData(0.5, 0.9866142981514303)]
    [InlineData(1.0, 0.9999092042625951)]
    public void Ganin_PaperDefaults_MatchesReferenceValues(double p, double expected)
    {
        // Reference values: python3 -c "import math; print(repr(math.tanh(5*p)))".
        LambdaSchedules.Ganin().ValueAt(p).Should().BeApproximately(expected, Tight);
    }

    [Fact]
    public void Ganin_PaperDefaults_EndpointsAreZeroAndPoint9999092()
    {
        var schedule = LambdaSchedules.Ganin();
        schedule.ValueAt(0.0).Should().Be(0.0);
        schedule.ValueAt(1.0).Should().BeApproximately(0.9999092, 5e-8);
    }

    [Theory]
    [MemberData(nameof(Points))]
    public void Ganin_ScaledMaximumAndGamma_ScalesTheCurve(double p)
    {
        LambdaSchedules.Ganin(gamma: 4.0, max: 0.1).ValueAt(p).Should().BeApproximately(0.1 * Math.Tanh(2.0 * p), Tight);
    }

    [Theory]
    [MemberData(nameof(Points))]
    public void Constant_AnyProgress_ReturnsTheValue(double p)
    {
        LambdaSchedules.Constant(0.25).ValueAt(p).Should().Be(0.25);
    }

    [Theory]
    [MemberData(nameof(Points))]
    public void WarmStart_LowHigh_EqualsLowPlusRangeTimesSigmoidRamp(double p)
    {
        double expected = 0.1 + (0.9 * Math.Tanh(5.0 * p));
        LambdaSchedules.WarmStart(low: 0.1, high: 1.0, alpha: 10.0).ValueAt(p).Should().BeApproximately(expected, Tight);
    }

    [Theory]
    [MemberData(nameof(Points))]
    public void WarmStart_ZeroToOne_IsThePaperSchedule(double p)
    {
        LambdaSchedules.WarmStart(0.0, 1.0).ValueAt(p).Should().BeApproximately(LambdaSchedules.Ganin().ValueAt(p), Tight);
    }

    [Theory]
    [InlineData(0.0, 0.2)]
    [InlineData(0.1, 0.26)]
    [InlineData(0.5, 0.5)]
    [InlineData(1.0, 0.8)]
    public void Linear_FromTo_InterpolatesLinearly(double p, double expected)
    {
        LambdaSchedules.Linear(0.2, 0.8).ValueAt(p).Should().BeApproximately(expected, Tight);
    }

    [Theory]
    [InlineData(0.0, 0.0)]
    [InlineData(0.1, 0.0)]
    [InlineData(0.5, 0.0)] // p = delay: the inner schedule starts at its own p = 0
    [InlineData(0.75, 0.9866142981514303)] // inner p = 0.5
    [InlineData(1.0, 0.9999092042625951)]
    public void Delayed_HalfOfTraining_IsZeroThenRunsTheInnerScheduleOverTheRest(double p, double expected)
    {
        LambdaSchedules.Delayed(LambdaSchedules.Ganin(), delay: 0.5).ValueAt(p).Should().BeApproximately(expected, Tight);
    }

    [Theory]
    [MemberData(nameof(Points))]
    public void Delayed_ZeroDelay_EqualsTheInnerSchedule(double p)
    {
        LambdaSchedules.Delayed(LambdaSchedules.Linear(1.0, 3.0), 0.0).ValueAt(p).Should().Be(LambdaSchedules.Linear(1.0, 3.0).ValueAt(p));
    }
}
