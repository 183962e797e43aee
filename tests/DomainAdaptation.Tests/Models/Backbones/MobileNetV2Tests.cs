using DomainAdaptation.Data;
using DomainAdaptation.Models;
using DomainAdaptation.Models.Backbones;
using DomainAdaptation.Tests.TestSupport;
using DomainAdaptation.Training;
using static TorchSharp.torch;

namespace DomainAdaptation.Tests.Models.Backbones;

[Collection(TorchSerial.Name)]
public class MobileNetV2Tests
{
    /// <summary>torchvision 0.14's MobileNetV2(width_mult=α) without classifier.*: parameters, state-dict keys, stem width.</summary>
    [Theory]
    [InlineData(1.0, 2_223_872L, 32L)]
    [InlineData(0.5, 687_680L, 16L)]
    [InlineData(0.35, 396_128L, 16L)]
    public void Constructor_WidthMultiplier_HasTorchvisionsParametersAndKeysWithoutClassifier(double alpha, long parameters, long stem)
    {
        using var mobilenet = new MobileNetV2(3, alpha);

        mobilenet.parameters().Sum(p => p.numel()).Should().Be(parameters);
        var state = mobilenet.state_dict();
        state.Should().HaveCount(312);
        state.Keys.Should().Contain(["features.0.0.weight", "features.1.conv.0.0.weight", "features.1.conv.1.weight", "features.2.conv.0.0.weight", "features.2.conv.1.0.weight", "features.2.conv.3.running_var", "features.18.1.num_batches_tracked"]);
        state.Keys.Should().NotContain(k => k.StartsWith("classifier.", StringComparison.Ordinal));
        state["features.0.0.weight"].shape.Should().Equal(stem, 3, 3, 3);
        state["features.2.conv.1.0.weight"].shape[1].Should().Be(1, "the 3×3 convolution is depthwise");
        mobilenet.Features.Should().Be(1280);
    }

    /// <summary>torchvision's _make_divisible(v, 8) on the values MobileNetV2 rounds (from torchvision 0.14 at α = 0.1 and 0.35).</summary>
    [Theory]
    [InlineData(3.2, 8)]
    [InlineData(9.6, 16)]
    [InlineData(16.0, 16)]
    [InlineData(32.0, 32)]
    [InlineData(11.2, 16)]
    [InlineData(33.6, 32)]
    [InlineData(56.0, 56)]
    [InlineData(1280.0, 1280)]
    public void MakeDivisible_TorchvisionsValues(double value, long expected) => MobileNetV2.MakeDivisible(value).Should().Be(expected);

    [Fact]
    public void Forward_Small_GivesPooledFeaturesAndResidualBlocksWhereTorchvisionHasThem()
    {
        using var mobilenet = new MobileNetV2(3, 0.35, lastChannels: 48);
        using var scope = NewDisposeScope();

        Tensor output = mobilenet.call(rand(2, 3, 32, 32));

        output.shape.Should().Equal(2, 48);
        var blocks = mobilenet.modules().OfType<InvertedResidual>().ToList();
        blocks.Should().HaveCount(17);
        // Residual in every repeated block (stride 1, same width): (24) 1, (32) 2, (64) 3, (96) 2, (160) 2 = 10.
        blocks.Count(b => b.UsesResidual).Should().Be(10);
    }

    [Fact]
    public void Constructor_BadArguments_AreRefused()
    {
        ((Action)(() => _ = new MobileNetV2(3, 0))).Should().Throw<ArgumentOutOfRangeException>().WithParameterName("widthMultiplier");
        ((Action)(() => _ = new MobileNetV2(3, double.NaN))).Should().Throw<ArgumentOutOfRangeException>().WithParameterName("widthMultiplier");
        ((Action)(() => _ = new MobileNetV2(0))).Should().Throw<ArgumentOutOfRangeException>().WithParameterName("inChannels");
        ((Action)(() => _ = new MobileNetV2(3, 1, 0))).Should().Throw<ArgumentOutOfRangeException>().WithParameterName("lastChannels");
        ((Action)(() => _ = new InvertedResidual(8, 8, 3, 6))).Should().Throw<ArgumentOutOfRangeException>().WithParameterName("stride");
    }

    [Fact]
    public void Preset_BackboneLearnsAtATenthAndHeadsFit()
    {
        AdaptationModelBuilder builder = ModelPresets.MobileNetV2(SampleShape.Image(3, 32, 32), 5, bottleneckWidth: 16, widthMultiplier: 0.35, seed: 1);
        using AdaptationModel model = builder.Build();

        model.LearningRates.FeatureExtractor.Should().Be(0.1);
        builder.BackboneFeatures.Should().Be(1280);
        builder.Features.Should().Be(16);
        using var scope = NewDisposeScope();
        model.eval();
        model.call(rand(3, 3, 32, 32)).shape.Should().Equal(3, 5);
    }

    [Fact]
    public void Preset_SmallImages_AreRefusedWithTheMinimum()
    {
        Action act = () => ModelPresets.MobileNetV2(SampleShape.Image(3, 28, 28), 10);

        act.Should().Throw<ArgumentException>().WithMessage("*MobileNetV2*at least 32×32*3×28×28*");
    }

    [Fact]
    public void Preset_SameSeed_SameWeights()
    {
        using AdaptationModel a = ModelPresets.MobileNetV2(SampleShape.Image(3, 32, 32), 5, widthMultiplier: 0.35, seed: 3).Build();
        using AdaptationModel b = ModelPresets.MobileNetV2(SampleShape.Image(3, 32, 32), 5, widthMultiplier: 0.35, seed: 3).Build();

        a.parameters().Zip(b.parameters()).Should().OnlyContain(p => p.First.allclose(p.Second, 0, 0, false));
    }

    /// <summary>
    /// The depthwise convolutions (one input channel per group) are clear of libtorch 2.10's unwritten-gradient bug
    /// (ResNetTests.Backward_FreshWidth16ModelsAfterNaNGarbage…): with the allocator handing out NaN-filled memory,
    /// 40 fresh α = 0.35 models (stem 3→16) give finite gradients, the same every time.
    /// </summary>
    [Fact]
    public void Backward_FreshModelsAfterNaNGarbage_GradientsFiniteAndRepeatable() =>
        BackboneChecks.FreshModelsGiveFiniteRepeatableGradients(() => new MobileNetV2(3, 0.35, lastChannels: 64), "features.2.conv.1.0.weight", trials: 40);

    /// <summary>Every method of the catalogue trains on the MobileNetV2 preset: two steps, finite losses.</summary>
    [Theory]
    [MemberData(nameof(BackboneChecks.EveryMethod), MemberType = typeof(BackboneChecks))]
    public void Train_EveryMethodOnMobileNetV2_RunsWithFiniteLosses(string method) =>
        BackboneChecks.TrainsWithFiniteLosses(seed => ModelPresets.MobileNetV2(SampleShape.Image(3, 32, 32), 3, bottleneckWidth: 16, widthMultiplier: 0.35, seed: seed), method);
}
