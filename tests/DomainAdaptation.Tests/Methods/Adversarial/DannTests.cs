using DomainAdaptation.Methods;
using DomainAdaptation.Methods.Adversarial;
using DomainAdaptation.Schedules;
using DomainAdaptation.Tests.TestSupport;
using DomainAdaptation.Training;
using TorchSharp;
using static DomainAdaptation.Tests.Methods.MethodTestSupport;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace DomainAdaptation.Tests.Methods.Adversarial;

/// <summary>DANN's terms and gradients against the objective written out, with the reversal applied by hand.</summary>
[Collection(TorchSerial.Name)]
public class DannTests
{
    [Theory]
    [InlineData(BatchNormMode.Joint)]
    [InlineData(BatchNormMode.Separate)]
    public void Losses_EqualHandWrittenObjective_FeatureGradientReversedAndScaled(BatchNormMode passes)
    {
        using var scope = NewDisposeScope();
        const double weight = 0.7;
        var model = MethodHarness.LinearModel(3, 4, seed: 2);
        random.manual_seed(9);
        var head = nn.Linear(3, 1);
        head.to(ScalarType.Float64);
        var dann = new Dann(head, LambdaSchedules.Ganin(), weight);
        MethodHarness.Initialize(dann, model, 3, 4);
        Tensor xs = Leaf(Fixed(5, 3, 1)), xt = Leaf(Fixed(5, 3, 2, shift: 1));
        Tensor ys = tensor(new long[] { 0, 1, 2, 3, 1 });

        LossTerms terms = MethodHarness.Losses(dann, model, xs, ys, xt, step: 3, total: 10, passes: passes);
        double lambda = 2.0 / (1.0 + Math.Exp(-10.0 * 0.3)) - 1.0;

        // By hand: CE = mean(logsumexp(z) − z_y); BCE with logits = mean(softplus(d) − t·d), source 0, target 1.
        Tensor RefLabel(Tensor s) { Tensor z = model.ClassifyFeatures(s); return z.logsumexp(1).sub(z.gather(1, ys.unsqueeze(1)).squeeze(1)).mean(); }
        Tensor RefDomain(Tensor s, Tensor t) { Tensor d = head.call(cat([s, t], 0)).squeeze(1); Tensor y = cat([zeros(5, ScalarType.Float64), ones(5, ScalarType.Float64)]); return d.exp().log1p().sub(y.mul(d)).mean(); }
        terms.Term("label").Value.ToDouble().Should().BeApproximately(RefLabel(xs).ToDouble(), Tolerance);
        terms.Term("domain").Value.ToDouble().Should().BeApproximately(RefDomain(xs, xt).ToDouble(), Tolerance);
        terms.Term("domain").Weight.Should().Be(weight);
        terms.Schedules.Single().Constant.Should().BeApproximately(lambda, 1e-15);

        terms.Total().backward();
        (Tensor ls, _) = Gradients((s, _) => RefLabel(s), xs, xt);
        (Tensor ds, Tensor dt) = Gradients(RefDomain, xs, xt);
        MaxDifference(xs.grad!, ls - ds.mul(lambda * weight)).Should().BeLessThan(Tolerance);
        MaxDifference(xt.grad!, dt.mul(-lambda * weight)).Should().BeLessThan(Tolerance);
    }

    [Fact]
    public void Initialize_HeadWithTwoOutputsUnderBinaryCrossEntropy_ThrowsNamingTheFix()
    {
        var model = MethodHarness.LinearModel(3, 4, seed: 2);
        var dann = new Dann(nn.Linear(3, 2).to(ScalarType.Float64));

        FluentActions.Invoking(() => MethodHarness.Initialize(dann, model, 3, 4)).Should().Throw<DomainAdaptation.Models.ModelCompositionException>()
            .WithMessage("DANN's domain classifier gives 2 outputs per sample, but DomainLossKind.BinaryCrossEntropyWithLogits needs 1: use DomainLossKind.CrossEntropy*");
    }

    [Fact]
    public void Initialize_NoHeadGiven_CreatesTransferLearningLibrarysDiscriminatorFromTheSeed()
    {
        var model = MethodHarness.LinearModel(3, 4, seed: 2);
        var a = new Dann();
        var b = new Dann();
        MethodHarness.Initialize(a, model, 3, 4, seed: 8);
        MethodHarness.Initialize(b, model, 3, 4, seed: 8);

        a.Modules.Single().Name.Should().Be("domain_classifier");
        a.DomainClassifier!.state_dict().Keys.Should().Contain(["fc1.weight", "bn1.running_mean", "fc2.weight", "bn2.running_var", "fc3.weight"]);
        ((TorchSharp.Modules.Linear)((TorchSharp.Modules.Sequential)a.DomainClassifier).named_children().First().module).out_features.Should().Be(1024);
        TestModels.BitwiseEqual(TestModels.Snapshot(a.DomainClassifier), TestModels.Snapshot(b.DomainClassifier!), out _).Should().BeTrue("the same seed gives the same head");
    }
}
