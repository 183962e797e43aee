using DomainAdaptation.Data.Batching;
using DomainAdaptation.Tests.TestSupport;
using DomainAdaptation.Training;
using TorchSharp;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace DomainAdaptation.Tests.Training;

[Collection(TorchSerial.Name)]
public class DannAlgorithmTests
{
    [Theory]
    [InlineData(0.7, BatchNormMode.Joint)]
    [InlineData(2.5, BatchNormMode.Separate)]
    public void ComputeLosses_DomainLossGradientAtFeatureExtractor_IsMinusLambdaTimesUnreversed(double lambda, BatchNormMode mode)
    {
        using var data = SyntheticData.Blobs(32, 32, features: 3, classes: 3, seed: 5);
        var model = TestModels.Mlp(3, 6, 3, seed: 11, dtype: ScalarType.Float64);
        using var converter = new SampleConverter(ScalarType.Float64, CPU);
        var assembler = new BatchAssembler(data, converter);
        using var scope = NewDisposeScope();
        var batch = assembler.Assemble(new DomainBatchSampler(32, 32, 8, seed: 3).IndicesAt(0));
        var algorithm = new DannAlgorithm(TrainingMode.Dann, DomainLossKind.BinaryCrossEntropyWithLogits, mode, domainLossWeight: 1.0);

        // With the reversal layer: only the domain loss back-propagated.
        model.zero_grad();
        algorithm.ComputeLosses(model, batch, lambda).DomainLoss!.backward();
        var reversed = Grads(model);

        // The same loss without the reversal layer: domain head applied to the features directly.
        model.zero_grad();
        var x = cat([batch.SourceImages, batch.TargetImages], 0);
        var logits = model.DomainClassifier.call(model.Features(x)).reshape(-1);
        var domains = cat([zeros(8, ScalarType.Float64), ones(8, ScalarType.Float64)], 0);
        F.binary_cross_entropy_with_logits(logits, domains).backward();
        var plain = Grads(model);

        foreach (string name in reversed.Keys.Where(k => k.StartsWith("feature_extractor.", StringComparison.Ordinal)))
        {
            plain[name].abs().max().ToDouble().Should().BeGreaterThan(1e-6, $"{name} must receive a gradient from the domain loss");
            reversed[name].allclose(plain[name] * -lambda, rtol: 1e-12, atol: 1e-15).Should().BeTrue($"{name}: the reversal layer multiplies the gradient by −λ");
        }

        foreach (string name in reversed.Keys.Where(k => k.StartsWith("domain_classifier.", StringComparison.Ordinal)))
        {
            reversed[name].allclose(plain[name], rtol: 1e-12, atol: 1e-15).Should().BeTrue($"{name}: the domain classifier itself is trained without reversal");
        }
    }

    [Fact]
    public void ComputeLosses_CrossEntropyDomainLossWithOneLogit_ThrowsNamingTheOption()
    {
        using var data = SyntheticData.Blobs(16, 16, features: 3, classes: 2, seed: 5);
        var model = TestModels.Mlp(3, 4, 2, seed: 1, domainOutputs: 1, dtype: ScalarType.Float64);
        using var converter = new SampleConverter(ScalarType.Float64, CPU);
        using var scope = NewDisposeScope();
        var batch = new BatchAssembler(data, converter).Assemble(new DomainBatchSampler(16, 16, 4, 0).IndicesAt(0));
        var algorithm = new DannAlgorithm(TrainingMode.Dann, DomainLossKind.CrossEntropy, BatchNormMode.Joint, 1.0);

        var act = () => algorithm.ComputeLosses(model, batch, 1.0);

        act.Should().Throw<InvalidOperationException>().WithMessage("*DomainLoss = CrossEntropy needs a domain classifier with two outputs*[8, 1]*");
    }

    [Fact]
    public void ComputeLosses_SourceOnly_HasNoDomainLossAndTrainsOnSourceLabels()
    {
        using var data = SyntheticData.Blobs(16, 16, features: 3, classes: 2, seed: 5);
        var model = TestModels.Mlp(3, 4, 2, seed: 1, dtype: ScalarType.Float64);
        using var converter = new SampleConverter(ScalarType.Float64, CPU);
        using var scope = NewDisposeScope();
        var batch = new BatchAssembler(data, converter).Assemble(new DomainBatchSampler(16, 16, 4, 0).IndicesAt(0));

        var losses = new DannAlgorithm(TrainingMode.SourceOnly, DomainLossKind.BinaryCrossEntropyWithLogits, BatchNormMode.Joint, 1.0).ComputeLosses(model, batch, 1.0);

        losses.DomainLoss.Should().BeNull();
        losses.DomainAccuracy.Should().BeNull();
        var expected = F.cross_entropy(model.Classify(batch.SourceImages), batch.SourceLabels).ToDouble();
        losses.LabelLoss.ToDouble().Should().Be(expected);
        losses.Total.ToDouble().Should().Be(expected);
    }

    private static Dictionary<string, Tensor> Grads(nn.Module model) =>
        model.named_parameters().Where(p => p.parameter.grad is not null).ToDictionary(p => p.name, p => p.parameter.grad!.clone());
}
