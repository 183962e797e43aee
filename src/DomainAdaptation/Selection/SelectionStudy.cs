using System.Globalization;

namespace DomainAdaptation.Selection;

/// <summary>
/// How well a validator chooses, when target labels are at hand for a study: the Spearman rank correlation of its
/// scores with the target accuracies, and its regret — the best target accuracy among the candidates minus that of the
/// candidate it chooses (its highest score).
/// </summary>
public static class SelectionStudy
{
    /// <summary>Spearman's ρ: the Pearson correlation of the ranks (ties get their average rank).</summary>
    /// <param name="x">Scores.</param>
    /// <param name="y">Target accuracies, one per score.</param>
    /// <returns>ρ in [−1, 1]; NaN when either side is constant.</returns>
    /// <exception cref="ArgumentException">When the lengths differ or fewer than two pairs are given.</exception>
    public static double Spearman(IReadOnlyList<double> x, IReadOnlyList<double> y)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(y);
        if (x.Count != y.Count || x.Count < 2) throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"Spearman's ρ needs two equally long lists of at least two values, but got {x.Count} and {y.Count}."));
        double[] rx = Ranks(x), ry = Ranks(y);
        double mx = rx.Average(), my = ry.Average();
        double sxy = 0, sxx = 0, syy = 0;
        for (int i = 0; i < rx.Length; i++)
        {
            sxy += (rx[i] - mx) * (ry[i] - my);
            sxx += (rx[i] - mx) * (rx[i] - mx);
            syy += (ry[i] - my) * (ry[i] - my);
        }

        return sxx == 0 || syy == 0 ? double.NaN : sxy / Math.Sqrt(sxx * syy);
    }

    /// <summary>The regret of choosing by <paramref name="scores"/>: max(accuracy) − accuracy of the highest-scoring candidate (the first of equal ones).</summary>
    /// <param name="scores">The validator's scores.</param>
    /// <param name="accuracies">The candidates' target accuracies.</param>
    /// <returns>The regret (0: it chose a best candidate) and the index chosen.</returns>
    public static (double Regret, int Chosen) Regret(IReadOnlyList<double> scores, IReadOnlyList<double> accuracies)
    {
        ArgumentNullException.ThrowIfNull(scores);
        ArgumentNullException.ThrowIfNull(accuracies);
        if (scores.Count != accuracies.Count || scores.Count == 0) throw new ArgumentException("The regret needs one accuracy per score and at least one candidate.");
        int chosen = 0;
        for (int i = 1; i < scores.Count; i++)
        {
            if (scores[i] > scores[chosen] || double.IsNaN(scores[chosen])) chosen = i;
        }

        return (accuracies.Max() - accuracies[chosen], chosen);
    }

    private static double[] Ranks(IReadOnlyList<double> values)
    {
        int[] order = [.. Enumerable.Range(0, values.Count).OrderBy(i => values[i])];
        var ranks = new double[values.Count];
        for (int i = 0; i < order.Length;)
        {
            int j = i;
            while (j + 1 < order.Length && values[order[j + 1]] == values[order[i]]) j++;
            double rank = ((i + j) / 2.0) + 1;
            for (int k = i; k <= j; k++) ranks[order[k]] = rank;
            i = j + 1;
        }

        return ranks;
    }
}
