namespace DomainAdaptation.Schedules;

/// <summary>
/// A schedule for the gradient reversal coefficient λ as a pure function of training progress
/// <c>p = step / totalSteps ∈ [0, 1]</c>. The trainer evaluates it once per step and sets the reversal layer's λ
/// explicitly; nothing steps hidden inside a forward pass.
/// </summary>
public interface ILambdaSchedule
{
    /// <summary>λ at progress <paramref name="progress"/>.</summary>
    /// <param name="progress">Training progress in [0, 1].</param>
    /// <returns>A finite λ.</returns>
    /// <exception cref="ArgumentOutOfRangeException">When <paramref name="progress"/> is outside [0, 1] or not finite.</exception>
    double ValueAt(double progress);
}
