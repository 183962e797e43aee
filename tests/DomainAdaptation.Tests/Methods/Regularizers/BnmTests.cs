using DomainAdaptation.Methods.Regularizers;
using DomainAdaptation.Tests.TestSupport;
using TorchSharp;
using static DomainAdaptation.Tests.Methods.MethodTestSupport;
using static TorchSharp.torch;

namespace DomainAdaptation.Tests.Methods.Regularizers;

/// <summary>BNM (Cui et al. 2020): −‖softmax(z)‖_* / B against the nuclear norm from the eigenvalues of AᵀA.</summary>
[Collection(TorchSerial.Name)]
public class BnmTests
{
    /// <summary>‖A‖_* = Σ √λ(AᵀA), by another route than the singular values.</summary>
    private static Tensor Reference(Tensor z)
    {
        Tensor a = z.softmax(1);
        return linalg.eigvalsh(a.t().matmul(a)).clamp_min(0).sqrt().sum().div(a.shape[0]).neg();
    }

    [Fact]
    public void Loss_SmallBatch_EqualsTheEigenvalueNuclearNormInValueAndGradient()
    {
        using var scope = NewDisposeScope();
        Tensor z = Fixed(6, 3, 5, scale: 1.5);

        Bnm.Loss(z).ToDouble().Should().BeApproximately(Reference(z).ToDouble(), Tolerance);
        MaxDifference(Gradient(Bnm.Loss, z), Gradient(Reference, z)).Should().BeLessThan(Tolerance);
    }

    [Fact]
    public void Loss_Bounds_ConfidentBalancedAtTheMinimumUniformNearTheTop()
    {
        using var scope = NewDisposeScope();
        const int b = 8, k = 4;
        Tensor balanced = eye(k, dtype: ScalarType.Float64).repeat(2, 1).mul(300.0);
        Tensor uniform = zeros(b, k, ScalarType.Float64);

        Bnm.Loss(balanced).ToDouble().Should().BeApproximately(-Math.Sqrt(k / (double)b), 1e-10, "−√(min(B, K)/B): confident and balanced");
        Bnm.Loss(uniform).ToDouble().Should().BeApproximately(-1.0 / Math.Sqrt(b * k), 1e-12, "uniform predictions are rank one");
        Bnm.Loss(Fixed(b, k, 9, scale: 2)).ToDouble().Should().BeInRange(-Math.Sqrt(k / (double)b), -1.0 / Math.Sqrt(b * k));
    }
}
