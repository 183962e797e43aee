using System.Globalization;

namespace DomainAdaptation.Selection.Validators;

/// <summary>
/// The adjusted mutual information of two labelings (Vinh, Epps &amp; Bailey, JMLR 2010): <c>AMI = (MI − E[MI]) /
/// (mean(H(U), H(V)) − E[MI])</c>, the expected MI under the hypergeometric model of random labelings with the same
/// cluster sizes, and the arithmetic mean of the two entropies as normaliser (scikit-learn's default).
/// </summary>
public static class AdjustedMutualInformation
{
    /// <summary>AMI of two labelings of the same samples.</summary>
    /// <param name="a">The first labeling (any non-negative integers).</param>
    /// <param name="b">The second labeling.</param>
    /// <returns>AMI: 1 for identical partitions, about 0 for independent ones.</returns>
    /// <exception cref="ArgumentException">When the lengths differ or a label is negative.</exception>
    public static double Score(IReadOnlyList<int> a, IReadOnlyList<int> b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        if (a.Count != b.Count) throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"AMI needs two labelings of the same samples, but got {a.Count} and {b.Count} labels."));
        if (a.Any(v => v < 0) || b.Any(v => v < 0)) throw new ArgumentException("AMI's labels must be non-negative.");
        int n = a.Count;
        int[] ua = [.. a.Distinct().Order()], ub = [.. b.Distinct().Order()];
        if ((ua.Length == 1 && ub.Length == 1) || n == 0) return 1.0;
        var ia = ua.Select((v, i) => (v, i)).ToDictionary(t => t.v, t => t.i);
        var ib = ub.Select((v, i) => (v, i)).ToDictionary(t => t.v, t => t.i);
        var table = new long[ua.Length, ub.Length];
        for (int s = 0; s < n; s++) table[ia[a[s]], ib[b[s]]]++;
        long[] rows = new long[ua.Length], columns = new long[ub.Length];
        for (int i = 0; i < ua.Length; i++)
        {
            for (int j = 0; j < ub.Length; j++)
            {
                rows[i] += table[i, j];
                columns[j] += table[i, j];
            }
        }

        double mi = 0;
        for (int i = 0; i < ua.Length; i++)
        {
            for (int j = 0; j < ub.Length; j++)
            {
                if (table[i, j] > 0) mi += (double)table[i, j] / n * Math.Log((double)n * table[i, j] / (rows[i] * (double)columns[j]));
            }
        }

        double emi = ExpectedMutualInformation(rows, columns, n);
        double mean = (Entropy(rows, n) + Entropy(columns, n)) / 2;
        double denominator = mean - emi;
        denominator = denominator < 0 ? Math.Min(denominator, -double.Epsilon) : Math.Max(denominator, double.Epsilon);
        return (mi - emi) / denominator;
    }

    /// <summary>E[MI] under the hypergeometric model (Vinh et al. 2010, Eq. 24a), with log-factorials from a table.</summary>
    internal static double ExpectedMutualInformation(long[] a, long[] b, int n)
    {
        var logFactorial = new double[n + 1];
        for (int i = 2; i <= n; i++) logFactorial[i] = logFactorial[i - 1] + Math.Log(i);
        double emi = 0;
        foreach (long ai in a)
        {
            foreach (long bj in b)
            {
                long lo = Math.Max(1, ai + bj - n), hi = Math.Min(ai, bj);
                for (long k = lo; k <= hi; k++)
                {
                    double term = (double)k / n * Math.Log((double)n * k / (ai * (double)bj));
                    double logP = logFactorial[ai] + logFactorial[bj] + logFactorial[n - ai] + logFactorial[n - bj]
                        - logFactorial[n] - logFactorial[k] - logFactorial[ai - k] - logFactorial[bj - k] - logFactorial[n - ai - bj + k];
                    emi += term * Math.Exp(logP);
                }
            }
        }

        return emi;
    }

    private static double Entropy(long[] counts, int n) =>
        -counts.Where(c => c > 0).Sum(c => (double)c / n * Math.Log((double)c / n));
}
