using DomainAdaptation.Data;
using static TorchSharp.torch;

namespace DomainAdaptation.Tests.TestSupport;

/// <summary>Synthetic domain adaptation problems.</summary>
internal static class SyntheticData
{
    /// <summary>
    /// Gaussian blobs: class k centred at a fixed point, target shifted by <paramref name="shift"/>; float64 or float32
    /// feature vectors [N, features]. Target labels are kept for evaluation.
    /// </summary>
    public static DomainDataset Blobs(int sourceCount, int targetCount, int features, int classes, long seed, double shift = 0.5, ScalarType dtype = ScalarType.Float64)
    {
        var random = new Random((int)seed);
        (Tensor x, Tensor y) Draw(int n, double offset)
        {
            var data = new double[n * features];
            var labels = new long[n];
            for (int i = 0; i < n; i++)
            {
                int k = i % classes;
                labels[i] = k;
                for (int f = 0; f < features; f++)
                {
                    double centre = Math.Cos((k + 1) * (f + 1)) * 2.0;
                    data[(i * features) + f] = centre + offset + Gaussian(random) * 0.5;
                }
            }

            return (tensor(data, [n, features], ScalarType.Float64).to_type(dtype), tensor(labels, ScalarType.Int64));
        }

        (Tensor xs, Tensor ys) = Draw(sourceCount, 0.0);
        (Tensor xt, Tensor yt) = Draw(targetCount, shift);
        return new DomainDataset("blobs", new SampleSet("blobs source", xs, ys, classes), new SampleSet("blobs target", xt, yt, classes));
    }

    /// <summary>A standard normal draw (Box–Muller).</summary>
    public static double Gaussian(Random random)
    {
        double u1 = 1.0 - random.NextDouble();
        double u2 = random.NextDouble();
        return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2);
    }
}
