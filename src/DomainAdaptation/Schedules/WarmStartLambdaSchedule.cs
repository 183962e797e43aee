namespace DomainAdaptation.Schedules;

/// <summary>
/// A sigmoid warm-start between two values: <c>λ_p = low + (high − low) · (2 / (1 + exp(−α p)) − 1)</c>.
/// With low = 0 and high = 1 it is the paper's schedule.
/// </summary>
public sealed record WarmStartLambdaSchedule : ILambdaSchedule
{
    /// <summary>Creates the schedule.</summary>
    /// <param name="low">λ at p = 0; finite.</param>
    /// <param name="high">The value approached at the end; finite.</param>
    /// <param name="alpha">The steepness α; finite and positive.</param>
    /// <exception cref="ArgumentOutOfRangeException">When a parameter is not finite, or α ≤ 0.</exception>
    public WarmStartLambdaSchedule(double low, double high, double alpha = 10.0)
    {
        Low = Progress.CheckFinite(low, nameof(low));
        High = Progress.CheckFinite(high, nameof(high));
        Alpha = Progress.CheckFinite(alpha, nameof(alpha));
        if (alpha <= 0) throw new ArgumentOutOfRangeException(nameof(alpha), alpha, "α must be positive.");
    }

    /// <summary>λ at the start.</summary>
    public double Low { get; }

    /// <summary>The value approached at the end.</summary>
    public double High { get; }

    /// <summary>The steepness α.</summary>
    public double Alpha { get; }

    /// <inheritdoc />
    public double ValueAt(double progress)
    {
        Progress.Check(progress);
        return Low + ((High - Low) * ((2.0 / (1.0 + Math.Exp(-Alpha * progress))) - 1.0));
    }
}
