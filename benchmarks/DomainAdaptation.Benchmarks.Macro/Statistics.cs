namespace DomainAdaptation.Benchmarks.Macro;

/// <summary>Summary statistics of a sample of timings.</summary>
internal sealed record Summary(int Count, double Median, double P90, double Mean, double Min, double Max, double StdDev)
{
    public double P90OverMedian => P90 / Median;

    public static Summary Of(IReadOnlyList<double> values)
    {
        if (values.Count == 0) throw new ArgumentException("No values to summarise.", nameof(values));
        double[] sorted = values.Order().ToArray();
        double mean = sorted.Average();
        double variance = sorted.Sum(v => (v - mean) * (v - mean)) / Math.Max(1, sorted.Length - 1);
        return new Summary(sorted.Length, Percentile(sorted, 0.5), Percentile(sorted, 0.9), mean, sorted[0], sorted[^1], Math.Sqrt(variance));
    }

    /// <summary>Linear interpolation between closest ranks (numpy's default), so the harness and the Python script agree.</summary>
    public static double Percentile(double[] sorted, double q)
    {
        double position = q * (sorted.Length - 1);
        int lower = (int)Math.Floor(position);
        int upper = Math.Min(lower + 1, sorted.Length - 1);
        return sorted[lower] + ((sorted[upper] - sorted[lower]) * (position - lower));
    }
}
