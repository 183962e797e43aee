using static TorchSharp.torch;

namespace DomainAdaptation.Tests.GradientReversal;

/// <summary>Group 6 of issue 2 §3: no effect and no error under no_grad() and in eval mode.</summary>
public class GradientReversalInferenceTests
{
    [Fact]
    public void Forward_UnderNoGrad_ReturnsEqualValuesAndRecordsNothing()
    {
        using var scope = NewDisposeScope();
        var x = randn([2, 3], dtype: ScalarType.Float32, generator: new Generator(60)).requires_grad_();
        using var grl = new DomainAdaptation.GradientReversal(lambda: 1.0);

        Tensor viaModule, viaExtension;
        using (no_grad())
        {
            viaModule = grl.forward(x);
            viaExtension = x.ReverseGradient(3.0);
        }

        foreach (var y in new[] { viaModule, viaExtension })
        {
            // Like any operation under no_grad(): no node, so no un-reversed gradient can reach x through y later.
            y.requires_grad.Should().BeFalse();
            y.data<float>().ToArray().Should().Equal(x.data<float>().ToArray());
        }

        x.grad.Should().BeNull();
    }

    [Fact]
    public void Forward_InEvalMode_IsIdentityAndStillReversesGradients()
    {
        using var scope = NewDisposeScope();
        var x = randn([2, 3], dtype: ScalarType.Float64, generator: new Generator(61)).requires_grad_();
        using var grl = new DomainAdaptation.GradientReversal(lambda: 0.8);
        grl.eval();

        var y = grl.forward(x);
        y.data<double>().ToArray().Should().Equal(x.data<double>().ToArray());

        // eval() switches off training-only behaviour (dropout, batch-norm statistics); the layer has none, so a
        // gradient taken in eval mode is still reversed.
        y.sum().backward();
        x.grad!.data<double>().ToArray().Should().OnlyContain(v => v == -0.8);
        grl.training.Should().BeFalse();
    }

    [Fact]
    public void Forward_InEvalModeUnderNoGrad_ReturnsEqualValues()
    {
        using var scope = NewDisposeScope();
        var x = randn([4], dtype: ScalarType.Float64, generator: new Generator(62));
        using var grl = new DomainAdaptation.GradientReversal(lambda: 5.0);
        grl.eval();

        using (no_grad())
        {
            grl.forward(x).data<double>().ToArray().Should().Equal(x.data<double>().ToArray());
        }
    }
}
