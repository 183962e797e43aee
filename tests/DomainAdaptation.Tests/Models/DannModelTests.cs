using DomainAdaptation.Data;
using DomainAdaptation.Models;
using DomainAdaptation.Schedules;
using TorchSharp;
using static TorchSharp.torch;

namespace DomainAdaptation.Tests.Models;

public class DannModelTests
{
    [Fact]
    public void Forward_TrainAndEval_SameTypedResultWithSameShapes()
    {
        random.manual_seed(1);
        using DannModel model = DannPresets.MnistModern(SampleShape.Image(3, 32, 32)).Build();
        using var scope = NewDisposeScope();
        Tensor x = randn(4, 3, 32, 32);

        model.train();
        DannOutput training = model.forward(x);
        model.eval();
        DannOutput evaluation = model.forward(x);

        foreach (DannOutput output in new[] { training, evaluation })
        {
            output.Should().BeOfType<DannOutput>();
            output.ClassLogits.shape.Should().Equal(4, 10);
            output.DomainLogits.shape.Should().Equal(4, 1);
            output.Features.shape.Should().Equal(4, 1200);
        }
    }

    [Fact]
    public void Forward_Parts_AgreeWithFeaturesAndClassify()
    {
        random.manual_seed(1);
        using DannModel model = DannPresets.Mnist(SampleShape.Image(3, 28, 28)).Build();
        using var scope = NewDisposeScope();
        Tensor x = randn(3, 3, 28, 28);

        DannOutput output = model.forward(x);

        output.Features.Equals(model.Features(x)).Should().BeTrue();
        output.ClassLogits.Equals(model.Classify(x)).Should().BeTrue();
        // The reversal layer is the identity going forward.
        output.DomainLogits.Equals(model.DomainClassifier.call(output.Features)).Should().BeTrue();
    }

    [Fact]
    public void StateDict_Keys_StartWithThePartNames()
    {
        random.manual_seed(1);
        using DannModel model = DannPresets.MnistModern(SampleShape.Image(3, 28, 28)).Build();

        var keys = model.state_dict().Keys.ToList();
        keys.Should().OnlyContain(k => k.StartsWith("feature_extractor.", StringComparison.Ordinal)
                                       || k.StartsWith("label_classifier.", StringComparison.Ordinal)
                                       || k.StartsWith("domain_classifier.", StringComparison.Ordinal));
        keys.Should().Contain(k => k.StartsWith("feature_extractor.", StringComparison.Ordinal));
        keys.Should().Contain(k => k.StartsWith("label_classifier.", StringComparison.Ordinal));
        keys.Should().Contain(k => k.StartsWith("domain_classifier.", StringComparison.Ordinal));
    }

    [Fact]
    public void SetProgress_WithGaninSchedule_SetsLambdaOnTheReversalLayer()
    {
        random.manual_seed(1);
        ILambdaSchedule schedule = LambdaSchedules.Ganin();
        using DannModel model = DannPresets.Mlp(2).WithLambdaSchedule(schedule).Build();

        foreach (double p in new[] { 0.0, 0.1, 0.5, 1.0 })
        {
            double lambda = model.SetProgress(p);
            lambda.Should().Be(schedule.ValueAt(p));
            model.Lambda.Should().Be(lambda);
            model.GradientReversal.Lambda.Should().Be(lambda);
        }

        model.Lambda.Should().BeApproximately(0.9999092, 1e-7);
    }

    [Fact]
    public void SetProgress_WithoutSchedule_Throws()
    {
        random.manual_seed(1);
        using DannModel model = DannPresets.Mlp(2).Build();
        model.Invoking(m => m.SetProgress(0.5)).Should().Throw<InvalidOperationException>();
    }

    [Theory]
    [InlineData(0.7)]
    [InlineData(1.0)]
    [InlineData(2.5)]
    public void DomainLossGradient_AtFeatureExtractor_IsMinusLambdaTimesGradientWithoutReversal(double lambda)
    {
        // Reference: the same domain loss computed through the same parts but without the reversal layer,
        // i.e. L_d(G_d(G_f(x))). Through the model, only the gradient below the reversal layer changes: ×(−λ).
        random.manual_seed(1);
        using DannModel model = DannPresets.Mnist(SampleShape.Image(3, 28, 28)).WithDtype(ScalarType.Float64).Build();
        model.Lambda = lambda;
        using var scope = NewDisposeScope();
        var generator = new Generator(42);
        Tensor x = randn([6, 3, 28, 28], ScalarType.Float64, generator: generator);
        Tensor domains = tensor(new double[] { 0, 0, 0, 1, 1, 1 }).reshape(6, 1);

        model.zero_grad();
        nn.functional.binary_cross_entropy_with_logits(model.forward(x).DomainLogits, domains).backward();
        Dictionary<string, Tensor> reversed = Gradients(model);

        model.zero_grad();
        nn.functional.binary_cross_entropy_with_logits(model.DomainClassifier.call(model.FeatureExtractor.call(x)), domains).backward();
        Dictionary<string, Tensor> plain = Gradients(model);

        string[] featureKeys = reversed.Keys.Where(k => k.StartsWith("feature_extractor.", StringComparison.Ordinal)).ToArray();
        featureKeys.Should().HaveCount(4);
        foreach (string key in featureKeys)
        {
            plain[key].abs().max().item<double>().Should().BeGreaterThan(0, $"{key} gets a gradient from the domain loss");
            double error = (reversed[key] + (lambda * plain[key])).abs().max().item<double>();
            error.Should().BeLessThan(1e-12 * Math.Max(1.0, plain[key].abs().max().item<double>() * lambda), key);
        }

        foreach (string key in reversed.Keys.Where(k => k.StartsWith("domain_classifier.", StringComparison.Ordinal)))
        {
            reversed[key].Equals(plain[key]).Should().BeTrue($"{key} lies above the reversal layer");
        }

        reversed.Keys.Should().NotContain(k => k.StartsWith("label_classifier.", StringComparison.Ordinal), "the domain loss does not reach the label classifier");
    }

    [Fact]
    public void DomainLossGradient_LambdaZero_StopsAtTheReversalLayer()
    {
        random.manual_seed(1);
        using DannModel model = DannPresets.Mlp(2).WithDtype(ScalarType.Float64).WithInitialLambda(0.0).Build();
        using var scope = NewDisposeScope();
        Tensor x = randn([8, 2], ScalarType.Float64, generator: new Generator(3));
        Tensor domains = cat([zeros(4, 1, ScalarType.Float64), ones(4, 1, ScalarType.Float64)]);

        nn.functional.binary_cross_entropy_with_logits(model.forward(x).DomainLogits, domains).backward();
        Dictionary<string, Tensor> grads = Gradients(model);

        grads["feature_extractor.fc1.weight"].abs().max().item<double>().Should().Be(0.0);
        grads["domain_classifier.fc1.weight"].abs().max().item<double>().Should().BeGreaterThan(0.0);
    }

    private static Dictionary<string, Tensor> Gradients(DannModel model) =>
        model.named_parameters()
            .Where(p => p.parameter.grad is not null)
            .ToDictionary(p => p.name, p => p.parameter.grad!.clone());
}
