using DomainAdaptation.Methods;
using DomainAdaptation.Methods.Adversarial;
using DomainAdaptation.Methods.Regularizers;
using DomainAdaptation.Tests.TestSupport;
using TorchSharp;
using static DomainAdaptation.Tests.Methods.MethodTestSupport;
using static TorchSharp.torch;

namespace DomainAdaptation.Tests.Methods;

[Collection(TorchSerial.Name)]
public class CompositeMethodTests
{
    [Fact]
    public void Losses_DannPlusMcc_OneSupervisedTermThenEachPartsTermsOnOneSharedPass()
    {
        using var scope = NewDisposeScope();
        var model = MethodHarness.LinearModel(3, 4, seed: 2);
        random.manual_seed(5);
        var head = TorchSharp.torch.nn.Linear(3, 1);
        head.to(ScalarType.Float64);
        var composite = new CompositeMethod(new Dann(head), new Mcc(weight: 0.3));
        MethodHarness.Initialize(composite, model, 3, 4);
        Tensor xs = Fixed(4, 3, 1), xt = Fixed(4, 3, 2);
        Tensor ys = tensor(new long[] { 0, 1, 2, 3 });

        LossTerms terms = MethodHarness.Losses(composite, model, xs, ys, xt);

        composite.Name.Should().Be("dann+mcc");
        terms.Terms.Select(t => (t.Name, t.Weight)).Should().Equal(("label", 1.0), ("domain", 1.0), ("mcc", 0.3));
        terms.Metrics.Select(m => m.Name).Should().Equal("source_accuracy", "domain_accuracy");
        terms.Term("mcc").Value.ToDouble().Should().BeApproximately(Mcc.Loss(model.forward(xt)).ToDouble(), Tolerance);
        terms.Total().ToDouble().Should().BeApproximately(terms.Term("label").Value.ToDouble() + terms.Term("domain").Value.ToDouble() + (0.3 * terms.Term("mcc").Value.ToDouble()), 1e-12);
        composite.Modules.Select(m => m.Name).Should().Equal("dann.domain_classifier");
        composite.Settings.ToJsonString().Should().Contain("\"dann\":{").And.Contain("\"mcc\":{\"Weight\":0.3");
    }

    [Fact]
    public void Constructor_OnePartOrASourceOnlyPart_Throws()
    {
        FluentActions.Invoking(() => new CompositeMethod(new Mcc())).Should().Throw<ArgumentException>().WithMessage("*at least two parts*");
        FluentActions.Invoking(() => new CompositeMethod(new DomainAdaptation.Methods.Supervised.SourceOnly(), new Mcc())).Should().Throw<ArgumentException>().WithMessage("*'source-only' has no terms of its own*");
    }

    [Fact]
    public void LossTermsBuilder_DuplicateName_IsPrefixedWithThePartsName()
    {
        using var scope = NewDisposeScope();
        var builder = new LossTermsBuilder();
        builder.Add("domain", Scalar(1));
        builder.DisambiguationPrefix = "cdan";
        builder.Add("domain", Scalar(2));

        builder.Build().Terms.Select(t => t.Name).Should().Equal("domain", "cdan_domain");
    }
}
