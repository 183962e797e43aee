using System.Diagnostics;
using System.Globalization;
using DomainAdaptation.Methods;
using DomainAdaptation.Methods.Adversarial;
using DomainAdaptation.Methods.Supervised;
using DomainAdaptation.Models;
using DomainAdaptation.Tests.TestSupport;
using DomainAdaptation.Training;
using TorchSharp;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace DomainAdaptation.Tests.Training;

/// <summary>
/// The toy experiment of Ganin et al. (JMLR 2016, §5.1): inter-twinning moons as source, an independent draw rotated by
/// 35° as target, a shallow network with 15 sigmoid hidden units. DANN must beat source-only on the target.
/// </summary>
[Collection(TorchSerial.Name)]
public class TwoMoonsTests(ITestOutputHelper output)
{
    [Fact]
    public void Train_RotatedMoons_DannBeatsSourceOnlyOnTargetByTenPoints()
    {
        var clock = Stopwatch.StartNew();
        EvaluationFigures sourceOnly = Run(dann: false);
        EvaluationFigures dann = Run(dann: true);

        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"source only: source acc {sourceOnly.Source:F3}, target acc {sourceOnly.Target:F3}, domain-classifier acc {sourceOnly.Domain:F3}"));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"DANN:        source acc {dann.Source:F3}, target acc {dann.Target:F3}, domain-classifier acc {dann.Domain:F3}"));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"both runs: {clock.Elapsed.TotalSeconds:F1} s"));

        sourceOnly.Source.Should().BeGreaterThan(0.95, "the source task itself must be learnt");
        dann.Source.Should().BeGreaterThan(0.95, "adaptation must not give up the source task");
        dann.Target.Should().BeGreaterThanOrEqualTo(sourceOnly.Target + 0.10, "DANN's target accuracy beats source-only's by at least 10 points");
    }

    private static EvaluationFigures Run(bool dann)
    {
        // 150 points per class per domain, noise 0.05, target rotated 35°: the authors' make_trans_moons(35, nb=150)
        // draws 150 points in all; held-out figures come from a separate, larger draw.
        using var train = TwoMoons.Problem(perClass: 150, degrees: 35, sourceSeed: 1, targetSeed: 2);
        using var test = TwoMoons.Problem(perClass: 300, degrees: 35, sourceSeed: 3, targetSeed: 4);
        random.manual_seed(42);
        var model = new AdaptationModel(nn.Sequential(nn.Linear(2, 15), nn.Sigmoid()), nn.Linear(15, 2));
        nn.Module<Tensor, Tensor> domainHead = nn.Sequential(nn.Linear(15, 15), nn.ReLU(), nn.Linear(15, 1));
        AdaptationTrainerOptions options = TwoMoons.Recipe(steps: 1500);
        AdaptationMethod method = dann ? new Dann(domainHead, TwoMoons.DannLambda) : new SourceOnly();
        using var trainer = new AdaptationTrainer(model, train, method, options, evaluationData: test);
        var result = trainer.Train().FinalEvaluation;
        return new EvaluationFigures(result.SourceAccuracy!.Value, result.TargetAccuracy!.Value, result.DomainClassifierAccuracy);
    }

    private sealed record EvaluationFigures(double Source, double Target, double? Domain);
}
