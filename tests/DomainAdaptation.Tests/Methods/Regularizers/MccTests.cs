using DomainAdaptation.Methods.Regularizers;
using DomainAdaptation.Tests.TestSupport;
using TorchSharp;
using static DomainAdaptation.Tests.Methods.MethodTestSupport;
using static TorchSharp.torch;

namespace DomainAdaptation.Tests.Methods.Regularizers;

/// <summary>MCC (Jin et al. 2020) against its class-confusion formula written out entry by entry.</summary>
[Collection(TorchSerial.Name)]
public class MccTests
{
    private static Tensor Reference(Tensor z, double temperature)
    {
        int b = (int)z.shape[0], k = (int)z.shape[1];
        // Ŷ_i = softmax(z_i / T), row by row.
        Tensor[] y = [.. Enumerable.Range(0, b).Select(i => { Tensor e = z[i].div(temperature).exp(); return e.div(e.sum()); })];
        // Entropy weights W_i = B (1 + e^−H_i) / Σ_j (1 + e^−H_j), H not differentiated.
        double[] h = [.. y.Select(r => -r.detach().data<double>().ToArray().Sum(p => p * Math.Log(p)))];
        double[] raw = [.. h.Select(v => 1 + Math.Exp(-v))];
        double[] w = [.. raw.Select(v => b * v / raw.Sum())];
        Tensor[,] c = new Tensor[k, k];
        for (int j = 0; j < k; j++)
        {
            for (int l = 0; l < k; l++)
            {
                Tensor sum = Scalar(0);
                for (int i = 0; i < b; i++) sum = sum + y[i][j].mul(y[i][l]).mul(w[i]);
                c[j, l] = sum;
            }
        }

        Tensor loss = Scalar(0);
        for (int l = 0; l < k; l++)
        {
            Tensor column = Scalar(0);
            for (int j = 0; j < k; j++) column = column + c[j, l];
            for (int j = 0; j < k; j++)
            {
                if (j != l) loss = loss + c[j, l].div(column);
            }
        }

        return loss.div(k);
    }

    [Theory]
    [InlineData(2.5)]
    [InlineData(1.0)]
    public void Loss_SmallBatch_EqualsEntryByEntryReferenceInValueAndGradient(double temperature)
    {
        using var scope = NewDisposeScope();
        Tensor z = Fixed(6, 4, 11, scale: 2);

        Mcc.Loss(z, temperature).ToDouble().Should().BeApproximately(Reference(z, temperature).ToDouble(), Tolerance);
        MaxDifference(Gradient(x => Mcc.Loss(x, temperature), z), Gradient(x => Reference(x, temperature), z)).Should().BeLessThan(Tolerance);
    }

    [Fact]
    public void Loss_Bounds_ZeroForDisjointConfidentPredictionsAndMaximalForUniformOnes()
    {
        using var scope = NewDisposeScope();
        Tensor confident = eye(4, dtype: ScalarType.Float64).mul(200.0);
        Tensor uniform = zeros(8, 4, ScalarType.Float64);

        Mcc.Loss(confident).ToDouble().Should().BeApproximately(0, 1e-12);
        Mcc.Loss(uniform).ToDouble().Should().BeApproximately(3.0 / 4.0, 1e-12, "(K − 1)/K");
        double value = Mcc.Loss(Fixed(16, 4, 3, scale: 3)).ToDouble();
        value.Should().BeInRange(0, 0.75);
    }
}
