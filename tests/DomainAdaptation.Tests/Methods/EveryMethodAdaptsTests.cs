using System.Globalization;
using DomainAdaptation.Methods;
using DomainAdaptation.Models;
using DomainAdaptation.Tests.TestSupport;
using DomainAdaptation.Training;
using TorchSharp;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace DomainAdaptation.Tests.Methods;

/// <summary>
/// Every catalogued adaptation method, trained on a small synthetic shift — the rotated two moons (Ganin et al., JMLR
/// 2016, §5.1: target rotated by 35°), or stretched blobs for CORAL — with one recipe and one seed, must end with a higher
/// target accuracy than source-only training by a margin. The figures are printed (dotnet test --logger "console;verbosity=detailed").
/// </summary>
[Collection(TorchSerial.Name)]
public class EveryMethodAdaptsTests(ITestOutputHelper output)
{
    private const long Steps = 600;
    private const double Margin = 0.03;

    /// <summary>Source-only's target accuracy per problem, computed once (it is deterministic).</summary>
    private static readonly Dictionary<string, double> SourceOnly = [];

    /// <summary>The toy network: 2 → 32 → ReLU → 32 → ReLU (features) → 2 classes, seeded.</summary>
    private static AdaptationModel Network(long seed)
    {
        random.manual_seed(seed);
        var model = new AdaptationModel(nn.Sequential(nn.Linear(2, 32), nn.ReLU(), nn.Linear(32, 32), nn.ReLU()), nn.Linear(32, 2));
        return model;
    }

    /// <summary>
    /// Two Gaussian classes at (−1, −1) and (1, 1), σ = 0.4; in the target the first coordinate is stretched and moved,
    /// x₁ ← 3x₁ − 4, so that it misleads a source classifier while the second coordinate still separates the classes.
    /// </summary>
    internal static DomainAdaptation.Data.DomainDataset StretchedBlobs(int perClass, int seed)
    {
        var random = new Random(seed);
        (Tensor X, Tensor Y) Draw(bool target)
        {
            var x = new double[perClass * 2 * 2];
            var y = new long[perClass * 2];
            for (int i = 0; i < perClass * 2; i++)
            {
                int k = i % 2;
                double c = k == 0 ? -1 : 1;
                double x1 = c + (SyntheticData.Gaussian(random) * 0.4), x2 = c + (SyntheticData.Gaussian(random) * 0.4);
                x[2 * i] = target ? (3 * x1) - 4 : x1;
                x[(2 * i) + 1] = x2;
                y[i] = k;
            }

            return (tensor(x, [perClass * 2, 2], ScalarType.Float32), tensor(y));
        }

        (Tensor xs, Tensor ys) = Draw(false);
        (Tensor xt, Tensor yt) = Draw(true);
        return new DomainAdaptation.Data.DomainDataset("stretched blobs", new DomainAdaptation.Data.SampleSet("source", xs, ys, 2), new DomainAdaptation.Data.SampleSet("target", xt, yt, 2));
    }

    private double TargetAccuracy(string specification, string problem = "moons")
    {
        using var train = problem == "moons" ? TwoMoons.Problem(perClass: 150, degrees: 35, sourceSeed: 1, targetSeed: 2) : StretchedBlobs(150, 1);
        using var test = problem == "moons" ? TwoMoons.Problem(perClass: 300, degrees: 35, sourceSeed: 3, targetSeed: 4) : StretchedBlobs(300, 2);
        AdaptationModel model = Network(7);
        using AdaptationMethod method = MethodCatalog.Create(specification, new MethodRequest { CreateModel = () => Network(8) });
        var options = new AdaptationTrainerOptions
        {
            Steps = Steps,
            BatchSizePerDomain = 32,
            Seed = 42,
            Optimizer = { Kind = OptimizerKind.Adam, LearningRate = 0.005, LearningRateSchedule = DomainAdaptation.Schedules.LearningRateSchedules.Constant() },
            Monitoring = { LogInterval = 0 },
        };
        using var trainer = new AdaptationTrainer(model, train, method, options, evaluationData: test);
        return trainer.Train().FinalEvaluation.TargetAccuracy!.Value;
    }

    /// <summary>
    /// Every adaptation method of the catalogue with the toy problem it is scored on. Defaults unless stated: the
    /// regularizers' weights and steps are set for this toy (their defaults are for deep image networks, whose losses and
    /// feature norms are on other scales); CORAL, which aligns second moments only, is scored on a shift of the
    /// covariance (stretched blobs), since on rotated moons aligning covariances does not help (0.67 against 0.74).
    /// </summary>
    public static TheoryData<string, string> Methods() => new()
    {
        { "dann", "moons" },
        { "cdan", "moons" },
        { "cdan-e", "moons" },
        { "mdd", "moons" },
        { "dan", "moons" },
        { "jan", "moons" },
        { "mcd", "moons" },
        { "mean-teacher", "moons" },
        { "entropy:weight=1", "moons" },
        { "mcc:weight=3", "moons" },
        { "bnm:weight=10", "moons" },
        { "afn:step=0.1", "moons" },
        { "hafn:radius=10", "moons" },
        { "fixmatch:threshold=0.9,weight=3", "moons" },
        { "coral", "stretched blobs" },
    };

    [Fact]
    public void Methods_CoverEveryAdaptationMethodOfTheCatalogue() =>
        Methods().Select(row => MethodCatalog.Find(((string)row[0]).Split(':')[0]).Name).Should()
            .BeEquivalentTo(MethodCatalog.All.Select(m => m.Name).Where(n => n is not ("source-only" or "target-only")));

    [Theory]
    [MemberData(nameof(Methods))]
    public void Train_SyntheticShift_MethodBeatsSourceOnlyOnTheTarget(string specification, string problem)
    {
        double sourceOnly;
        lock (SourceOnly)
        {
            if (!SourceOnly.TryGetValue(problem, out sourceOnly)) SourceOnly[problem] = sourceOnly = TargetAccuracy("source-only", problem);
        }

        double adapted = TargetAccuracy(specification, problem);
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{specification} on {problem}: target accuracy {adapted:F4} against source-only {sourceOnly:F4}"));

        adapted.Should().BeGreaterThan(sourceOnly + Margin, $"{specification} must lift the target accuracy above source-only's {sourceOnly:F4} by {Margin}");
    }
}
