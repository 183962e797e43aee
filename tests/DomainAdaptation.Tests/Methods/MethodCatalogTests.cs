using DomainAdaptation.Methods;
using DomainAdaptation.Methods.Adversarial;
using DomainAdaptation.Methods.Discrepancy;
using DomainAdaptation.Methods.Regularizers;
using DomainAdaptation.Tests.TestSupport;

namespace DomainAdaptation.Tests.Methods;

public class MethodCatalogTests
{
    [Fact]
    public void All_EveryMethodOfTheIssue_NamedKebabCaseWithAFamily()
    {
        MethodCatalog.All.Select(m => m.Name).Should().Equal(
            "source-only", "target-only", "dann", "cdan", "cdan-e", "mdd", "dan", "jan", "coral", "mcd", "mcc", "bnm", "entropy", "afn", "hafn", "fixmatch", "mean-teacher");
        MethodCatalog.All.Select(m => m.Family).Distinct().Should().BeEquivalentTo("supervised", "adversarial", "discrepancy", "regularizer", "self-training");
    }

    [Theory]
    [InlineData("mk-mmd", "dan")]
    [InlineData("CDAN+E", "cdan-e")]
    [InlineData("deep-coral", "coral")]
    [InlineData("dann+mcc", "dann+mcc")]
    [InlineData("mcc:temperature=3, weight=1", "mcc:temperature=3")]
    [InlineData("cdan+e+entropy:weight=0.05", "cdan-e+entropy:weight=0.05")]
    public void Normalize_AliasesCaseAndDefaults_GiveTheCanonicalSpecification(string given, string canonical) =>
        MethodCatalog.Normalize(given).Should().Be(canonical);

    [Fact]
    public void Create_SettingsReachTheMethod()
    {
        var mcc = (Mcc)MethodCatalog.Create("mcc:temperature=3,weight=0.5");
        mcc.Temperature.Should().Be(3);
        mcc.Weight.Should().Be(0.5);
        ((Dan)MethodCatalog.Create("dan:linear=1")).Estimator.Should().Be(MmdEstimator.Linear);
        ((Cdan)MethodCatalog.Create("cdan-e")).EntropyConditioning.Should().BeTrue();
        var composite = (CompositeMethod)MethodCatalog.Create("dann+mcc:weight=0.2");
        composite.Parts.Select(p => p.Name).Should().Equal("dann", "mcc");
        ((Mcc)composite.Parts[1]).Weight.Should().Be(0.2);
    }

    [Fact]
    public void Create_GivenDomainClassifier_GoesToDann()
    {
        var head = TorchSharp.torch.nn.Linear(4, 1);
        var dann = (Dann)MethodCatalog.Create("dann", new MethodRequest { DomainClassifier = head });
        dann.DomainClassifier.Should().BeSameAs(head);
    }

    [Theory]
    [InlineData("dannn", "There is no method 'dannn'. The methods are: source-only, target-only, dann*")]
    [InlineData("mcc:tau=2", "'mcc' has no setting 'tau' in 'mcc:tau=2': it has weight (default 1), temperature (default 2.5).*")]
    [InlineData("mcc:temperature=hot", "The setting 'temperature=hot' of 'mcc'*needs a finite number*")]
    [InlineData("mcd+mcc", "'mcd' cannot be part of a composite 'mcd+mcc': it runs its own updates*")]
    [InlineData("mcc+mcc", "'mcc+mcc' names a method twice.*")]
    [InlineData("source-only+dann", "'source-only' cannot be part of a composite*no terms of its own*")]
    public void Create_BadSpecification_ThrowsSayingWhatIsExpected(string specification, string message) =>
        FluentActions.Invoking(() => MethodCatalog.Create(specification)).Should().Throw<ArgumentException>().WithMessage(message);

    [Fact]
    public void Create_MeanTeacherWithoutAModelFactory_ThrowsAskingForIt() =>
        FluentActions.Invoking(() => MethodCatalog.Create("mean-teacher")).Should().Throw<ArgumentException>().WithMessage("*second instance of the model (MethodRequest.CreateModel)*");

    [Fact]
    public void Create_EveryMethod_NameRoundTrips()
    {
        var request = new MethodRequest { CreateModel = () => MethodHarness.LinearModel(3, 2, 1) };
        foreach (MethodDescriptor d in MethodCatalog.All)
        {
            using AdaptationMethod method = MethodCatalog.Create(d.Name, request);
            method.Name.Should().Be(d.Name);
            method.Describe().Should().NotBeNullOrWhiteSpace();
        }
    }
}
