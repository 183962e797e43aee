namespace DomainAdaptation.Schedules;

/// <summary>Factory methods for the built-in learning-rate schedules (factors of each group's base rate).</summary>
public static class LearningRateSchedules
{
    /// <summary>Factor 1 at every step: the optimizer's own learning rate.</summary>
    /// <returns>The schedule.</returns>
    public static ILearningRateSchedule Constant() => new ConstantLearningRateSchedule();

    /// <summary>
    /// The paper's annealing (Ganin &amp; Lempitsky 2015, §3.3): <c>μ_p = μ0 / (1 + α p)^β</c>, i.e. factor
    /// <c>1 / (1 + α p)^β</c> of the base rate μ0 (paper: μ0 = 0.01, α = 10, β = 0.75).
    /// </summary>
    /// <param name="alpha">α (paper: 10).</param>
    /// <param name="beta">β (paper: 0.75).</param>
    /// <returns>The schedule.</returns>
    public static ILearningRateSchedule Annealing(double alpha = 10.0, double beta = 0.75) => new AnnealingLearningRateSchedule(alpha, beta);
}

/// <summary>Factor 1 at every step.</summary>
public sealed record ConstantLearningRateSchedule : ILearningRateSchedule
{
    /// <inheritdoc />
    public double FactorAt(double progress)
    {
        Progress.Check(progress);
        return 1.0;
    }
}

/// <summary>The paper's annealing: factor <c>1 / (1 + α p)^β</c> of the base learning rate.</summary>
public sealed record AnnealingLearningRateSchedule : ILearningRateSchedule
{
    /// <summary>Creates the schedule.</summary>
    /// <param name="alpha">α; finite and non-negative (paper: 10).</param>
    /// <param name="beta">β; finite and non-negative (paper: 0.75).</param>
    /// <exception cref="ArgumentOutOfRangeException">When a parameter is negative or not finite.</exception>
    public AnnealingLearningRateSchedule(double alpha = 10.0, double beta = 0.75)
    {
        Alpha = Progress.CheckFinite(alpha, nameof(alpha));
        Beta = Progress.CheckFinite(beta, nameof(beta));
        if (alpha < 0) throw new ArgumentOutOfRangeException(nameof(alpha), alpha, "α must not be negative.");
        if (beta < 0) throw new ArgumentOutOfRangeException(nameof(beta), beta, "β must not be negative.");
    }

    /// <summary>α.</summary>
    public double Alpha { get; }

    /// <summary>β.</summary>
    public double Beta { get; }

    /// <inheritdoc />
    public double FactorAt(double progress)
    {
        Progress.Check(progress);
        return 1.0 / Math.Pow(1.0 + (Alpha * progress), Beta);
    }
}
