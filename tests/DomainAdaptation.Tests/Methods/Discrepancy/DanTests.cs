using DomainAdaptation.Methods.Discrepancy;
using DomainAdaptation.Tests.TestSupport;
using TorchSharp;
using static DomainAdaptation.Tests.Methods.MethodTestSupport;
using static TorchSharp.torch;

namespace DomainAdaptation.Tests.Methods.Discrepancy;

/// <summary>DAN's MK-MMD against the estimators written out pair by pair (Gretton et al. 2012), values and gradients.</summary>
[Collection(TorchSerial.Name)]
public class DanTests
{
    private static readonly double[] Alphas = [0.125, 0.25, 0.5, 1.0, 2.0];

    /// <summary>The MK-MMD² of Gretton et al. written out with a kernel function over explicit pairs.</summary>
    private static Tensor Reference(Tensor s, Tensor t, MmdEstimator estimator)
    {
        int n = (int)s.shape[0];
        Tensor[] z = [.. Enumerable.Range(0, n).Select(i => s[i]), .. Enumerable.Range(0, n).Select(i => t[i])];
        // The bandwidths: α_u times the mean squared distance over all (2n)² ordered pairs, not differentiated.
        double meanDistance = 0;
        for (int i = 0; i < 2 * n; i++)
        {
            for (int j = 0; j < 2 * n; j++) meanDistance += z[i].sub(z[j]).pow(2).sum().ToDouble();
        }

        meanDistance /= 4.0 * n * n;
        Tensor K(Tensor a, Tensor b)
        {
            Tensor d = a.sub(b).pow(2).sum();
            Tensor k = Scalar(0);
            foreach (double alpha in Alphas) k = k + d.neg().div(2 * alpha * meanDistance).exp();
            return k;
        }

        Tensor H(int i, int j) => K(z[i], z[j]) + K(z[n + i], z[n + j]) - K(z[i], z[n + j]) - K(z[j], z[n + i]);
        Tensor total = Scalar(0);
        switch (estimator)
        {
            case MmdEstimator.Unbiased:
                for (int i = 0; i < n; i++)
                {
                    for (int j = 0; j < n; j++)
                    {
                        if (i != j) total = total + H(i, j);
                    }
                }

                return total.div(n * (n - 1));
            case MmdEstimator.Biased:
                for (int i = 0; i < n; i++)
                {
                    for (int j = 0; j < n; j++) total = total + K(z[i], z[j]) + K(z[n + i], z[n + j]) - K(z[i], z[n + j]).mul(2);
                }

                return total.div(n * n);
            default:
                for (int i = 0; i < n; i++) total = total + H(i, (i + 1) % n);
                return total.div(n);
        }
    }

    [Theory]
    [InlineData(MmdEstimator.Unbiased)]
    [InlineData(MmdEstimator.Biased)]
    [InlineData(MmdEstimator.Linear)]
    public void Loss_SmallBatch_EqualsPairwiseReferenceInValueAndGradient(MmdEstimator estimator)
    {
        using var scope = NewDisposeScope();
        Tensor s = Fixed(4, 3, 1), t = Fixed(4, 3, 2, scale: 1.5, shift: 0.7);

        double value = Dan.Loss(s, t, estimator).ToDouble();
        double expected = Reference(s, t, estimator).ToDouble();
        (Tensor gs, Tensor gt) = Gradients((a, b) => Dan.Loss(a, b, estimator), s, t);
        (Tensor rs, Tensor rt) = Gradients((a, b) => Reference(a, b, estimator), s, t);

        value.Should().BeApproximately(expected, Tolerance);
        MaxDifference(gs, rs).Should().BeLessThan(Tolerance);
        MaxDifference(gt, rt).Should().BeLessThan(Tolerance);
        gs.abs().max().ToDouble().Should().BeGreaterThan(1e-3, "the comparison must see a gradient");
    }

    [Theory]
    [InlineData(MmdEstimator.Unbiased)]
    [InlineData(MmdEstimator.Biased)]
    [InlineData(MmdEstimator.Linear)]
    public void Loss_IdenticalSets_IsZero(MmdEstimator estimator)
    {
        using var scope = NewDisposeScope();
        Tensor s = Fixed(6, 4, 3);

        Dan.Loss(s, s.clone(), estimator).ToDouble().Should().BeApproximately(0, 1e-12);
    }

    [Fact]
    public void Loss_Biased_IsNeverNegativeAndGrowsWithTheShift()
    {
        using var scope = NewDisposeScope();
        Tensor s = Fixed(8, 3, 4);
        double near = Dan.Loss(s, Fixed(8, 3, 5, shift: 0.1), MmdEstimator.Biased).ToDouble();
        double far = Dan.Loss(s, Fixed(8, 3, 5, shift: 3.0), MmdEstimator.Biased).ToDouble();

        near.Should().BeGreaterThanOrEqualTo(0);
        far.Should().BeGreaterThan(near);
    }

    [Fact]
    public void Loss_UnequalHalves_ThrowsNamingTheShapes()
    {
        using var scope = NewDisposeScope();
        var act = () => Dan.Loss(Fixed(4, 3, 1), Fixed(5, 3, 2));

        act.Should().Throw<ArgumentException>().WithMessage("*[2n, 2n] with n ≥ 2, but got [9, 9]*same size*");
    }
}
