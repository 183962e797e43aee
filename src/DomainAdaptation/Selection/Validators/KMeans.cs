using TorchSharp;
using static TorchSharp.torch;

namespace DomainAdaptation.Selection.Validators;

/// <summary>k-means with k-means++ initialisation (Arthur &amp; Vassilvitskii 2007) and Lloyd iterations, seeded.</summary>
internal static class KMeans
{
    /// <summary>Clusters the rows of <paramref name="x"/> into <paramref name="k"/> clusters; the best of <paramref name="restarts"/> runs by inertia.</summary>
    /// <returns>The cluster of each row and the inertia (sum of squared distances to the centres).</returns>
    public static (int[] Clusters, double Inertia) Cluster(Tensor x, int k, long seed, int restarts = 3, int maxIterations = 100, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentOutOfRangeException.ThrowIfLessThan(k, 1);
        long n = x.shape[0];
        if (n < k) throw new ArgumentException($"k-means needs at least k = {k} samples, but got {n}.", nameof(x));
        using var scope = NewDisposeScope();
        using var generator = new Generator((ulong)seed, CPU);
        Tensor data = x.to_type(ScalarType.Float64);
        Tensor norms = data.pow(2).sum(1, keepdim: true);
        (int[] Clusters, double Inertia)? best = null;
        for (int r = 0; r < restarts; r++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            Tensor centres = PlusPlus(data, norms, k, generator);
            Tensor? assignment = null;
            for (int iteration = 0; iteration < maxIterations; iteration++)
            {
                using var step = NewDisposeScope();
                Tensor next = Distances(data, norms, centres).argmin(1);
                bool converged = assignment is not null && next.eq(assignment!).all().ToBoolean();
                assignment = next.MoveToOuterDisposeScope();
                if (converged) break;
                Tensor sums = zeros([k, data.shape[1]], ScalarType.Float64).index_add(0, assignment, data, 1.0);
                Tensor counts = zeros(k, ScalarType.Float64).index_add(0, assignment, ones(n, ScalarType.Float64), 1.0);
                // An empty cluster keeps its centre.
                Tensor updated = sums.div(counts.clamp_min(1).unsqueeze(1));
                centres = where(counts.gt(0).unsqueeze(1), updated, centres).MoveToOuterDisposeScope();
            }

            Tensor d = Distances(data, norms, centres);
            double inertia = d.gather(1, assignment!.unsqueeze(1)).sum().ToDouble();
            if (best is null || inertia < best.Value.Inertia)
            {
                best = ([.. assignment.data<long>().Select(v => (int)v)], inertia);
            }
        }

        return best!.Value;
    }

    private static Tensor Distances(Tensor data, Tensor norms, Tensor centres) =>
        (norms + centres.pow(2).sum(1).unsqueeze(0) - data.matmul(centres.t()).mul(2.0)).clamp_min(0.0);

    private static Tensor PlusPlus(Tensor data, Tensor norms, int k, Generator generator)
    {
        long n = data.shape[0];
        var chosen = new List<long> { randint(0, n, [1], ScalarType.Int64, generator: generator).ToInt64() };
        Tensor nearest = Distances(data, norms, data[chosen[0]].unsqueeze(0)).squeeze(1);
        while (chosen.Count < k)
        {
            double total = nearest.sum().ToDouble();
            long next;
            if (total <= 0)
            {
                next = randint(0, n, [1], ScalarType.Int64, generator: generator).ToInt64();
            }
            else
            {
                double u = rand([1], ScalarType.Float64, generator: generator).ToDouble() * total;
                Tensor cumulative = nearest.cumsum(0);
                next = Math.Min(n - 1, cumulative.lt(u).sum().ToInt64());
            }

            chosen.Add(next);
            nearest = minimum(nearest, Distances(data, norms, data[next].unsqueeze(0)).squeeze(1));
        }

        return data.index_select(0, tensor(chosen.ToArray(), ScalarType.Int64)).clone();
    }
}
