using static TorchSharp.torch;

namespace DomainAdaptation.Tests.GradientReversal;

/// <summary>Group 5 of issue 2 §3: two reversal layers with different λ in one graph each apply their own λ.</summary>
public class GradientReversalCompositionTests
{
    [Fact]
    public void Backward_TwoParallelLayers_EachAppliesItsOwnLambda()
    {
        using var scope = NewDisposeScope();
        var gen = new Generator(50);
        var x = randn([3, 5], dtype: ScalarType.Float64, generator: gen).requires_grad_();
        var w1 = randn([3, 5], dtype: ScalarType.Float64, generator: gen);
        var w2 = randn([3, 5], dtype: ScalarType.Float64, generator: gen);
        using var first = new DomainAdaptation.GradientReversal(lambda: 0.3);

        // One layer through the module, one through the extension: both share TorchSharp's single function instance.
        (first.forward(x).mul(w1).sum() + x.ReverseGradient(2.5).mul(w2).sum()).backward();

        double[] a = w1.data<double>().ToArray();
        double[] b = w2.data<double>().ToArray();
        double[] expected = a.Select((_, i) => (-0.3 * a[i]) + (-2.5 * b[i])).ToArray();
        x.grad!.data<double>().ToArray().Should().Equal(expected);
    }

    [Fact]
    public void Backward_TwoChainedLayers_MultiplyTheirFactors()
    {
        using var scope = NewDisposeScope();
        var gen = new Generator(51);
        var x = randn([4], dtype: ScalarType.Float64, generator: gen).requires_grad_();
        var w = randn([4], dtype: ScalarType.Float64, generator: gen);

        // Inner λ = 0.5, outer λ = 4: the gradient is w · (−4) · (−0.5) = 2w (two reversals cancel the sign).
        x.ReverseGradient(0.5).ReverseGradient(4.0).mul(w).sum().backward();

        double[] expected = w.data<double>().ToArray().Select(v => v * -4.0 * -0.5).ToArray();
        x.grad!.data<double>().ToArray().Should().Equal(expected);
    }
}
