using DomainAdaptation.Data;
using DomainAdaptation.Models;
using DomainAdaptation.Models.Backbones;
using DomainAdaptation.Tests.TestSupport;
using DomainAdaptation.Training;
using static TorchSharp.torch;

namespace DomainAdaptation.Tests.Models.Backbones;

[Collection(TorchSerial.Name)]
public class ResNetTests
{
    [Theory]
    [InlineData(ResNetDepth.ResNet18, 11_176_512L, 120)]
    [InlineData(ResNetDepth.ResNet50, 23_508_032L, 318)]
    public void Constructor_Width64_HasTorchvisionsParametersAndKeysWithoutFc(ResNetDepth depth, long parameters, int keys)
    {
        // torchvision: resnet18 11,689,512 parameters − fc 513,000; resnet50 25,557,032 − fc 2,049,000.
        using var resnet = new ResNet(depth);

        resnet.parameters().Sum(p => p.numel()).Should().Be(parameters);
        var stateKeys = resnet.state_dict().Keys.ToList();
        stateKeys.Should().HaveCount(keys);
        stateKeys.Should().Contain(["conv1.weight", "bn1.running_mean", "layer1.0.conv1.weight", "layer2.0.downsample.0.weight", "layer2.0.downsample.1.num_batches_tracked", "layer4.1.bn2.bias"]);
        stateKeys.Should().NotContain(k => k.StartsWith("fc.", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(ResNetDepth.ResNet18, 32)]
    [InlineData(ResNetDepth.ResNet34, 32)]
    [InlineData(ResNetDepth.ResNet50, 128)]
    public void Forward_Width4_GivesPooledFeatures(ResNetDepth depth, long features)
    {
        using var resnet = new ResNet(depth, 3, 4);
        using var scope = NewDisposeScope();

        Tensor output = resnet.call(rand(2, 3, 32, 32));

        resnet.Features.Should().Be(features);
        output.shape.Should().Equal(2, features);
    }

    [Fact]
    public void Preset_BackboneLearnsAtATenthAndHeadsFit()
    {
        AdaptationModelBuilder builder = ModelPresets.ResNet(ResNetDepth.ResNet18, SampleShape.Image(3, 32, 32), 5, bottleneckWidth: 16, width: 4, seed: 1);
        using AdaptationModel model = builder.Build();

        model.LearningRates.FeatureExtractor.Should().Be(0.1);
        (model.LearningRates.Bottleneck, model.LearningRates.LabelClassifier).Should().Be((1.0, 1.0));
        builder.Features.Should().Be(16);
        using var scope = NewDisposeScope();
        model.eval();
        model.call(rand(3, 3, 32, 32)).shape.Should().Equal(3, 5);
    }

    [Fact]
    public void Preset_SmallImages_AreRefusedWithTheMinimum()
    {
        Action act = () => ModelPresets.ResNet(ResNetDepth.ResNet18, SampleShape.Image(3, 28, 28), 10);

        act.Should().Throw<ArgumentException>().WithMessage("*at least 32×32*3×28×28*");
    }

    [Fact]
    public void Preset_SameSeed_SameWeights()
    {
        using AdaptationModel a = ModelPresets.ResNet(ResNetDepth.ResNet18, SampleShape.Image(3, 32, 32), 5, width: 4, seed: 3).Build();
        using AdaptationModel b = ModelPresets.ResNet(ResNetDepth.ResNet18, SampleShape.Image(3, 32, 32), 5, width: 4, seed: 3).Build();

        a.parameters().Zip(b.parameters()).Should().OnlyContain(p => p.First.allclose(p.Second, 0, 0, false));
    }

    /// <summary>
    /// Fresh models' gradients are finite and the same every time, even when the allocator hands out memory that
    /// held NaN. libtorch 2.10's CPU convolution backward leaves part of the input gradient unwritten for
    /// convolutions with 1–3 input channels and fewer than 16 output channels; at width 4 a ResNet-18's gradients
    /// were NaN in about 1 fresh model in 300 (the CI failure of Train_EveryMethodOnResNet). Width 16 and up are clear.
    /// </summary>
    [Fact]
    public void Backward_FreshWidth16ModelsAfterNaNGarbage_GradientsFiniteAndRepeatable() =>
        BackboneChecks.FreshModelsGiveFiniteRepeatableGradients(() => new ResNet(ResNetDepth.ResNet18, 3, 16), "conv1.weight", trials: 60);

    /// <summary>Every method of the catalogue trains on the ResNet preset: two steps, finite losses (the loop's NaN check would stop it).</summary>
    [Theory]
    [MemberData(nameof(BackboneChecks.EveryMethod), MemberType = typeof(BackboneChecks))]
    public void Train_EveryMethodOnResNet_RunsWithFiniteLosses(string method) =>
        BackboneChecks.TrainsWithFiniteLosses(seed => ModelPresets.ResNet(ResNetDepth.ResNet18, SampleShape.Image(3, 32, 32), 3, bottleneckWidth: 16, width: 16, seed: seed), method);

    /// <summary>The pretrained-backbone recipe: ImageNet normalisation and torchvision's random resized crop + flip + jitter on both domains; seeded, so two runs agree bit for bit.</summary>
    [Fact]
    public void Train_ResizedCropBothDomainsImageNetNormalised_FiniteAndRepeatable()
    {
        var shape = SampleShape.Image(3, 32, 32);
        using var data = Images(12, seed: 5);
        Dictionary<string, Tensor> Run()
        {
            AdaptationModelBuilder builder = ModelPresets.ResNet(ResNetDepth.ResNet18, shape, 3, bottleneckWidth: 16, width: 16, seed: 1);
            using AdaptationModel model = builder.Build();
            using AdaptationMethod adaptation = MethodCatalog.Create("dann", new MethodRequest { DomainClassifier = builder.DomainClassifier });
            var options = new AdaptationTrainerOptions
            {
                Steps = 3,
                BatchSizePerDomain = 4,
                Seed = 1,
                Monitoring = { LogInterval = 0 },
                Evaluation = { Interval = 0 },
                Input =
                {
                    Normalisation = NormalisationKind.ImageNet,
                    SourceAugmentation = DomainAdaptation.Data.Augmentation.AugmentationKind.ResizedCrop,
                    TargetAugmentation = DomainAdaptation.Data.Augmentation.AugmentationKind.ResizedCrop,
                    ResizedCrop = new() { Brightness = 0.4, Contrast = 0.4, Saturation = 0.4 },
                },
            };
            using var trainer = new AdaptationTrainer(model, data, adaptation, options);
            var steps = new List<StepMetrics>();
            trainer.Train(new SyncProgress<StepMetrics>(steps.Add));
            steps.Should().OnlyContain(s => double.IsFinite(s.TotalLoss));
            trainer.Normalisation.Should().Be(DomainAdaptation.Data.Batching.ChannelNormalisation.ImageNet);
            return TestModels.Snapshot(model);
        }

        TestModels.BitwiseEqual(Run(), Run(), out string difference).Should().BeTrue($"'{difference}' differs between two seeded runs");
    }
    private static DomainDataset Images(int count, int seed) => BackboneChecks.Images(count, seed);
}
