namespace DomainAdaptation.Schedules;

/// <summary>
/// λ = 0 until progress <see cref="Delay"/>, then the inner schedule over the rest of training:
/// <c>λ_p = inner((p − delay) / (1 − delay))</c> for <c>p ≥ delay</c>.
/// </summary>
public sealed record DelayedLambdaSchedule : ILambdaSchedule
{
    /// <summary>Creates the schedule.</summary>
    /// <param name="inner">The schedule that starts after the delay.</param>
    /// <param name="delay">The delay as a fraction of training, in [0, 1).</param>
    /// <exception cref="ArgumentOutOfRangeException">When <paramref name="delay"/> is outside [0, 1).</exception>
    public DelayedLambdaSchedule(ILambdaSchedule inner, double delay)
    {
        ArgumentNullException.ThrowIfNull(inner);
        if (!double.IsFinite(delay) || delay < 0.0 || delay >= 1.0)
        {
            throw new ArgumentOutOfRangeException(nameof(delay), delay, "The delay is a fraction of training and must lie in [0, 1).");
        }

        Inner = inner;
        Delay = delay;
    }

    /// <summary>The schedule after the delay.</summary>
    public ILambdaSchedule Inner { get; }

    /// <summary>The delay as a fraction of training.</summary>
    public double Delay { get; }

    /// <inheritdoc />
    public double ValueAt(double progress)
    {
        Progress.Check(progress);
        return progress < Delay ? 0.0 : Inner.ValueAt(Math.Min(1.0, (progress - Delay) / (1.0 - Delay)));
    }
}
