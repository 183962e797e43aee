namespace DomainAdaptation.Training;

/// <summary>
/// Watches the label loss for the failure that ends an adversarial run without a NaN: after the label classifier has
/// learnt, its loss climbs back to chance, <c>ln K</c> for <c>K</c> classes (a uniform guess), and stays there. The
/// loss is averaged over consecutive windows of <c>W</c> steps; a collapse is reported once, at the end of the first
/// window whose mean is at least 0.9 · ln K after some earlier window's mean was at most 0.5 · ln K.
/// </summary>
/// <remarks>
/// Seen on MNIST → MNIST-M (docs/results.md): the label loss jumped from 0.13 to 2.31 (ln 10 = 2.30) within 250 steps
/// and never came back, while the domain classifier kept working. A run that never learns (its windows never fall to
/// 0.5 · ln K) is not reported: that is a different failure, visible in the learning curves from the start.
/// </remarks>
internal sealed class CollapseMonitor
{
    /// <summary>A window mean at or below this share of ln K counts as "learnt".</summary>
    internal const double LearntShare = 0.5;

    /// <summary>A later window mean at or above this share of ln K counts as "back at chance".</summary>
    internal const double ChanceShare = 0.9;

    private readonly int _window;
    private double _sum;
    private int _count;
    private bool _reported;

    /// <summary>Creates a monitor.</summary>
    /// <param name="classes">K ≥ 2, the number of classes.</param>
    /// <param name="window">W ≥ 1, the steps per window.</param>
    public CollapseMonitor(int classes, int window)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(classes, 2);
        ArgumentOutOfRangeException.ThrowIfLessThan(window, 1);
        _window = window;
        ChanceLoss = Math.Log(classes);
    }

    /// <summary>ln K: the cross-entropy of a uniform guess.</summary>
    public double ChanceLoss { get; }

    /// <summary>The lowest window mean so far (∞ before the first full window).</summary>
    public double BestWindowMean { get; private set; } = double.PositiveInfinity;

    /// <summary>The completed-step count at the end of the window with <see cref="BestWindowMean"/>.</summary>
    public long BestWindowEndStep { get; private set; }

    /// <summary>Adds one step's label loss; returns the window mean when this step completes a window that shows the collapse.</summary>
    /// <param name="completedSteps">Steps completed after this one.</param>
    /// <param name="labelLoss">This step's (finite) label loss.</param>
    /// <returns>The collapsed window's mean label loss, or null.</returns>
    public double? Observe(long completedSteps, double labelLoss)
    {
        _sum += labelLoss;
        if (++_count < _window) return null;

        double mean = _sum / _window;
        _sum = 0;
        _count = 0;
        if (mean < BestWindowMean)
        {
            BestWindowMean = mean;
            BestWindowEndStep = completedSteps;
        }

        if (_reported || BestWindowMean > LearntShare * ChanceLoss || mean < ChanceShare * ChanceLoss) return null;
        _reported = true;
        return mean;
    }
}
