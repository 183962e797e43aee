using TorchSharp;
using static TorchSharp.torch;

namespace DomainAdaptation.Tests.GradientReversal;

/// <summary>Group 1 of issue 2 §3: the forward pass is an exact identity.</summary>
public class GradientReversalForwardTests
{
    // Values chosen to expose any arithmetic in the forward pass: signed zeros, NaN, infinities, a subnormal, extremes.
    private static readonly double[] Special =
    [
        1.5, -0.0, 0.0, double.NaN, double.PositiveInfinity, double.NegativeInfinity,
        -3.25e-3, 7.0e5, 1e-45, -2.0, 0.1, 123.456,
    ];

    public static TheoryData<ScalarType, bool, bool> Cases()
    {
        var data = new TheoryData<ScalarType, bool, bool>();
        foreach (ScalarType dtype in new[] { ScalarType.Float32, ScalarType.Float64, ScalarType.Float16, ScalarType.BFloat16 })
        {
            foreach (bool requiresGrad in new[] { true, false })
            {
                foreach (bool viaModule in new[] { true, false })
                {
                    data.Add(dtype, requiresGrad, viaModule);
                }
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Forward_AnyFloatingInput_ReturnsBitwiseIdenticalValuesShapeDtypeDevice(ScalarType dtype, bool requiresGrad, bool viaModule)
    {
        using var scope = NewDisposeScope();
        var x = tensor(Special, dtype: ScalarType.Float64).reshape(3, 4).to(dtype).requires_grad_(requiresGrad);
        using var grl = new DomainAdaptation.GradientReversal(lambda: 0.7);

        var y = viaModule ? grl.forward(x) : x.ReverseGradient(0.7);

        y.shape.Should().Equal(x.shape);
        y.dtype.Should().Be(dtype);
        y.device_type.Should().Be(x.device_type);
        y.device_index.Should().Be(x.device_index);
        y.requires_grad.Should().Be(requiresGrad);
        Bytes(y).Should().Equal(Bytes(x), "the forward pass must not touch a single bit");
    }

    [Fact]
    public void Forward_InputRequiringGrad_RecordsAnAutogradNode()
    {
        using var scope = NewDisposeScope();
        var x = randn(5, dtype: ScalarType.Float64, generator: new Generator(7)).requires_grad_();

        var y = x.ReverseGradient(1.0);

        // The reversal must be a node of its own, otherwise backward could not change the gradient.
        y.is_leaf.Should().BeFalse();
        y.Handle.Should().NotBe(x.Handle);
    }

    private static byte[] Bytes(Tensor t) => t.detach().contiguous().bytes.ToArray();
}
