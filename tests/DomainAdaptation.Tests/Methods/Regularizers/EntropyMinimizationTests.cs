using DomainAdaptation.Methods.Regularizers;
using DomainAdaptation.Tests.TestSupport;
using TorchSharp;
using static DomainAdaptation.Tests.Methods.MethodTestSupport;
using static TorchSharp.torch;

namespace DomainAdaptation.Tests.Methods.Regularizers;

/// <summary>Entropy minimisation: mean −Σ p ln p, against the softmax written out.</summary>
[Collection(TorchSerial.Name)]
public class EntropyMinimizationTests
{
    private static Tensor Reference(Tensor z)
    {
        Tensor total = Scalar(0);
        for (int i = 0; i < z.shape[0]; i++)
        {
            Tensor e = z[i].exp();
            Tensor p = e.div(e.sum());
            total = total - p.mul(p.log()).sum();
        }

        return total.div(z.shape[0]);
    }

    [Fact]
    public void Loss_SmallBatch_EqualsWrittenOutEntropyInValueAndGradient()
    {
        using var scope = NewDisposeScope();
        Tensor z = Fixed(5, 4, 21);

        EntropyMinimization.Loss(z).ToDouble().Should().BeApproximately(Reference(z).ToDouble(), Tolerance);
        MaxDifference(Gradient(EntropyMinimization.Loss, z), Gradient(Reference, z)).Should().BeLessThan(Tolerance);
    }

    [Fact]
    public void Loss_Bounds_ZeroWhenCertainLnKWhenUniform()
    {
        using var scope = NewDisposeScope();
        EntropyMinimization.Loss(zeros(3, 5, ScalarType.Float64)).ToDouble().Should().BeApproximately(Math.Log(5), 1e-12);
        EntropyMinimization.Loss(eye(3, dtype: ScalarType.Float64).mul(800.0)).ToDouble().Should().BeApproximately(0, 1e-12);
    }
}
