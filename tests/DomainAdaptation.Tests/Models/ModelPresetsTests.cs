using DomainAdaptation.Data;
using DomainAdaptation.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace DomainAdaptation.Tests.Models;

public class ModelPresetsTests
{
    public static TheoryData<string, int, long> ImagePresets => new()
    {
        // preset, image size, expected F
        { nameof(ModelPresets.Mnist), 28, 48 * 4 * 4 },
        { nameof(ModelPresets.Mnist), 32, 48 * 5 * 5 },
        { nameof(ModelPresets.MnistModern), 28, 48 * 4 * 4 },
        { nameof(ModelPresets.MnistModern), 32, 48 * 5 * 5 },
        { nameof(ModelPresets.Svhn), 28, 128 * 3 * 3 },
        { nameof(ModelPresets.Svhn), 32, 128 * 4 * 4 },
    };

    [Theory]
    [MemberData(nameof(ImagePresets))]
    public void ImagePreset_BuildsAndForwards_GivesDeclaredShapes(string preset, int size, long features)
    {
        random.manual_seed(1);
        SampleShape shape = SampleShape.Image(3, size, size);
        AdaptationModelBuilder builder = ImagePreset(preset, shape, binaryDomain: true);
        builder.Features.Should().Be(features);

        using AdaptationModel model = builder.Build();
        builder.Shape.Should().Be(new ModelShape(shape, features, features, 10, 1));

        using var scope = NewDisposeScope();
        model.train();
        Tensor x = randn(4, 3, size, size);
        Tensor f = model.Features(x);
        f.shape.Should().Equal(4, features);
        model.ClassifyFeatures(f).shape.Should().Equal(4, 10);
        builder.DomainClassifier!.call(f).shape.Should().Equal(4, 1);
    }

    [Theory]
    [InlineData(nameof(ModelPresets.Mnist))]
    [InlineData(nameof(ModelPresets.MnistModern))]
    [InlineData(nameof(ModelPresets.Svhn))]
    public void ImagePreset_TwoDomainClasses_GivesTwoDomainLogits(string preset)
    {
        random.manual_seed(1);
        AdaptationModelBuilder builder = ImagePreset(preset, SampleShape.Image(3, 32, 32), binaryDomain: false);
        using AdaptationModel model = builder.Build();
        builder.Shape!.DomainOutputs.Should().Be(2);
        builder.Shape.HasSingleDomainLogit.Should().BeFalse();
    }

    [Fact]
    public void Mnist_Paper28_HasHandComputedParameterCount()
    {
        random.manual_seed(1);
        AdaptationModelBuilder builder = ModelPresets.Mnist(SampleShape.Image(3, 28, 28));
        using AdaptationModel model = builder.Build();

        // conv1 3·32·25+32, conv2 32·48·25+48
        Count(model.FeatureExtractor).Should().Be(2_432 + 38_448);
        // 768·100+100, 100·100+100, 100·10+10
        Count(model.LabelClassifier).Should().Be(76_900 + 10_100 + 1_010);
        // 768·100+100, 100·1+1
        Count(builder.DomainClassifier!).Should().Be(76_900 + 101);
        Count(model).Should().Be(205_891 - 77_001, "the domain classifier belongs to DANN, not to the model");
    }

    [Fact]
    public void Mnist_Paper32TwoDomainClasses_HasHandComputedParameterCount()
    {
        random.manual_seed(1);
        AdaptationModelBuilder builder = ModelPresets.Mnist(SampleShape.Image(3, 32, 32), binaryDomain: false);
        using AdaptationModel model = builder.Build();

        Count(model.FeatureExtractor).Should().Be(40_880);
        Count(model.LabelClassifier).Should().Be(120_100 + 10_100 + 1_010); // 1200·100+100 first
        Count(builder.DomainClassifier!).Should().Be(120_100 + 202);
        Count(model).Should().Be(40_880 + 131_210);
    }

    [Fact]
    public void Svhn_32_HasHandComputedParameterCount()
    {
        random.manual_seed(1);
        AdaptationModelBuilder builder = ModelPresets.Svhn(SampleShape.Image(3, 32, 32));
        using AdaptationModel model = builder.Build();

        Count(model.FeatureExtractor).Should().Be(4_864 + 102_464 + 204_928);
        Count(model.LabelClassifier).Should().Be(6_294_528 + 6_293_504 + 20_490);
        Count(builder.DomainClassifier!).Should().Be(2_098_176 + 1_049_600 + 1_025);
        Count(model).Should().Be(16_069_579 - 3_148_801);
    }

