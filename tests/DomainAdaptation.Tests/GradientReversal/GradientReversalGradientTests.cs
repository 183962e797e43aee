using static TorchSharp.torch;

namespace DomainAdaptation.Tests.GradientReversal;

/// <summary>Group 2 of issue 2 §3: for y = Σ w ⊙ GRL(x), ∂y/∂x = −λ·w exactly.</summary>
public class GradientReversalGradientTests
{
    public static TheoryData<double, bool> Lambdas()
    {
        var data = new TheoryData<double, bool>();
        foreach (double lambda in new[] { 0.0, 0.3, 1.0, 2.5 })
        {
            data.Add(lambda, true);
            data.Add(lambda, false);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Lambdas))]
    public void Backward_Float32_GradientIsExactlyMinusLambdaTimesWeights(double lambda, bool viaModule)
    {
        using var scope = NewDisposeScope();
        var gen = new Generator(20260101);
        var x = randn([4, 6], dtype: ScalarType.Float32, generator: gen).requires_grad_();
        var w = randn([4, 6], dtype: ScalarType.Float32, generator: gen);

        Reverse(x, lambda, viaModule).mul(w).sum().backward();

        float[] weights = w.data<float>().ToArray();
        // Reference computed here in IEEE single precision, independently of torch: (−λ as float) · w_i.
        float minusLambda = (float)-lambda;
        float[] expected = weights.Select(wi => minusLambda * wi).ToArray();
        x.grad!.data<float>().ToArray().Should().Equal(expected);
    }

    [Theory]
    [MemberData(nameof(Lambdas))]
    public void Backward_Float64_GradientIsExactlyMinusLambdaTimesWeights(double lambda, bool viaModule)
    {
        using var scope = NewDisposeScope();
        var gen = new Generator(20260102);
        var x = randn([4, 6], dtype: ScalarType.Float64, generator: gen).requires_grad_();
        var w = randn([4, 6], dtype: ScalarType.Float64, generator: gen);

        Reverse(x, lambda, viaModule).mul(w).sum().backward();

        double[] expected = w.data<double>().ToArray().Select(wi => -lambda * wi).ToArray();
        x.grad!.data<double>().ToArray().Should().Equal(expected);
    }

    [Fact]
    public void Backward_LambdaChangedBetweenSteps_UsesTheLambdaOfEachForwardPass()
    {
        using var scope = NewDisposeScope();
        var x = ones(3, dtype: ScalarType.Float64).requires_grad_();
        using var grl = new DomainAdaptation.GradientReversal(lambda: 0.5);

        var first = grl.forward(x).sum();
        grl.Lambda = 2.0; // set between steps; the graph already recorded 0.5
        var second = grl.forward(x).sum();

        first.backward();
        x.grad!.data<double>().ToArray().Should().Equal(-0.5, -0.5, -0.5);
        x.grad.zero_();
        second.backward();
        x.grad.data<double>().ToArray().Should().Equal(-2.0, -2.0, -2.0);
    }

    private static Tensor Reverse(Tensor x, double lambda, bool viaModule)
    {
        if (!viaModule) return x.ReverseGradient(lambda);
        using var grl = new DomainAdaptation.GradientReversal(lambda);
        return grl.forward(x);
    }
}
