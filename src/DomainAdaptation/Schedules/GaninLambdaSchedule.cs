namespace DomainAdaptation.Schedules;

/// <summary>
/// The paper's λ schedule: <c>λ_p = max · (2 / (1 + exp(−γ p)) − 1)</c> (Ganin &amp; Lempitsky 2015, §3.3; γ = 10).
/// It suppresses the noisy domain signal early in training and approaches <c>max</c> at the end.
/// </summary>
public sealed record GaninLambdaSchedule : ILambdaSchedule
{
    /// <summary>Creates the schedule.</summary>
    /// <param name="gamma">The steepness γ; finite and positive (paper: 10).</param>
    /// <param name="max">The scale; finite (paper: 1).</param>
    /// <exception cref="ArgumentOutOfRangeException">When a parameter is not finite, or γ ≤ 0.</exception>
    public GaninLambdaSchedule(double gamma = 10.0, double max = 1.0)
    {
        Gamma = Progress.CheckFinite(gamma, nameof(gamma));
        if (gamma <= 0) throw new ArgumentOutOfRangeException(nameof(gamma), gamma, "γ must be positive.");
        Max = Progress.CheckFinite(max, nameof(max));
    }

    /// <summary>The steepness γ.</summary>
    public double Gamma { get; }

    /// <summary>The scale.</summary>
    public double Max { get; }

    /// <inheritdoc />
    public double ValueAt(double progress)
    {
        Progress.Check(progress);
        return Max * ((2.0 / (1.0 + Math.Exp(-Gamma * progress))) - 1.0);
    }
}