    public static TheoryData<string, int, bool, long, long, long, long> ParameterTable => new()
    {
        // preset, image size, one domain logit, F, feature extractor, label classifier, domain classifier (docs/models.md)
        { nameof(ModelPresets.Mnist), 28, true, 768, 40_880, 88_010, 77_001 },
        { nameof(ModelPresets.Mnist), 32, true, 1200, 40_880, 131_210, 120_201 },
        { nameof(ModelPresets.MnistModern), 28, true, 768, 41_040, 88_410, 77_201 },
        { nameof(ModelPresets.MnistModern), 32, true, 1200, 41_040, 131_610, 120_401 },
        { nameof(ModelPresets.Svhn), 28, true, 1152, 312_256, 9_856_010, 2_231_297 },
        { nameof(ModelPresets.Svhn), 32, true, 2048, 312_256, 12_608_522, 3_148_801 },
    };

    [Theory]
    [MemberData(nameof(ParameterTable))]
    public void ImagePreset_ParameterCounts_MatchDocumentedTable(string preset, int size, bool binaryDomain, long features, long extractor, long label, long domain)
    {
        random.manual_seed(1);
        AdaptationModelBuilder builder = ImagePreset(preset, SampleShape.Image(3, size, size), binaryDomain);
        using AdaptationModel model = builder.Build();

        builder.Shape!.Features.Should().Be(features);
        Count(model.FeatureExtractor).Should().Be(extractor);
        Count(model.LabelClassifier).Should().Be(label);
        Count(builder.DomainClassifier!).Should().Be(domain);
    }

    [Fact]
    public void MnistModern_ReproductionWidths_ParameterCountsMatchDocumentedTable()
    {
        random.manual_seed(1);
        AdaptationModelBuilder builder = ModelPresets.MnistModern(SampleShape.Image(3, 28, 28), binaryDomain: false, conv1Channels: 64, conv2Channels: 50);
        using AdaptationModel model = builder.Build();
        // conv1 3·64·25+64 + bn 128; conv2 64·50·25+50 + bn 100
        Count(model.FeatureExtractor).Should().Be(4_864 + 80_050 + 128 + 100);
        Count(model.LabelClassifier).Should().Be(80_100 + 200 + 10_100 + 200 + 1_010);
        Count(builder.DomainClassifier!).Should().Be(80_100 + 200 + 202);
    }

    [Fact]
    public void Mlp_PaperToy_HasFifteenSigmoidUnitsAndLinearHeads()
    {
        random.manual_seed(1);
        AdaptationModelBuilder builder = ModelPresets.Mlp(2);
        using AdaptationModel model = builder.Build();

        builder.Shape.Should().Be(new ModelShape(SampleShape.Vector(2), 15, 15, 2, 1));
        Count(model).Should().Be((2 * 15 + 15) + (15 * 2 + 2));
        Count(builder.DomainClassifier!).Should().Be(15 + 1);
        model.FeatureExtractor.named_children().Select(c => c.name).Should().Equal("fc1", "sigmoid1");

        using var scope = NewDisposeScope();
        Tensor features = model.Features(randn(5, 2));
        features.shape.Should().Equal(5, 15);
        // Sigmoid units lie in (0, 1).
        features.min().item<float>().Should().BeGreaterThan(0f);
        features.max().item<float>().Should().BeLessThan(1f);
        model.ClassifyFeatures(features).shape.Should().Equal(5, 2);
        builder.DomainClassifier!.call(features).shape.Should().Equal(5, 1);
    }

    [Fact]
    public void Mnist_StateDict_HasPaperLayerNamesUnderPartPrefixes()
    {
        random.manual_seed(1);
        AdaptationModelBuilder builder = ModelPresets.Mnist(SampleShape.Image(3, 28, 28));
        using AdaptationModel model = builder.Build();

        model.state_dict().Keys.Should().BeEquivalentTo(
            "feature_extractor.conv1.weight", "feature_extractor.conv1.bias",
            "feature_extractor.conv2.weight", "feature_extractor.conv2.bias",
            "label_classifier.fc1.weight", "label_classifier.fc1.bias",
            "label_classifier.fc2.weight", "label_classifier.fc2.bias",
            "label_classifier.fc3.weight", "label_classifier.fc3.bias");
        builder.DomainClassifier!.state_dict().Keys.Should().BeEquivalentTo("fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias");
    }

