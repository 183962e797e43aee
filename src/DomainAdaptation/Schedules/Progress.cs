using System.Globalization;

namespace DomainAdaptation.Schedules;

/// <summary>Training progress <c>p = step / totalSteps</c> and its validation.</summary>
public static class Progress
{
    /// <summary>Computes <c>p = step / totalSteps</c>.</summary>
    /// <param name="step">The number of completed steps, in <c>[0, totalSteps]</c>.</param>
    /// <param name="totalSteps">The planned number of steps; must be positive.</param>
    /// <returns>Progress in [0, 1].</returns>
    /// <exception cref="ArgumentOutOfRangeException">When <paramref name="totalSteps"/> ≤ 0 or <paramref name="step"/> is outside <c>[0, totalSteps]</c>.</exception>
    public static double Of(long step, long totalSteps)
    {
        if (totalSteps <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(totalSteps), totalSteps, "The total number of steps must be positive.");
        }

        if (step < 0 || step > totalSteps)
        {
            throw new ArgumentOutOfRangeException(nameof(step), step, string.Create(CultureInfo.InvariantCulture, $"The step must lie in [0, {totalSteps}]."));
        }

        return (double)step / totalSteps;
    }

    /// <summary>Checks that a progress value is finite and in [0, 1].</summary>
    /// <param name="progress">The value to check.</param>
    /// <param name="paramName">The caller's parameter name for the exception.</param>
    /// <returns>The value.</returns>
    /// <exception cref="ArgumentOutOfRangeException">When the value is outside [0, 1] or not finite.</exception>
    public static double Check(double progress, string paramName = "progress")
    {
        if (!double.IsFinite(progress) || progress < 0.0 || progress > 1.0)
        {
            throw new ArgumentOutOfRangeException(paramName, progress, "Training progress p = step / totalSteps must be a finite number in [0, 1].");
        }

        return progress;
    }

    internal static double CheckFinite(double value, string paramName)
    {
        if (!double.IsFinite(value))
        {
            throw new ArgumentOutOfRangeException(paramName, value, $"The schedule parameter '{paramName}' must be a finite number.");
        }

        return value;
    }
}
