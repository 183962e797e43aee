using TorchSharp;
using static TorchSharp.torch;

namespace DomainAdaptation.Tests.GradientReversal;

/// <summary>Group 7 of issue 2 §3: the layer runs on CUDA when a CUDA device and a CUDA build of libtorch are present.</summary>
public class GradientReversalDeviceTests
{
    private const string NoCuda =
        "CUDA is not available: the test project references the CPU-only libtorch package and/or this machine has no CUDA device.";

    [SkippableFact]
    public void Backward_OnCuda_ForwardIsIdentityAndGradientIsMinusLambdaTimesWeights()
    {
        Skip.IfNot(cuda.is_available(), NoCuda);

        using var scope = NewDisposeScope();
        var device = new Device(DeviceType.CUDA, 0);
        var gen = new Generator(70);
        var xCpu = randn([8, 16], dtype: ScalarType.Float32, generator: gen);
        var wCpu = randn([8, 16], dtype: ScalarType.Float32, generator: gen);
        var x = xCpu.to(device).requires_grad_();
        var w = wCpu.to(device);
        using var grl = new DomainAdaptation.GradientReversal(lambda: 2.5);

        var y = grl.forward(x);
        y.device_type.Should().Be(DeviceType.CUDA);
        y.cpu().data<float>().ToArray().Should().Equal(xCpu.data<float>().ToArray());

        y.mul(w).sum().backward();
        float[] expected = wCpu.data<float>().ToArray().Select(v => -2.5f * v).ToArray();
        x.grad!.device_type.Should().Be(DeviceType.CUDA);
        x.grad.cpu().data<float>().ToArray().Should().Equal(expected);
    }
}
