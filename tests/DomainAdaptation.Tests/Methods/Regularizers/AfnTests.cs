using DomainAdaptation.Methods.Regularizers;
using DomainAdaptation.Tests.TestSupport;
using TorchSharp;
using static DomainAdaptation.Tests.Methods.MethodTestSupport;
using static TorchSharp.torch;

namespace DomainAdaptation.Tests.Methods.Regularizers;

/// <summary>AFN (Xu et al. 2019): SAFN's and HAFN's losses and their gradients, from the formulas differentiated by hand.</summary>
[Collection(TorchSerial.Name)]
public class AfnTests
{
    [Theory]
    [InlineData(1.0)]
    [InlineData(0.3)]
    public void StepwiseLoss_ValueIsDeltaSquaredAndGradientPushesEveryNormUpByDelta(double delta)
    {
        using var scope = NewDisposeScope();
        Tensor h = Fixed(5, 3, 31, scale: 2);
        long n = h.shape[0];

        Afn.StepwiseLoss(h, delta).ToDouble().Should().BeApproximately(delta * delta, Tolerance);
        // d/dh_i (‖h_i‖ − (‖h_i‖ + Δr))² / n with the target fixed = −2Δr/n · h_i/‖h_i‖.
        Tensor norms = h.pow(2).sum(1, keepdim: true).sqrt();
        Tensor expected = h.div(norms).mul(-2.0 * delta / n);
        MaxDifference(Gradient(x => Afn.StepwiseLoss(x, delta), h), expected).Should().BeLessThan(Tolerance);
    }

    [Fact]
    public void HardLoss_ValueAndGradientAgainstTheRadius()
    {
        using var scope = NewDisposeScope();
        Tensor h = Fixed(4, 3, 32, scale: 3);
        Tensor norms = h.pow(2).sum(1, keepdim: true).sqrt();
        const double r = 25;

        Afn.HardLoss(h, r).ToDouble().Should().BeApproximately(norms.sub(r).pow(2).mean().ToDouble(), Tolerance);
        Tensor expected = h.div(norms).mul(norms.sub(r)).mul(2.0 / h.shape[0]);
        MaxDifference(Gradient(x => Afn.HardLoss(x, r), h), expected).Should().BeLessThan(Tolerance);
        Afn.HardLoss(h.div(norms).mul(r), r).ToDouble().Should().BeApproximately(0, 1e-12, "features on the sphere of radius R cost nothing");
    }
}
