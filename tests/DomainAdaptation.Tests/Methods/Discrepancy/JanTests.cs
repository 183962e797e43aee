using DomainAdaptation.Methods.Discrepancy;
using DomainAdaptation.Tests.TestSupport;
using TorchSharp;
using static DomainAdaptation.Tests.Methods.MethodTestSupport;
using static TorchSharp.torch;

namespace DomainAdaptation.Tests.Methods.Discrepancy;

/// <summary>JAN's joint MMD against the product kernel written out pair by pair.</summary>
[Collection(TorchSerial.Name)]
public class JanTests
{
    private static Tensor Reference(Tensor fs, Tensor ps, Tensor ft, Tensor pt)
    {
        int n = (int)fs.shape[0];
        Tensor[] f = [.. Enumerable.Range(0, n).Select(i => fs[i]), .. Enumerable.Range(0, n).Select(i => ft[i])];
        Tensor[] p = [.. Enumerable.Range(0, n).Select(i => ps[i]), .. Enumerable.Range(0, n).Select(i => pt[i])];
        double mean = 0;
        for (int i = 0; i < 2 * n; i++)
        {
            for (int j = 0; j < 2 * n; j++) mean += f[i].sub(f[j]).pow(2).sum().ToDouble();
        }

        mean /= 4.0 * n * n;
        Tensor K(int a, int b)
        {
            Tensor d = f[a].sub(f[b]).pow(2).sum();
            Tensor kf = Scalar(0);
            foreach (double alpha in new[] { 0.125, 0.25, 0.5, 1.0, 2.0 }) kf = kf + d.neg().div(2 * alpha * mean).exp();
            Tensor kp = p[a].sub(p[b]).pow(2).sum().neg().div(2 * 0.92 * 0.92).exp();
            return kf * kp;
        }

        Tensor total = Scalar(0);
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j < n; j++)
            {
                if (i != j) total = total + K(i, j) + K(n + i, n + j) - K(i, n + j) - K(j, n + i);
            }
        }

        return total.div(n * (n - 1));
    }

    [Fact]
    public void Loss_SmallBatch_EqualsProductKernelReferenceInValueAndGradient()
    {
        using var scope = NewDisposeScope();
        Tensor fs = Fixed(4, 3, 1), ft = Fixed(4, 3, 2, shift: 0.5);
        Tensor zs = Fixed(4, 2, 3), zt = Fixed(4, 2, 4, scale: 2);

        double value = Jan.Loss(fs, zs.softmax(1), ft, zt.softmax(1)).ToDouble();
        double expected = Reference(fs, zs.softmax(1), ft, zt.softmax(1)).ToDouble();
        (Tensor gf, Tensor gz) = Gradients((f, z) => Jan.Loss(f, z.softmax(1), ft, zt.softmax(1)), fs, zs);
        (Tensor rf, Tensor rz) = Gradients((f, z) => Reference(f, z.softmax(1), ft, zt.softmax(1)), fs, zs);

        value.Should().BeApproximately(expected, Tolerance);
        MaxDifference(gf, rf).Should().BeLessThan(Tolerance);
        MaxDifference(gz, rz).Should().BeLessThan(Tolerance);
        gz.abs().max().ToDouble().Should().BeGreaterThan(1e-6, "the predictions' kernel is differentiated too");
    }

    [Fact]
    public void Loss_IdenticalJointSamples_IsZero()
    {
        using var scope = NewDisposeScope();
        Tensor f = Fixed(5, 3, 7), p = Fixed(5, 4, 8).softmax(1);

        Jan.Loss(f, p, f.clone(), p.clone()).ToDouble().Should().BeApproximately(0, 1e-12);
    }
}
