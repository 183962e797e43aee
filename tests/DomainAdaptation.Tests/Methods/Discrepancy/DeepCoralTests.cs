using DomainAdaptation.Methods.Discrepancy;
using DomainAdaptation.Tests.TestSupport;
using TorchSharp;
using static DomainAdaptation.Tests.Methods.MethodTestSupport;
using static TorchSharp.torch;

namespace DomainAdaptation.Tests.Methods.Discrepancy;

/// <summary>Deep CORAL's ‖C_s − C_t‖²_F / 4d² against covariances summed sample by sample.</summary>
[Collection(TorchSerial.Name)]
public class DeepCoralTests
{
    private static Tensor ReferenceCovariance(Tensor x)
    {
        long n = x.shape[0];
        Tensor mean = Scalar(0);
        for (int i = 0; i < n; i++) mean = mean + x[i];
        mean = mean.div(n);
        Tensor c = zeros([x.shape[1], x.shape[1]], ScalarType.Float64);
        for (int i = 0; i < n; i++)
        {
            Tensor d = x[i] - mean;
            c = c + d.unsqueeze(1).matmul(d.unsqueeze(0));
        }

        return c.div(n - 1);
    }

    private static Tensor Reference(Tensor s, Tensor t)
    {
        long d = s.shape[1];
        Tensor diff = ReferenceCovariance(s) - ReferenceCovariance(t);
        Tensor sum = Scalar(0);
        for (int i = 0; i < d; i++)
        {
            for (int j = 0; j < d; j++) sum = sum + diff[i, j].pow(2);
        }

        return sum.div(4.0 * d * d);
    }

    [Fact]
    public void Loss_SmallBatch_EqualsPerSampleCovarianceReferenceInValueAndGradient()
    {
        using var scope = NewDisposeScope();
        Tensor s = Fixed(6, 3, 1), t = Fixed(5, 3, 2, scale: 2, shift: 1);

        DeepCoral.Loss(s, t).ToDouble().Should().BeApproximately(Reference(s, t).ToDouble(), Tolerance);
        (Tensor gs, Tensor gt) = Gradients(DeepCoral.Loss, s, t);
        (Tensor rs, Tensor rt) = Gradients(Reference, s, t);
        MaxDifference(gs, rs).Should().BeLessThan(Tolerance);
        MaxDifference(gt, rt).Should().BeLessThan(Tolerance);
        MaxDifference(DeepCoral.Covariance(s), ReferenceCovariance(s)).Should().BeLessThan(Tolerance);
    }

    [Fact]
    public void Loss_EqualCovariancesWhateverTheMeans_IsZero()
    {
        using var scope = NewDisposeScope();
        Tensor s = Fixed(7, 4, 3);

        DeepCoral.Loss(s, s + 5.0).ToDouble().Should().BeApproximately(0, 1e-12, "a shift changes the means, not the covariance");
        DeepCoral.Loss(s, s.mul(2.0)).ToDouble().Should().BeGreaterThan(0);
    }

    [Fact]
    public void Loss_OneRow_ThrowsNamingTheShapes()
    {
        using var scope = NewDisposeScope();
        var act = () => DeepCoral.Loss(Fixed(1, 3, 1), Fixed(4, 3, 2));

        act.Should().Throw<ArgumentException>().WithMessage("*at least 2 rows*[1, 3]*[4, 3]*");
    }
}
