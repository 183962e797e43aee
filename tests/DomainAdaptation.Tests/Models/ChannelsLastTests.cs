using DomainAdaptation.Data;
using DomainAdaptation.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace DomainAdaptation.Tests.Models;

public class ChannelsLastTests
{
    [Fact]
    public void Forward_Images_KeepsShapeAndValuesWithChannelsLastStrides()
    {
        using var scope = NewDisposeScope();
        using var generator = new Generator(3);
        Tensor x = randn([2, 3, 5, 4], generator: generator);
        using var layer = new ChannelsLast();

        Tensor y = layer.call(x);

        y.shape.Should().Equal(2, 3, 5, 4);
        y.stride().Should().Equal(60, 1, 12, 3);
        ChannelsLast.IsChannelsLast(y).Should().BeTrue();
        ChannelsLast.IsChannelsLast(x).Should().BeFalse();
        y.allclose(x, rtol: 0, atol: 0).Should().BeTrue();
    }

    [Fact]
    public void Forward_AlreadyChannelsLast_KeepsLayoutAndValues()
    {
        using var scope = NewDisposeScope();
        using var layer = new ChannelsLast();
        Tensor x = layer.call(arange(24, dtype: ScalarType.Float32).reshape(1, 2, 3, 4));

        Tensor y = layer.call(x);

        ChannelsLast.IsChannelsLast(y).Should().BeTrue();
        y.allclose(x, rtol: 0, atol: 0).Should().BeTrue();
        y[0, 1, 2, 3] = tensor(-1f);
        x[0, 1, 2, 3].item<float>().Should().Be(-1f, "an input already laid out channels-last is not copied");
    }

    [Fact]
    public void Forward_NotRank4_PassesThroughUnchanged()
    {
        using var scope = NewDisposeScope();
        using var layer = new ChannelsLast();
        Tensor x = arange(6, dtype: ScalarType.Float32).reshape(2, 3);

        Tensor y = layer.call(x);

        y.stride().Should().Equal(3, 1);
        y.allclose(x, rtol: 0, atol: 0).Should().BeTrue();
    }

    [Fact]
    public void Forward_Gradient_FlowsBackUnchanged()
    {
        using var scope = NewDisposeScope();
        using var layer = new ChannelsLast();
        using var generator = new Generator(5);
        Tensor x = randn([2, 3, 4, 4], dtype: ScalarType.Float64, generator: generator).requires_grad_(true);
        Tensor weights = randn([2, 3, 4, 4], dtype: ScalarType.Float64, generator: generator);

        (layer.call(x) * weights).sum().backward();

        x.grad!.allclose(weights).Should().BeTrue();
    }

    [Theory]
    [InlineData(nameof(ModelPresets.Mnist))]
    [InlineData(nameof(ModelPresets.MnistModern))]
    [InlineData(nameof(ModelPresets.Svhn))]
    public void ImagePreset_ChannelsLastOnOrOff_SameOutputsAndGradients(string preset)
    {
        using var scope = NewDisposeScope();
        int size = preset == nameof(ModelPresets.Svhn) ? 32 : 28;
        SampleShape shape = SampleShape.Image(3, size, size);
        using AdaptationModel fast = Build(preset, shape, channelsLast: true);
        using AdaptationModel plain = Build(preset, shape, channelsLast: false);
        // The same weights, whatever else draws from torch's global generator meanwhile.
        plain.load_state_dict(fast.state_dict());
        fast.FeatureExtractor.named_children().First().name.Should().Be("channels_last");
        plain.FeatureExtractor.named_children().Select(c => c.name).Should().NotContain("channels_last");
        fast.eval();
        plain.eval();
        using var generator = new Generator(11);
        Tensor x = randn([4, 3, size, size], generator: generator);

        Tensor fa = fast.Features(x), fb = plain.Features(x);
        Tensor a = fast.ClassifyFeatures(fa), b = plain.ClassifyFeatures(fb);
        (a.sum() + fa.sum()).backward();
        (b.sum() + fb.sum()).backward();

        // Same values up to float32 rounding (oneDNN sums in another order for NHWC); the features keep NCHW order.
        MaxAbsDifference(fa, fb).Should().BeLessThan(1e-4);
        MaxAbsDifference(a, b).Should().BeLessThan(1e-4);
        var plainGrads = plain.named_parameters().ToDictionary(p => p.name, p => p.parameter.grad!);
        foreach (var (name, parameter) in fast.named_parameters())
        {
            MaxAbsDifference(parameter.grad!, plainGrads[name]).Should().BeLessThan(1e-3 * Math.Max(1.0, plainGrads[name].abs().max().item<float>()), $"the gradient of {name} is the same");
        }
    }

    private static double MaxAbsDifference(Tensor a, Tensor b) => (a - b).abs().max().item<float>();

    private static AdaptationModel Build(string preset, SampleShape shape, bool channelsLast) => (preset switch
    {
        nameof(ModelPresets.Mnist) => ModelPresets.Mnist(shape, seed: 7, channelsLast: channelsLast),
        nameof(ModelPresets.MnistModern) => ModelPresets.MnistModern(shape, seed: 7, channelsLast: channelsLast),
        _ => ModelPresets.Svhn(shape, seed: 7, channelsLast: channelsLast),
    }).Build();
}
