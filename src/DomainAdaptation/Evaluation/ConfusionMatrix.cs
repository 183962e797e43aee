using System.Globalization;
using System.Text;

namespace DomainAdaptation.Evaluation;

/// <summary>
/// Counts of (true class, predicted class) pairs: row = true class, column = predicted class.
/// </summary>
public sealed class ConfusionMatrix
{
    private readonly long[,] _counts;

    /// <summary>Creates a matrix from counts.</summary>
    /// <param name="counts">A square <c>[classes, classes]</c> array of non-negative counts (copied).</param>
    /// <exception cref="ArgumentException">When the array is not square, is empty, or holds a negative count.</exception>
    public ConfusionMatrix(long[,] counts)
    {
        ArgumentNullException.ThrowIfNull(counts);
        int n = counts.GetLength(0);
        if (n == 0 || counts.GetLength(1) != n)
        {
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"A confusion matrix must be square and non-empty, but was {counts.GetLength(0)}×{counts.GetLength(1)}."), nameof(counts));
        }

        foreach (long c in counts)
        {
            if (c < 0) throw new ArgumentException("Confusion-matrix counts cannot be negative.", nameof(counts));
        }

        _counts = (long[,])counts.Clone();
    }

    /// <summary>Builds the matrix from true and predicted labels.</summary>
    /// <param name="truth">True classes.</param>
    /// <param name="predicted">Predicted classes, aligned with <paramref name="truth"/>.</param>
    /// <param name="classCount">The number of classes; every label must lie in <c>[0, classCount)</c>.</param>
    /// <returns>The matrix.</returns>
    /// <exception cref="ArgumentException">When the lengths differ or a label lies outside the classes.</exception>
    public static ConfusionMatrix From(ReadOnlySpan<long> truth, ReadOnlySpan<long> predicted, int classCount)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(classCount);
        if (truth.Length != predicted.Length)
        {
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"{truth.Length} true labels but {predicted.Length} predictions."), nameof(predicted));
        }

        var counts = new long[classCount, classCount];
        for (int i = 0; i < truth.Length; i++)
        {
            long t = truth[i];
            long p = predicted[i];
            if ((ulong)t >= (ulong)classCount || (ulong)p >= (ulong)classCount)
            {
                throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"Sample {i} has true class {t} and prediction {p}; both must lie in [0, {classCount})."), nameof(truth));
            }

            counts[t, p]++;
        }

        return new ConfusionMatrix(counts);
    }

    /// <summary>The number of classes.</summary>
    public int ClassCount => _counts.GetLength(0);

    /// <summary>The count of samples of class <paramref name="truth"/> predicted as <paramref name="predicted"/>.</summary>
    /// <param name="truth">The true class.</param>
    /// <param name="predicted">The predicted class.</param>
    public long this[int truth, int predicted] => _counts[truth, predicted];

    /// <summary>The total number of samples.</summary>
    public long Total
    {
        get
        {
            long total = 0;
            foreach (long c in _counts) total += c;
            return total;
        }
    }

    /// <summary>The number of correctly classified samples (the diagonal).</summary>
    public long Correct
    {
        get
        {
            long correct = 0;
            for (int i = 0; i < ClassCount; i++) correct += _counts[i, i];
            return correct;
        }
    }

    /// <summary>Correct / Total; NaN for an empty matrix.</summary>
    public double Accuracy => Total == 0 ? double.NaN : (double)Correct / Total;

    /// <summary>
    /// The accuracy within each true class (recall): diagonal / row sum. NaN for a class with no samples.
    /// </summary>
    public IReadOnlyList<double> PerClassAccuracy
    {
        get
        {
            var result = new double[ClassCount];
            for (int i = 0; i < ClassCount; i++)
            {
                long row = 0;
                for (int j = 0; j < ClassCount; j++) row += _counts[i, j];
                result[i] = row == 0 ? double.NaN : (double)_counts[i, i] / row;
            }

            return result;
        }
    }

    /// <summary>A copy of the counts, row = true class, column = predicted class.</summary>
    /// <returns>The counts.</returns>
    public long[,] ToArray() => (long[,])_counts.Clone();

    /// <inheritdoc />
    public override string ToString()
    {
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"true\\pred");
        for (int j = 0; j < ClassCount; j++) text.Append(CultureInfo.InvariantCulture, $"\t{j}");
        for (int i = 0; i < ClassCount; i++)
        {
            text.AppendLine().Append(CultureInfo.InvariantCulture, $"{i}");
            for (int j = 0; j < ClassCount; j++) text.Append(CultureInfo.InvariantCulture, $"\t{_counts[i, j]}");
        }

        return text.ToString();
    }
}
