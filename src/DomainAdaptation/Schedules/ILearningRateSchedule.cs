namespace DomainAdaptation.Schedules;

/// <summary>
/// A learning-rate schedule as a pure function of training progress <c>p = step / totalSteps ∈ [0, 1]</c>,
/// expressed as a factor of each parameter group's base learning rate (so per-group multipliers are kept).
/// </summary>
public interface ILearningRateSchedule
{
    /// <summary>The factor by which each parameter group's base learning rate is multiplied at <paramref name="progress"/>.</summary>
    /// <param name="progress">Training progress in [0, 1].</param>
    /// <returns>A finite, non-negative factor (1 at the start for the usual schedules).</returns>
    /// <exception cref="ArgumentOutOfRangeException">When <paramref name="progress"/> is outside [0, 1] or not finite.</exception>
    double FactorAt(double progress);
}
