namespace DomainAdaptation.Schedules;

/// <summary>A linear ramp: <c>λ_p = from + (to − from) · p</c>.</summary>
public sealed record LinearLambdaSchedule : ILambdaSchedule
{
    /// <summary>Creates the schedule.</summary>
    /// <param name="from">λ at p = 0; finite.</param>
    /// <param name="to">λ at p = 1; finite.</param>
    public LinearLambdaSchedule(double from, double to)
    {
        From = Progress.CheckFinite(from, nameof(from));
        To = Progress.CheckFinite(to, nameof(to));
    }

    /// <summary>λ at the start.</summary>
    public double From { get; }

    /// <summary>λ at the end.</summary>
    public double To { get; }

    /// <inheritdoc />
    public double ValueAt(double progress)
    {
        Progress.Check(progress);
        return From + ((To - From) * progress);
    }
}
