using DomainAdaptation.Data;
using DomainAdaptation.Data.Batching;
using DomainAdaptation.Evaluation;
using DomainAdaptation.Models;
using DomainAdaptation.Tests.TestSupport;
using TorchSharp;
using static TorchSharp.torch;

namespace DomainAdaptation.Tests.Evaluation;

[Collection(TorchSerial.Name)]
public class EvaluatorTests
{
    /// <summary>
    /// A model with known weights: features = x (2-d), class logits = x (predicts the larger coordinate); and a method's
    /// domain classifier with logit x0 + x1 (target when positive). Every figure can then be computed by hand.
    /// </summary>
    private static AdaptationModel KnownModel()
    {
        var label = nn.Linear(2, 2);
        using (no_grad())
        {
            label.weight!.copy_(eye(2));
            label.bias!.zero_();
        }

        var model = new AdaptationModel(nn.Identity(), label);
        model.to(ScalarType.Float64);
        return model;
    }

    private static IDomainDiscriminator KnownDiscriminator()
    {
        var domain = nn.Linear(2, 1);
        using (no_grad())
        {
            domain.weight!.copy_(ones(1, 2));
            domain.bias!.zero_();
        }

        domain.to(ScalarType.Float64);
        return new Discriminator(domain);
    }

    private sealed class Discriminator(nn.Module<Tensor, Tensor> head) : IDomainDiscriminator
    {
        public Tensor DomainLogits(Tensor features, Tensor classLogits) => head.call(features);
    }

    private static readonly double[,] SourcePoints = { { 2, 1 }, { 0, 3 }, { 1, 2 }, { -1, -2 }, { 5, -1 } };
    private static readonly long[] SourceLabels = [0, 1, 0, 1, 0];
    private static readonly double[,] TargetPoints = { { 1, 4 }, { 3, 2 }, { -2, -1 } };
    private static readonly long[] TargetLabels = [1, 1, 0];

    private static DomainDataset Data() => new(
        "known",
        new SampleSet("s", tensor(SourcePoints), tensor(SourceLabels), 2),
        new SampleSet("t", tensor(TargetPoints), tensor(TargetLabels), 2));

    [Fact]
    public void Evaluate_KnownModel_AccuracyConfusionEntropyAndDomainAccuracyComputedByHand()
    {
        using var data = Data();
        using var converter = new SampleConverter(ScalarType.Float64, CPU);
        // Batches of 2 so the 5 and 3 samples span several batches.
        var evaluator = new Evaluator(converter, batchSize: 2);

        EvaluationMetrics m = evaluator.Evaluate(KnownModel(), data, step: 17, discriminator: KnownDiscriminator());

        // Source predictions (argmax x): 0, 1, 1, 0, 0 against 0, 1, 0, 1, 0 → 3/5; domain (x0 + x1 > 0 → target):
        // sums 3, 3, 3, −3, 4 → predicted target, target, target, source, target → 1/5 right as source.
        m.Step.Should().Be(17);
        m.SourceAccuracy.Should().Be(0.6);
        m.Source.Confusion!.ToArray().Should().BeEquivalentTo(new long[,] { { 2, 1 }, { 1, 1 } });
        m.Source.DomainClassifierAccuracy.Should().Be(0.2);
        // Target predictions: 1, 0, 1 against 1, 1, 0 → 1/3; domain sums 5, 5, −3 → 2/3 right as target.
        m.TargetAccuracy.Should().BeApproximately(1.0 / 3.0, 1e-15);
        m.Target.DomainClassifierAccuracy.Should().BeApproximately(2.0 / 3.0, 1e-15);
        m.DomainClassifierAccuracy.Should().BeApproximately((0.2 + (2.0 / 3.0)) / 2, 1e-15);
        m.Source.SampleCount.Should().Be(5);
        m.Target.SampleCount.Should().Be(3);
        m.TargetPredictionEntropy.Should().BeApproximately(MeanEntropy(TargetPoints), 1e-12);
        m.Source.MeanPredictionEntropy.Should().BeApproximately(MeanEntropy(SourcePoints), 1e-12);
    }

    [Fact]
    public void EvaluateDomain_MaxSamples_UsesOnlyTheFirstSamples()
    {
        using var data = Data();
        using var converter = new SampleConverter(ScalarType.Float64, CPU);

        DomainEvaluation e = new Evaluator(converter, 2).EvaluateDomain(KnownModel(), data.Source, data.Source.Labels, DomainRole.Source, 2, maxSamples: 2);

        e.SampleCount.Should().Be(2);
        e.Accuracy.Should().Be(1.0);
        e.Confusion!.Total.Should().Be(2);
    }

    [Fact]
    public void EvaluateDomain_NoLabels_ReportsLabelFreeFiguresOnly()
    {
        using var data = Data();
        using var converter = new SampleConverter(ScalarType.Float64, CPU);

        DomainEvaluation e = new Evaluator(converter).EvaluateDomain(KnownModel(), data.Target, labels: null, DomainRole.Target);

        e.Accuracy.Should().BeNull();
        e.Confusion.Should().BeNull();
        e.MeanPredictionEntropy.Should().BeApproximately(MeanEntropy(TargetPoints), 1e-12);
        e.DomainClassifierAccuracy.Should().BeNull("no domain classifier was given");
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Evaluate_RestoresTheModelsModeAndRecordsNoGradient(bool training)
    {
        using var data = Data();
        using var converter = new SampleConverter(ScalarType.Float64, CPU);
        var model = TestModels.Mlp(2, 3, 2, seed: 1, dropout: true, batchNorm: true, dtype: ScalarType.Float64).Model;
        model.train(training);
        var before = TestModels.Snapshot(model);

        new Evaluator(converter, 2).Evaluate(model, data);

        model.training.Should().Be(training);
        model.parameters().Select(p => p.grad).Should().OnlyContain(g => ReferenceEquals(g, null));
        TestModels.BitwiseEqual(before, TestModels.Snapshot(model), out string difference).Should().BeTrue($"evaluation must not change '{difference}' (batch-norm running statistics included)");
    }

    [Fact]
    public void Evaluate_Cancelled_Throws()
    {
        using var data = Data();
        using var converter = new SampleConverter(ScalarType.Float64, CPU);

        FluentActions.Invoking(() => new Evaluator(converter).Evaluate(KnownModel(), data, cancellationToken: new CancellationToken(true)))
            .Should().Throw<OperationCanceledException>();
    }

    private static double MeanEntropy(double[,] points)
    {
        double sum = 0;
        for (int i = 0; i < points.GetLength(0); i++)
        {
            double a = points[i, 0], b = points[i, 1];
            double pa = 1 / (1 + Math.Exp(b - a)), pb = 1 - pa;
            sum -= (pa * Math.Log(pa)) + (pb * Math.Log(pb));
        }

        return sum / points.GetLength(0);
    }

    [Fact]
    public void PredictLabels_KnownModel_ArgMaxOfClassLogitsAcrossBatches()
    {
        using var data = Data();
        using var converter = new SampleConverter(ScalarType.Float64, CPU);
        var evaluator = new Evaluator(converter, batchSize: 2);
        AdaptationModel model = KnownModel();
        model.train();

        using Tensor predicted = evaluator.PredictLabels(model, data.Source);

        // argmax of (x0, x1), ties to the first: (2,1) → 0, (0,3) → 1, (1,2) → 1, (−1,−2) → 0, (5,−1) → 0.
        predicted.dtype.Should().Be(ScalarType.Int64);
        predicted.data<long>().ToArray().Should().Equal(0, 1, 1, 0, 0);
        model.training.Should().BeTrue("the model's mode is restored");
    }
}
