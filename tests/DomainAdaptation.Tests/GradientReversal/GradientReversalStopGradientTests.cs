using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace DomainAdaptation.Tests.GradientReversal;

/// <summary>Group 4 of issue 2 §3: λ = 0 stops the gradient upstream of the layer but not downstream of it.</summary>
public class GradientReversalStopGradientTests
{
    [Fact]
    public void Backward_LambdaZero_StopsGradientUpstreamButNotDownstream()
    {
        using var scope = NewDisposeScope();
        var gen = new Generator(40);
        var x = randn([6, 3], dtype: ScalarType.Float64, generator: gen).requires_grad_();
        var g = Init(nn.Linear(3, 4, dtype: ScalarType.Float64), gen);
        var h = Init(nn.Linear(4, 2, dtype: ScalarType.Float64), gen);

        h.forward(g.forward(x).tanh().ReverseGradient(0.0)).square().sum().backward();

        // Upstream: g's parameters and the input receive exactly zero.
        foreach (var p in g.parameters())
        {
            p.grad!.data<double>().ToArray().Should().OnlyContain(v => v == 0.0);
        }

        x.grad!.data<double>().ToArray().Should().OnlyContain(v => v == 0.0);

        // Downstream: h's parameters receive the ordinary gradient, the same as without the layer.
        double[][] withLayer = h.parameters().Select(p => p.grad!.data<double>().ToArray()).ToArray();
        h.zero_grad();
        h.forward(g.forward(x).tanh()).square().sum().backward();
        double[][] without = h.parameters().Select(p => p.grad!.data<double>().ToArray()).ToArray();

        withLayer.Should().HaveCount(2);
        for (int i = 0; i < withLayer.Length; i++)
        {
            withLayer[i].Should().Equal(without[i]);
            withLayer[i].Should().Contain(v => v != 0.0);
        }
    }

    [Fact]
    public void Backward_LambdaZeroOnDomainBranch_FeatureExtractorGetsOnlyTheLabelGradient()
    {
        // The DANN shape: features feed a label head directly and a domain head through the reversal layer.
        using var scope = NewDisposeScope();
        var gen = new Generator(41);
        var x = randn([6, 3], dtype: ScalarType.Float64, generator: gen);
        var features = Init(nn.Linear(3, 4, dtype: ScalarType.Float64), gen);
        var labelHead = Init(nn.Linear(4, 2, dtype: ScalarType.Float64), gen);
        var domainHead = Init(nn.Linear(4, 1, dtype: ScalarType.Float64), gen);

        var f = features.forward(x).relu();
        (labelHead.forward(f).square().sum() + domainHead.forward(f.ReverseGradient(0.0)).square().sum()).backward();
        double[][] both = features.parameters().Select(p => p.grad!.data<double>().ToArray()).ToArray();

        features.zero_grad();
        labelHead.forward(features.forward(x).relu()).square().sum().backward();
        double[][] labelOnly = features.parameters().Select(p => p.grad!.data<double>().ToArray()).ToArray();

        for (int i = 0; i < both.Length; i++)
        {
            both[i].Should().Equal(labelOnly[i]);
        }

        domainHead.weight!.grad!.data<double>().ToArray().Should().Contain(v => v != 0.0);
    }

    private static Linear Init(Linear layer, Generator gen)
    {
        using var noGrad = no_grad();
        foreach (var p in layer.parameters())
        {
            p.copy_(randn(p.shape, dtype: ScalarType.Float64, generator: gen));
        }

        return layer;
    }
}
