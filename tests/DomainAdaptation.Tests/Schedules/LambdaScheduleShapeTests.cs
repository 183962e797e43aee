using DomainAdaptation.Schedules;

namespace DomainAdaptation.Tests.Schedules;

/// <summary>Issue 2 §4: monotonicity and bounds of the λ schedules over a fine grid of p.</summary>
public class LambdaScheduleShapeTests
{
    private static readonly double[] Grid = Enumerable.Range(0, 1001).Select(i => i / 1000.0).ToArray();

    public static TheoryData<string> Rising() => new() { "ganin", "warmstart", "linear", "delayed" };

    [Theory]
    [MemberData(nameof(Rising))]
    public void ValueAt_RisingSchedules_AreNonDecreasingAndWithinTheirBounds(string which)
    {
        (ILambdaSchedule schedule, double low, double high) = which switch
        {
            "ganin" => (LambdaSchedules.Ganin(), 0.0, 1.0),
            "warmstart" => (LambdaSchedules.WarmStart(0.2, 0.7), 0.2, 0.7),
            "linear" => (LambdaSchedules.Linear(0.1, 0.4), 0.1, 0.4),
            "delayed" => (LambdaSchedules.Delayed(LambdaSchedules.Ganin(), 0.3), 0.0, 1.0),
            _ => throw new ArgumentOutOfRangeException(nameof(which)),
        };

        double[] values = Grid.Select(schedule.ValueAt).ToArray();
        values.Should().BeInAscendingOrder();
        values.Should().OnlyContain(v => v >= low && v <= high);
        values[0].Should().Be(low);
    }

    [Fact]
    public void ValueAt_Ganin_StrictlyIncreasesBeforeSaturating()
    {
        var schedule = LambdaSchedules.Ganin();
        double[] values = Grid.Select(schedule.ValueAt).ToArray();
        for (int i = 1; i <= 500; i++)
        {
            values[i].Should().BeGreaterThan(values[i - 1], $"λ must grow at p = {Grid[i]}");
        }

        values.Should().OnlyContain(v => v < 1.0, "the paper's λ approaches 1 but never reaches it");
    }

    [Fact]
    public void ValueAt_DecreasingLinear_IsNonIncreasing()
    {
        var schedule = LambdaSchedules.Linear(1.0, 0.0);
        Grid.Select(schedule.ValueAt).Should().BeInDescendingOrder();
    }
}
