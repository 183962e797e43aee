using DomainAdaptation.Methods;
using DomainAdaptation.Methods.Adversarial;
using DomainAdaptation.Tests.TestSupport;
using TorchSharp;
using static DomainAdaptation.Tests.Methods.MethodTestSupport;
using static TorchSharp.torch;

namespace DomainAdaptation.Tests.Methods.Adversarial;

/// <summary>CDAN and CDAN+E (Long et al. 2018): the conditioning maps and the weighted domain loss written out.</summary>
[Collection(TorchSerial.Name)]
public class CdanTests
{
    [Fact]
    public void MultilinearMap_Full_IsTheOuterProductOfProbabilitiesAndFeatures()
    {
        using var scope = NewDisposeScope();
        Tensor f = Fixed(2, 3, 1), g = Fixed(2, 4, 2).softmax(1);
        var map = new MultilinearMap(3, 4, null, seed: 0);

        Tensor h = map.call(f, g);

        h.shape.Should().Equal(2, 12);
        double[][] fr = Rows(f), gr = Rows(g), hr = Rows(h);
        for (int b = 0; b < 2; b++)
        {
            for (int k = 0; k < 4; k++)
            {
                for (int i = 0; i < 3; i++) hr[b][(k * 3) + i].Should().BeApproximately(gr[b][k] * fr[b][i], 1e-15);
            }
        }
    }

    [Fact]
    public void MultilinearMap_Randomized_IsTheScaledHadamardProductOfRandomProjections()
    {
        using var scope = NewDisposeScope();
        Tensor f = Fixed(3, 5, 3), g = Fixed(3, 4, 4).softmax(1);
        var map = new MultilinearMap(5, 4, 16, seed: 7);
        map.to(ScalarType.Float64);
        Dictionary<string, Tensor> r = map.state_dict();

        Tensor h = map.call(f, g);

        r.Keys.Should().BeEquivalentTo("r_f", "r_g");
        double[][] expected = Rows(f.matmul(r["r_f"]).mul(g.matmul(r["r_g"])).div(4.0));
        double[][] got = Rows(h);
        for (int b = 0; b < 3; b++)
        {
            for (int j = 0; j < 16; j++) got[b][j].Should().BeApproximately(expected[b][j], 1e-13);
        }

        new MultilinearMap(5, 4, 16, seed: 7).state_dict()["r_f"].Equals(new MultilinearMap(5, 4, 16, seed: 7).state_dict()["r_f"]).Should().BeTrue("the projections come from the seed");
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Losses_EqualTheWeightedBinaryCrossEntropyWrittenOut(bool entropy)
    {
        using var scope = NewDisposeScope();
        var model = MethodHarness.LinearModel(3, 4, seed: 2);
        var cdan = new Cdan(entropyConditioning: entropy, weight: 0.5, randomized: false, discriminatorWidth: 8);
        MethodHarness.Initialize(cdan, model, 3, 4);
        Tensor xs = Leaf(Fixed(4, 3, 1)), xt = Leaf(Fixed(4, 3, 2, shift: 1));
        Tensor ys = tensor(new long[] { 0, 1, 2, 3 });
        var d = (nn.Module<Tensor, Tensor>)cdan.Modules.Single(m => m.Name == "domain_classifier").Module;
        d.eval(); // batch norm on running statistics, so that the reference sees the same function

        LossTerms terms = MethodHarness.Losses(cdan, model, xs, ys, xt);

        // By hand: h_b = vec(g_b ⊗ f_b), w_b = 1 + e^(−H(g_b)) scaled to mean 1, loss = Σ w_b ℓ_b / 8.
        Tensor x = cat([xs, xt], 0);
        Tensor g = model.ClassifyFeatures(x).softmax(1).detach();
        double[][] gr = Rows(g);
        double[] raw = [.. gr.Select(p => entropy ? 1 + Math.Exp(p.Sum(v => v * Math.Log(v))) : 1.0)];
        double[] w = [.. raw.Select(v => v * 8 / raw.Sum())];
        Tensor Reference(Tensor features)
        {
            Tensor total = Scalar(0);
            for (int b = 0; b < 8; b++)
            {
                Tensor h = g[b].unsqueeze(1).mul(features[b].unsqueeze(0)).reshape(1, -1);
                Tensor logit = d.call(h).squeeze();
                double t = b < 4 ? 0 : 1;
                total = total + logit.exp().log1p().sub(logit.mul(t)).mul(w[b]);
            }

            return total.div(8);
        }

        terms.Term("domain").Value.ToDouble().Should().BeApproximately(Reference(x).ToDouble(), Tolerance);
        terms.Term("domain").Weight.Should().Be(0.5);

        // Gradient into the features: −λ · w · ∂(domain loss)/∂features (the probabilities are not differentiated).
        double lambda = terms.Schedules.Single(s => s.Name == "lambda").Constant;
        terms.Term("domain").Value.mul(0.5).backward();
        Tensor expected = Gradient(Reference, x.detach()).mul(-lambda * 0.5);
        MaxDifference(xs.grad!, expected.narrow(0, 0, 4)).Should().BeLessThan(Tolerance);
        MaxDifference(xt.grad!, expected.narrow(0, 4, 4)).Should().BeLessThan(Tolerance);
    }

    [Fact]
    public void EntropyWeights_HaveMeanOneAndFavourConfidentSamples()
    {
        using var scope = NewDisposeScope();
        Tensor logits = tensor(new double[,] { { 9, 0, 0 }, { 0, 0, 0 }, { 3, 1, 0 } });

        Tensor w = Cdan.EntropyWeights(logits);

        w.mean().ToDouble().Should().BeApproximately(1, 1e-15);
        w[0].ToDouble().Should().BeGreaterThan(w[2].ToDouble());
        w[2].ToDouble().Should().BeGreaterThan(w[1].ToDouble());
    }

    [Theory]
    [InlineData(100, 10, false)]
    [InlineData(1200, 10, true)]
    public void Initialize_MapByThePapersRule_RandomizedAboveFourThousandNinetySix(int features, int classes, bool randomized)
    {
        var model = new DomainAdaptation.Models.AdaptationModel(nn.Identity(), nn.Linear(features, classes));
        var cdan = new Cdan();
        cdan.Initialize(new MethodSetup(model, DomainAdaptation.Data.SampleShape.Vector(features), features, classes, CPU, ScalarType.Float32, 1));

        cdan.Map!.IsRandomized.Should().Be(randomized);
        cdan.Map.OutputDimension.Should().Be(randomized ? 1024 : features * classes);
        cdan.Modules.Select(m => (m.Name, m.Trainable)).Should().Equal(("map", false), ("domain_classifier", true));
    }
}