    [Theory]
    [InlineData(true, ScalarType.Float32)]
    [InlineData(false, ScalarType.Float32)]
    [InlineData(false, ScalarType.Float64)]
    public void Mnist_PoolBeforeRelu_EqualsPaperOrderBitwise(bool channelsLast, ScalarType dtype)
    {
        // The preset pools before the ReLU; the paper's order is conv → ReLU → pool. Written out here with the preset's
        // own weights, the paper's order must give the same features and the same gradients, bit for bit. The input
        // has exact ties and all-negative pooling windows, the cases where the two orders could pick different maxima.
        random.manual_seed(3);
        using AdaptationModel model = ModelPresets.Mnist(SampleShape.Image(3, 32, 32), seed: 5, channelsLast: channelsLast).Build();
        AssertEqualsPaperOrder(model, dtype, channelsLast, batch: 6, features: 1200, ["conv1", "conv2"], (input, w, b) =>
        {
            Tensor h = nn.functional.max_pool2d(nn.functional.relu(nn.functional.conv2d(input, w[0], b[0])), 2);
            return (nn.functional.max_pool2d(nn.functional.relu(nn.functional.conv2d(h, w[1], b[1])), 2).flatten(1), h);
        });
    }

    [Theory]
    [InlineData(true, ScalarType.Float32)]
    [InlineData(false, ScalarType.Float64)]
    public void Svhn_PoolBeforeRelu_EqualsPaperOrderBitwise(bool channelsLast, ScalarType dtype)
    {
        // As for Mnist, with the SVHN network's overlapping 3×3 / stride-2 windows (an input can be the maximum of
        // several windows) and a third convolution that is rectified without pooling.
        random.manual_seed(4);
        using AdaptationModel model = ModelPresets.Svhn(SampleShape.Image(3, 32, 32), seed: 6, channelsLast: channelsLast).Build();
        AssertEqualsPaperOrder(model, dtype, channelsLast, batch: 3, features: 2048, ["conv1", "conv2", "conv3"], (input, w, b) =>
        {
            Tensor h1 = nn.functional.max_pool2d(nn.functional.relu(nn.functional.conv2d(input, w[0], b[0])), 3, 2);
            Tensor h2 = nn.functional.max_pool2d(nn.functional.relu(nn.functional.conv2d(h1, w[1], b[1])), 3, 2);
            return (nn.functional.relu(nn.functional.conv2d(h2, w[2], b[2], padding: [2, 2])).flatten(1), h1);
        });
    }

    /// <summary>
    /// Runs the preset's feature extractor and <paramref name="paperOrder"/> (conv → ReLU → pool written out with copies
    /// of the preset's conv weights and biases) on the same 3×32×32 images with exact ties, and checks that the
    /// features and every conv weight gradient are equal bit for bit, and that the first block has ReLU-zeroed windows.
    /// </summary>
    private static void AssertEqualsPaperOrder(
        AdaptationModel model, ScalarType dtype, bool channelsLast, int batch, long features, string[] convs,
        Func<Tensor, Tensor[], Tensor[], (Tensor Features, Tensor FirstBlock)> paperOrder)
    {
        model.to(dtype);
        Dictionary<string, Tensor> weights = model.state_dict();

        using var scope = NewDisposeScope();
        Tensor images = randn(batch, 3, 32, 32, dtype).round().mul(0.5);
        Tensor upstream = randn(batch, features, dtype);

        Tensor output = model.FeatureExtractor.forward(images);
        output.backward([upstream]);
        Tensor[] presetGrads = convs.Select(c => weights[$"feature_extractor.{c}.weight"].grad!.clone()).ToArray();

        Tensor[] w = convs.Select(c => weights[$"feature_extractor.{c}.weight"].detach().clone().requires_grad_(true)).ToArray();
        Tensor[] b = convs.Select(c => weights[$"feature_extractor.{c}.bias"].detach().clone()).ToArray();
        Tensor input = channelsLast ? images.permute(0, 2, 3, 1).contiguous().permute(0, 3, 1, 2) : images;
        (Tensor reference, Tensor firstBlock) = paperOrder(input, w, b);
        reference.backward([upstream]);

        output.equal(reference).all().ToBoolean().Should().BeTrue("pool → ReLU and ReLU → pool give the same values");
        for (int i = 0; i < convs.Length; i++)
        {
            presetGrads[i].equal(w[i].grad!).all().ToBoolean().Should().BeTrue($"both orders send {convs[i]}'s gradient to the same inputs");
        }

        firstBlock.le(0).any().item<bool>().Should().BeTrue("the input must exercise windows the ReLU zeroes");
    }

