namespace DomainAdaptation.Schedules;

/// <summary>Factory methods for the built-in λ schedules.</summary>
public static class LambdaSchedules
{
    /// <summary>λ = <paramref name="value"/> at every step.</summary>
    /// <param name="value">The constant λ.</param>
    /// <returns>The schedule.</returns>
    public static ILambdaSchedule Constant(double value) => new ConstantLambdaSchedule(value);

    /// <summary>
    /// The paper's schedule (Ganin &amp; Lempitsky 2015, §3.3): <c>λ_p = max · (2 / (1 + exp(−γ p)) − 1)</c>, rising from 0
    /// to ≈ max; with γ = 10 and max = 1, λ_1 ≈ 0.9999092.
    /// </summary>
    /// <param name="gamma">The steepness γ (paper: 10).</param>
    /// <param name="max">The scale, i.e. the value approached at the end (paper: 1).</param>
    /// <returns>The schedule.</returns>
    public static ILambdaSchedule Ganin(double gamma = 10.0, double max = 1.0) => new GaninLambdaSchedule(gamma, max);

    /// <summary>
    /// A warm-start ramp between <paramref name="low"/> and <paramref name="high"/> with the paper's sigmoid shape:
    /// <c>λ_p = low + (high − low) · (2 / (1 + exp(−α p)) − 1)</c>.
    /// </summary>
    /// <param name="low">λ at p = 0.</param>
    /// <param name="high">The value approached at the end.</param>
    /// <param name="alpha">The steepness α.</param>
    /// <returns>The schedule.</returns>
    public static ILambdaSchedule WarmStart(double low, double high, double alpha = 10.0) => new WarmStartLambdaSchedule(low, high, alpha);

    /// <summary>A linear ramp from <paramref name="from"/> at p = 0 to <paramref name="to"/> at p = 1.</summary>
    /// <param name="from">λ at the start.</param>
    /// <param name="to">λ at the end.</param>
    /// <returns>The schedule.</returns>
    public static ILambdaSchedule Linear(double from, double to) => new LinearLambdaSchedule(from, to);

    /// <summary>
    /// λ = 0 until progress <paramref name="delay"/>, then <paramref name="inner"/> run over the remaining progress,
    /// i.e. <c>inner((p − delay) / (1 − delay))</c>.
    /// </summary>
    /// <param name="inner">The schedule after the delay.</param>
    /// <param name="delay">The delay as a fraction of training, in [0, 1).</param>
    /// <returns>The schedule.</returns>
    public static ILambdaSchedule Delayed(ILambdaSchedule inner, double delay) => new DelayedLambdaSchedule(inner, delay);
}
