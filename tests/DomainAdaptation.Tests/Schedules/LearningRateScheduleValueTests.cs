using DomainAdaptation.Schedules;

namespace DomainAdaptation.Tests.Schedules;

/// <summary>Issue 2 §4: the paper's annealing μ_p = μ0/(1+αp)^β as a factor of the base rate.</summary>
public class LearningRateScheduleValueTests
{
    [Theory]
    [InlineData(0.0, 1.0)]
    [InlineData(0.1, 0.5946035575013605)] // 2^−0.75
    [InlineData(0.5, 0.26084743001221455)] // 6^−0.75
    [InlineData(1.0, 0.16556002607617018)] // 11^−0.75
    public void Annealing_PaperDefaults_FactorMatchesReferenceValues(double p, double expected)
    {
        // Reference values: python3 -c "print(repr((1+10*p)**-0.75))".
        LearningRateSchedules.Annealing().FactorAt(p).Should().BeApproximately(expected, 1e-15);
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(0.1)]
    [InlineData(0.5)]
    [InlineData(1.0)]
    public void Annealing_PaperDefaults_BaseTimesFactorIsMu0OverOnePlusAlphaPToBeta(double p)
    {
        const double mu0 = 0.01;
        double expected = mu0 / Math.Pow(1.0 + (10.0 * p), 0.75);
        (mu0 * LearningRateSchedules.Annealing().FactorAt(p)).Should().BeApproximately(expected, 1e-17);
    }

    [Fact]
    public void Annealing_OverTraining_DecreasesFromOneAndStaysPositive()
    {
        var schedule = LearningRateSchedules.Annealing();
        double[] values = Enumerable.Range(0, 1001).Select(i => schedule.FactorAt(i / 1000.0)).ToArray();
        values[0].Should().Be(1.0);
        values.Should().BeInDescendingOrder();
        values.Should().OnlyContain(v => v > 0.0 && v <= 1.0);
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(0.5)]
    [InlineData(1.0)]
    public void Constant_AnyProgress_FactorIsOne(double p)
    {
        LearningRateSchedules.Constant().FactorAt(p).Should().Be(1.0);
    }
}
