namespace DomainAdaptation.Schedules;

/// <summary>λ is the same at every step.</summary>
public sealed record ConstantLambdaSchedule : ILambdaSchedule
{
    /// <summary>Creates the schedule.</summary>
    /// <param name="value">The constant λ; must be finite.</param>
    public ConstantLambdaSchedule(double value) => Value = Progress.CheckFinite(value, nameof(value));

    /// <summary>The constant λ.</summary>
    public double Value { get; }

    /// <inheritdoc />
    public double ValueAt(double progress)
    {
        Progress.Check(progress);
        return Value;
    }
}
