using DomainAdaptation.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace DomainAdaptation.Tests.Models;

public class HeadsTests
{
    [Fact]
    public void Mlp_WithBatchNormAndDropout_NamesLayersInOrder()
    {
        random.manual_seed(1);
        var head = Heads.Mlp(768, [100, 50], 10, dropout: 0.5, batchNorm: true);

        head.named_children().Select(c => c.name).Should().Equal(
            "fc1", "bn1", "relu1", "drop1", "fc2", "bn2", "relu2", "drop2", "fc3");
        using var scope = NewDisposeScope();
        head.call(randn(4, 768)).shape.Should().Equal(4, 10);
    }

    [Fact]
    public void Mlp_NoHidden_IsOneLinearLayer()
    {
        random.manual_seed(1);
        var head = Heads.Mlp(15, [], 2);
        head.named_children().Select(c => c.name).Should().Equal("fc1");
        head.parameters().Sum(p => p.numel()).Should().Be(15 * 2 + 2);
    }

    [Theory]
    [InlineData(HiddenActivation.Sigmoid, "sigmoid1")]
    [InlineData(HiddenActivation.Tanh, "tanh1")]
    [InlineData(HiddenActivation.Relu, "relu1")]
    public void Mlp_Activation_UsesNamedLayer(HiddenActivation activation, string name)
    {
        random.manual_seed(1);
        Heads.Mlp(4, [3], 2, activation: activation).named_children().Select(c => c.name).Should().Equal("fc1", name, "fc2");
    }

    [Fact]
    public void Mlp_BadSizes_Throw()
    {
        FluentActions.Invoking(() => Heads.Mlp(0, [10], 2)).Should().Throw<ArgumentOutOfRangeException>().WithParameterName("inFeatures");
        FluentActions.Invoking(() => Heads.Mlp(4, [10, 0], 2)).Should().Throw<ArgumentOutOfRangeException>().WithMessage("Hidden layer 2 *");
        FluentActions.Invoking(() => Heads.Mlp(4, [10], 2, dropout: 1.0)).Should().Throw<ArgumentOutOfRangeException>().WithParameterName("dropout");
    }

    [Fact]
    public void ExpectedInputFeatures_NestedSequential_FindsFirstLinear()
    {
        random.manual_seed(1);
        var head = nn.Sequential(("block", nn.Sequential(("act", nn.ReLU()), ("proj", nn.Linear(64, 8)))), ("out", nn.Linear(8, 2)));
        ModelInspector.ExpectedInputFeatures(head, string.Empty).Should().Be((64L, "'block.proj' (Linear)"));
    }
}
