using TorchSharp;
using static TorchSharp.torch;

namespace DomainAdaptation.Tests.Runtime;

public class SmokeTests
{
    [Fact]
    public void Torch_Initialises_InTestProcess()
    {
        var a = ones(2, 3, dtype: ScalarType.Float64);
        var b = ones(3, 2, dtype: ScalarType.Float64);
        var c = a.matmul(b);
        c.sum().item<double>().Should().Be(12.0);
    }
}
