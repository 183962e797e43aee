using static TorchSharp.torch;

namespace DomainAdaptation.Tests.GradientReversal;

/// <summary>λ must be finite: NaN and ±∞ are rejected with <see cref="ArgumentOutOfRangeException"/>.</summary>
public class GradientReversalLambdaValidationTests
{
    public static TheoryData<double> NonFinite() => new() { double.NaN, double.PositiveInfinity, double.NegativeInfinity };

    [Theory]
    [MemberData(nameof(NonFinite))]
    public void Constructor_NonFiniteLambda_ThrowsArgumentOutOfRange(double lambda)
    {
        var act = () => new DomainAdaptation.GradientReversal(lambda);
        act.Should().Throw<ArgumentOutOfRangeException>().WithParameterName("Lambda").WithMessage("*finite*");
    }

    [Theory]
    [MemberData(nameof(NonFinite))]
    public void Lambda_SetToNonFinite_ThrowsAndKeepsPreviousValue(double lambda)
    {
        using var grl = new DomainAdaptation.GradientReversal(0.4);
        var act = () => grl.Lambda = lambda;
        act.Should().Throw<ArgumentOutOfRangeException>().WithParameterName("Lambda").WithMessage("*finite*");
        grl.Lambda.Should().Be(0.4);
    }

    [Theory]
    [MemberData(nameof(NonFinite))]
    public void ReverseGradient_NonFiniteLambda_ThrowsArgumentOutOfRange(double lambda)
    {
        using var scope = NewDisposeScope();
        var x = ones(2).requires_grad_();
        var act = () => x.ReverseGradient(lambda);
        act.Should().Throw<ArgumentOutOfRangeException>().WithParameterName("lambda").WithMessage("*finite*");
    }

    [Fact]
    public void ReverseGradient_NullTensor_ThrowsArgumentNull()
    {
        var act = () => ((Tensor)null!).ReverseGradient(1.0);
        act.Should().Throw<ArgumentNullException>();
    }

    [Theory]
    [InlineData(-1.0)]
    [InlineData(0.0)]
    [InlineData(1e6)]
    public void Lambda_FiniteValue_IsAccepted(double lambda)
    {
        using var grl = new DomainAdaptation.GradientReversal(lambda);
        grl.Lambda.Should().Be(lambda);
        grl.ToString().Should().Contain("lambda=");
    }
}
