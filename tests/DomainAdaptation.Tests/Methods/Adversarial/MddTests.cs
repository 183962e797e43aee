using DomainAdaptation.Methods;
using DomainAdaptation.Methods.Adversarial;
using DomainAdaptation.Tests.TestSupport;
using TorchSharp;
using static DomainAdaptation.Tests.Methods.MethodTestSupport;
using static TorchSharp.torch;

namespace DomainAdaptation.Tests.Methods.Adversarial;

/// <summary>MDD (Zhang et al. 2019): the margin disparity discrepancy written out sample by sample.</summary>
[Collection(TorchSerial.Name)]
public class MddTests
{
    private static Tensor Reference(Tensor zs, Tensor zsAdv, Tensor zt, Tensor ztAdv, double margin)
    {
        long[] ys = Rows(zs).Select(r => (long)Array.IndexOf(r, r.Max())).ToArray();
        long[] yt = Rows(zt).Select(r => (long)Array.IndexOf(r, r.Max())).ToArray();
        Tensor source = Scalar(0), target = Scalar(0);
        for (int i = 0; i < ys.Length; i++)
        {
            Tensor e = zsAdv[i].exp();
            source = source - e[ys[i]].div(e.sum()).log();
        }

        for (int i = 0; i < yt.Length; i++)
        {
            Tensor e = ztAdv[i].exp();
            target = target - Scalar(1).sub(e[yt[i]].div(e.sum())).log();
        }

        return source.div(ys.Length).mul(margin) + target.div(yt.Length);
    }

    [Fact]
    public void Loss_SmallBatch_EqualsSampleBySampleReferenceInValueAndGradient()
    {
        using var scope = NewDisposeScope();
        Tensor zs = Fixed(4, 3, 1), zt = Fixed(5, 3, 2), a = Fixed(4, 3, 3), b = Fixed(5, 3, 4);

        Mdd.Loss(zs, a, zt, b, 4.0).ToDouble().Should().BeApproximately(Reference(zs, a, zt, b, 4.0).ToDouble(), Tolerance);
        (Tensor ga, Tensor gb) = Gradients((x, y) => Mdd.Loss(zs, x, zt, y, 4.0), a, b);
        (Tensor ra, Tensor rb) = Gradients((x, y) => Reference(zs, x, zt, y, 4.0), a, b);
        MaxDifference(ga, ra).Should().BeLessThan(Tolerance);
        MaxDifference(gb, rb).Should().BeLessThan(Tolerance);
        Mdd.Loss(zs.mul(3), a, zt.mul(3), b).ToDouble().Should().Be(Mdd.Loss(zs, a, zt, b).ToDouble(), "the main classifier enters through its arg-max only");
        Mdd.Loss(Leaf(zs), a, zt, b).requires_grad.Should().BeFalse("no gradient flows into the main classifier's logits");
    }

    [Fact]
    public void LogOneMinusProbability_EqualsLogOfOneMinusSoftmaxAndStaysFiniteNearOne()
    {
        using var scope = NewDisposeScope();
        Tensor z = Fixed(6, 4, 5, scale: 2);
        Tensor y = tensor(new long[] { 0, 1, 2, 3, 0, 1 });
        Tensor direct = z.softmax(1).gather(1, y.unsqueeze(1)).squeeze(1).neg().add(1).log();

        MaxDifference(Mdd.LogOneMinusProbability(z, y), direct).Should().BeLessThan(1e-12);
        double confident = Mdd.LogOneMinusProbability(tensor(new double[,] { { 60, 0, 0 } }), tensor(new long[] { 0 })).ToDouble();
        confident.Should().BeApproximately(Math.Log(2) - 60, 1e-9, "log(2e^0 / (e^60 + 2)) without underflow");
    }

    [Fact]
    public void Losses_AdversaryThroughTheReversalLayer_MarginWeightsTheSource()
    {
        using var scope = NewDisposeScope();
        var model = MethodHarness.LinearModel(3, 3, seed: 2);
        var mdd = new Mdd(margin: 4, weight: 1, adversaryWidth: 6);
        MethodHarness.Initialize(mdd, model, 3, 3);
        var adversary = (TorchSharp.torch.nn.Module<Tensor, Tensor>)mdd.Modules.Single().Module;
        adversary.eval();
        Tensor xs = Fixed(4, 3, 6), xt = Leaf(Fixed(4, 3, 7));

        LossTerms terms = MethodHarness.Losses(mdd, model, xs, tensor(new long[] { 0, 1, 2, 0 }), xt);

        Tensor zs = model.forward(xs), zt = model.forward(xt);
        terms.Term("mdd").Value.ToDouble().Should().BeApproximately(Reference(zs, adversary.call(xs), zt, adversary.call(xt), 4).ToDouble(), Tolerance);
        double lambda = terms.Schedules.Single().Constant;
        lambda.Should().BeApproximately(0.1 * ((2 / (1 + Math.Exp(-3))) - 1), 1e-15, "λ rises to 0.1");
        terms.Term("mdd").Value.backward();
        Tensor expected = Gradient(x => Reference(zs, adversary.call(xs), model.forward(x), adversary.call(x), 4), xt.detach());
        // The main classifier's own gradient path is cut (arg-max); only the adversary's, reversed and scaled by λ, reaches x_t.
        Tensor adversaryOnly = Gradient(x => Reference(zs, adversary.call(xs), zt.detach(), adversary.call(x), 4), xt.detach());
        MaxDifference(xt.grad!, adversaryOnly.mul(-lambda)).Should().BeLessThan(Tolerance);
        MaxDifference(expected, adversaryOnly).Should().BeLessThan(Tolerance);
    }
}
