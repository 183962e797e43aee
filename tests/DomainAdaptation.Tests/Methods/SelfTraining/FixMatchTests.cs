using DomainAdaptation.Methods;
using DomainAdaptation.Methods.SelfTraining;
using DomainAdaptation.Tests.TestSupport;
using TorchSharp;
using static DomainAdaptation.Tests.Methods.MethodTestSupport;
using static TorchSharp.torch;

namespace DomainAdaptation.Tests.Methods.SelfTraining;

/// <summary>FixMatch's masked pseudo-label loss written out, and its views drawn from the step's generators.</summary>
[Collection(TorchSerial.Name)]
public class FixMatchTests
{
    private static Tensor Reference(Tensor weak, Tensor strong, double threshold)
    {
        double[][] q = Rows(weak).Select(r => Softmax(r)).ToArray();
        Tensor total = Scalar(0);
        for (int i = 0; i < q.Length; i++)
        {
            double confidence = q[i].Max();
            if (confidence < threshold) continue;
            int pseudo = Array.IndexOf(q[i], confidence);
            Tensor e = strong[i].exp();
            total = total - e[pseudo].div(e.sum()).log();
        }

        return total.div(q.Length);
    }

    [Fact]
    public void Loss_MixedConfidence_EqualsTheMaskedReferenceInValueAndGradient()
    {
        using var scope = NewDisposeScope();
        // Rows 0 and 2 are confident (max q ≥ 0.95), rows 1 and 3 are not.
        Tensor weak = tensor(new double[,] { { 6, 0, 0 }, { 1, 0.5, 0 }, { 0, 0, 5 }, { 0.2, 0.1, 0 } });
        Tensor strong = Fixed(4, 3, 1);

        (Tensor loss, Tensor rate) = FixMatch.Loss(weak, strong, 0.95);

        rate.ToDouble().Should().Be(0.5);
        loss.ToDouble().Should().BeApproximately(Reference(weak, strong, 0.95).ToDouble(), Tolerance);
        (Tensor gw, Tensor gs) = Gradients((w, s) => FixMatch.Loss(w, s, 0.95).Loss, weak, strong);
        MaxDifference(gs, Gradient(s => Reference(weak, s, 0.95), strong)).Should().BeLessThan(Tolerance);
        gw.abs().max().ToDouble().Should().Be(0, "the pseudo-labels are not differentiated");
        Gradients((w, s) => FixMatch.Loss(w, s, 0.95).Loss, weak, strong).Item2[1].abs().max().ToDouble().Should().Be(0, "a masked sample contributes nothing");
    }

    [Fact]
    public void Losses_ViewsComeFromTheStepsGenerators_SameStepSameValue()
    {
        using var scope = NewDisposeScope();
        var model = new DomainAdaptation.Models.AdaptationModel(TorchSharp.torch.nn.Flatten(), TorchSharp.torch.nn.Linear(3 * 8 * 8, 4));
        model.to(ScalarType.Float64);
        var method = new FixMatch(threshold: 0.3);
        MethodHarness.Initialize(method, model, 3 * 8 * 8, 4);
        Tensor xs = randn([4, 3, 8, 8], ScalarType.Float64, generator: new Generator(1)), xt = randn([4, 3, 8, 8], ScalarType.Float64, generator: new Generator(2));
        Tensor ys = tensor(new long[] { 0, 1, 2, 3 });

        double a = MethodHarness.Losses(method, model, xs, ys, xt, step: 4).Term("pseudo_label").Value.ToDouble();
        double b = MethodHarness.Losses(method, model, xs, ys, xt, step: 4).Term("pseudo_label").Value.ToDouble();
        double c = MethodHarness.Losses(method, model, xs, ys, xt, step: 5).Term("pseudo_label").Value.ToDouble();

        a.Should().Be(b, "step 4's views are drawn from (seed, 4, stream) only");
        c.Should().NotBe(a, "another step draws other views");
    }

    [Fact]
    public void Losses_DuringTheDelay_NoViewsAndTheSourceOnlyLoss()
    {
        using var scope = NewDisposeScope();
        random.manual_seed(3);
        var model = new DomainAdaptation.Models.AdaptationModel(
            TorchSharp.torch.nn.Sequential(("flatten", TorchSharp.torch.nn.Flatten()), ("fc", TorchSharp.torch.nn.Linear(3 * 8 * 8, 6)), ("bn", TorchSharp.torch.nn.BatchNorm1d(6))),
            TorchSharp.torch.nn.Linear(6, 4));
        model.to(ScalarType.Float64);
        var method = new FixMatch(threshold: 0.3, rampUp: DomainAdaptation.Schedules.LambdaSchedules.Delayed(DomainAdaptation.Schedules.LambdaSchedules.Constant(1), 0.5));
        MethodHarness.Initialize(method, model, 3 * 8 * 8, 4);
        var sourceOnly = new DomainAdaptation.Methods.Supervised.SourceOnly();
        MethodHarness.Initialize(sourceOnly, model, 3 * 8 * 8, 4);
        Tensor xs = randn([4, 3, 8, 8], ScalarType.Float64, generator: new Generator(1)), xt = randn([4, 3, 8, 8], ScalarType.Float64, generator: new Generator(2));
        Tensor ys = tensor(new long[] { 0, 1, 2, 3 });

        LossTerms during = MethodHarness.Losses(method, model, xs, ys, xt, step: 2, total: 10);
        LossTerms after = MethodHarness.Losses(method, model, xs, ys, xt, step: 7, total: 10);
        double reference = MethodHarness.Losses(sourceOnly, model, xs, ys, xt, step: 2, total: 10).Total().ToDouble();

        during.Term("pseudo_label").Weight.Should().Be(0);
        during.Total().ToDouble().Should().Be(reference, "while λ_u is 0 the views do not join the pass, so batch norm sees the source half alone");
        during.Metrics.Single(m => m.Name == "mask_rate").ToDouble().Should().Be(0);
        after.Term("pseudo_label").Weight.Should().Be(1);
        after.Term("label").Value.ToDouble().Should().NotBe(reference, "after the delay the views join the source half's pass");
    }
}