    [Fact]
    public void MnistModern_ReproductionWidths_Gives800FeaturesAndBatchNormBuffers()
    {
        random.manual_seed(1);
        AdaptationModelBuilder builder = ModelPresets.MnistModern(SampleShape.Image(3, 28, 28), binaryDomain: false, conv1Channels: 64, conv2Channels: 50);
        using AdaptationModel model = builder.Build();

        builder.Shape.Should().Be(new ModelShape(SampleShape.Image(3, 28, 28), 800, 800, 10, 2));
        model.state_dict().Keys.Should().Contain(new[]
        {
            "feature_extractor.bn1.running_mean", "feature_extractor.bn2.running_var",
            "label_classifier.bn1.weight", "label_classifier.bn2.running_mean",
        });
        builder.DomainClassifier!.state_dict().Keys.Should().Contain("bn1.bias");
    }

    [Fact]
    public void MnistModern_TrainAndEval_DropoutOnlyActsInTraining()
    {
        random.manual_seed(1);
        using AdaptationModel model = ModelPresets.MnistModern(SampleShape.Image(3, 28, 28)).Build();
        using var scope = NewDisposeScope();
        Tensor x = randn(8, 3, 28, 28);

        model.eval();
        Tensor a = model.forward(x);
        Tensor b = model.forward(x);
        a.Equals(b).Should().BeTrue("evaluation is deterministic");

        model.train();
        Tensor c = model.forward(x);
        Tensor d = model.forward(x);
        c.Equals(d).Should().BeFalse("dropout draws a fresh mask in training mode");
    }

    [Theory]
    [InlineData(nameof(ModelPresets.Mnist), 15, 16)]
    [InlineData(nameof(ModelPresets.MnistModern), 12, 16)]
    [InlineData(nameof(ModelPresets.Svhn), 18, 19)]
    public void ImagePreset_ImageTooSmall_ThrowsNamingSmallestSize(string preset, int size, int smallest)
    {
        Action act = () => ImagePreset(preset, SampleShape.Image(3, size, size), binaryDomain: true);

        act.Should().Throw<ArgumentException>()
            .WithMessage($"The {preset} preset needs images of at least {smallest}×{smallest} pixels*input shape was 3×{size}×{size}.*");
    }

    [Theory]
    [InlineData(nameof(ModelPresets.Mnist), 16)]
    [InlineData(nameof(ModelPresets.Svhn), 19)]
    public void ImagePreset_SmallestSize_Builds(string preset, int size)
    {
        random.manual_seed(1);
        using AdaptationModel model = ImagePreset(preset, SampleShape.Image(3, size, size), binaryDomain: true).Build();
        model.Should().NotBeNull();
    }

    [Fact]
    public void Mnist_GreyInput_UsesOneInputChannel()
    {
        random.manual_seed(1);
        AdaptationModelBuilder builder = ModelPresets.Mnist(SampleShape.Image(1, 28, 28));
        using AdaptationModel model = builder.Build();
        model.state_dict()["feature_extractor.conv1.weight"].shape.Should().Equal(32, 1, 5, 5);
    }

    [Fact]
    public void Mnist_VectorShape_ThrowsNamingTheShape()
    {
        Action act = () => ModelPresets.Mnist(SampleShape.Vector(784));
        act.Should().Throw<ArgumentException>().WithMessage("The Mnist preset takes images (channels, height, width), but the input shape was (784).*");
    }

    [Fact]
    public void Preset_OneClass_Throws()
    {
        Action act = () => ModelPresets.Mlp(2, classes: 1);
        act.Should().Throw<ArgumentOutOfRangeException>().WithParameterName("classes");
    }

    private static AdaptationModelBuilder ImagePreset(string preset, SampleShape shape, bool binaryDomain) => preset switch
    {
        nameof(ModelPresets.Mnist) => ModelPresets.Mnist(shape, binaryDomain: binaryDomain),
        nameof(ModelPresets.MnistModern) => ModelPresets.MnistModern(shape, binaryDomain: binaryDomain),
        nameof(ModelPresets.Svhn) => ModelPresets.Svhn(shape, binaryDomain: binaryDomain),
        _ => throw new ArgumentOutOfRangeException(nameof(preset), preset, null),
    };

    private static long Count(nn.Module module) => module.parameters().Sum(p => p.numel());
}
