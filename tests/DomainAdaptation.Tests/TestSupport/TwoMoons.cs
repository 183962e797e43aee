using DomainAdaptation.Data;
using DomainAdaptation.Schedules;
using DomainAdaptation.Training;
using static TorchSharp.torch;

namespace DomainAdaptation.Tests.TestSupport;

/// <summary>
/// The inter-twinning moons of the DANN toy experiment (Ganin et al., JMLR 2016, §5.1), generated like scikit-learn's
/// <c>make_moons</c> (two half circles, Gaussian noise) and transformed like the authors' <c>make_trans_moons</c>:
/// centred on the source mean, scaled by 2, and the target rotated by the given angle about that centre.
/// </summary>
internal static class TwoMoons
{
    /// <summary>Draws <paramref name="perClass"/> points per class: outer moon class 0, inner moon class 1, shuffled.</summary>
    public static (double[,] X, long[] Y) MakeMoons(int perClass, double noise, int seed)
    {
        var random = new Random(seed);
        int n = 2 * perClass;
        var x = new double[n, 2];
        var y = new long[n];
        for (int i = 0; i < perClass; i++)
        {
            double t = Math.PI * i / (perClass - 1);
            x[i, 0] = Math.Cos(t);
            x[i, 1] = Math.Sin(t);
            y[i] = 0;
            x[perClass + i, 0] = 1 - Math.Cos(t);
            x[perClass + i, 1] = 1 - Math.Sin(t) - 0.5;
            y[perClass + i] = 1;
        }

        for (int i = n - 1; i > 0; i--)
        {
            int j = random.Next(i + 1);
            (x[i, 0], x[j, 0]) = (x[j, 0], x[i, 0]);
            (x[i, 1], x[j, 1]) = (x[j, 1], x[i, 1]);
            (y[i], y[j]) = (y[j], y[i]);
        }

        for (int i = 0; i < n; i++)
        {
            x[i, 0] += noise * SyntheticData.Gaussian(random);
            x[i, 1] += noise * SyntheticData.Gaussian(random);
        }

        return (x, y);
    }

    /// <summary>
    /// Source moons and target moons (an independent draw) rotated by <paramref name="degrees"/> counter-clockwise
    /// about the source mean, after centring both on the source mean and scaling by 2. Float32 feature vectors [N, 2].
    /// </summary>
    public static DomainDataset Problem(int perClass, double degrees, int sourceSeed, int targetSeed, double noise = 0.05)
    {
        (double[,] xs, long[] ys) = MakeMoons(perClass, noise, sourceSeed);
        (double[,] xt, long[] yt) = MakeMoons(perClass, noise, targetSeed);
        int n = ys.Length;
        double mx = 0, my = 0;
        for (int i = 0; i < n; i++)
        {
            mx += xs[i, 0];
            my += xs[i, 1];
        }

        mx /= n;
        my /= n;
        double angle = degrees * Math.PI / 180.0;
        double c = Math.Cos(angle), s = Math.Sin(angle);
        var source = new float[n * 2];
        var target = new float[n * 2];
        for (int i = 0; i < n; i++)
        {
            source[2 * i] = (float)(2 * (xs[i, 0] - mx));
            source[(2 * i) + 1] = (float)(2 * (xs[i, 1] - my));
            double tx = 2 * (xt[i, 0] - mx), ty = 2 * (xt[i, 1] - my);
            target[2 * i] = (float)((c * tx) - (s * ty));
            target[(2 * i) + 1] = (float)((s * tx) + (c * ty));
        }

        return new DomainDataset(
            $"moons → moons rotated {degrees}°",
            new SampleSet("moons", tensor(source, [n, 2]), tensor(ys), 2),
            new SampleSet($"moons rotated {degrees}°", tensor(target, [n, 2]), tensor(yt), 2));
    }

    /// <summary>
    /// The toy experiment's recipe: SGD (lr 0.1, momentum 0.9, constant), 32 + 32 points per step, seed 42, no logging;
    /// DANN with the Ganin λ ramp to 3 (<see cref="DannLambda"/>).
    /// </summary>
    public static AdaptationTrainerOptions Recipe(long steps) => new()
    {
        Steps = steps,
        BatchSizePerDomain = 32,
        Seed = 42,
        Optimizer = { Kind = OptimizerKind.Sgd, LearningRate = 0.1, Momentum = 0.9, LearningRateSchedule = LearningRateSchedules.Constant() },
        Monitoring = { LogInterval = 0 },
    };

    /// <summary>The toy experiment's λ: the Ganin ramp to 3.</summary>
    public static ILambdaSchedule DannLambda => LambdaSchedules.Ganin(gamma: 10, max: 3);
}
