using System.Collections;
using DomainAdaptation.Data;
using DomainAdaptation.Models;
using DomainAdaptation.Models.Backbones;
using TorchSharp.PyBridge;
using static TorchSharp.torch;

namespace DomainAdaptation.PyTorch.Tests;

/// <summary>
/// Against PyTorch itself: Fixtures/make_fixtures.py (torch 1.13, torchvision 0.14) wrote narrow ResNets built from
/// torchvision's own blocks and a narrow torchvision MobileNetV2, their state dicts (.pth as torch.save writes it, and
/// .safetensors), an input and the pooled features PyTorch computed in evaluation mode. Our backbones with those weights
/// compute the same features.
/// </summary>
public class PyTorchWeightsTests
{
    private const double Tolerance = 1e-5;

    private static string Fixture(string name) => Path.Combine(AppContext.BaseDirectory, "Fixtures", name);

    [Theory]
    [InlineData(ResNetDepth.ResNet18, 4, "resnet18_w4", "resnet18_w4.pth")]
    [InlineData(ResNetDepth.ResNet18, 4, "resnet18_w4", "resnet18_w4.safetensors")]
    [InlineData(ResNetDepth.ResNet50, 2, "resnet50_w2", "resnet50_w2.safetensors")]
    public void Load_TorchvisionCheckpoint_FeaturesEqualPyTorchs(ResNetDepth depth, int width, string fixture, string file)
    {
        using var resnet = new ResNet(depth, 3, width);

        PyTorchWeightsResult result = PyTorchWeights.Load(resnet, Fixture(file), PyTorchWeightsOptions.TorchvisionBackbone);

        result.Ignored.Should().Equal("fc.bias", "fc.weight");
        result.Loaded.Count.Should().Be(resnet.state_dict().Count);
        (Tensor input, Tensor expected) = InputAndFeatures(fixture);
        resnet.eval();
        using var noGrad = no_grad();
        using Tensor actual = resnet.call(input);
        actual.shape.Should().Equal(expected.shape);
        (actual - expected).abs().max().item<float>().Should().BeLessThan((float)Tolerance);
    }

    /// <summary>torchvision's own MobileNetV2 class (α = 0.1, last convolution 64 wide): its classifier.* is ignored, the rest loads key for key.</summary>
    [Fact]
    public void Load_TorchvisionMobileNetV2_FeaturesEqualPyTorchs()
    {
        using var mobilenet = new MobileNetV2(3, 0.1, lastChannels: 64);

        PyTorchWeightsResult result = PyTorchWeights.Load(mobilenet, Fixture("mobilenet_v2_w01.safetensors"), PyTorchWeightsOptions.TorchvisionBackbone);

        result.Ignored.Should().Equal("classifier.1.bias", "classifier.1.weight");
        result.Loaded.Count.Should().Be(mobilenet.state_dict().Count);
        (Tensor input, Tensor expected) = InputAndFeatures("mobilenet_v2_w01");
        mobilenet.eval();
        using var noGrad = no_grad();
        using Tensor actual = mobilenet.call(input);
        actual.shape.Should().Equal(2, 64);
        (actual - expected).abs().max().item<float>().Should().BeLessThan((float)Tolerance);
    }

    [Fact]
    public void Load_MobileNetV2IntoResNet_IsOneErrorListingTheKeys()
    {
        using var resnet = new ResNet(ResNetDepth.ResNet18, 3, 4);

        Action act = () => PyTorchWeights.Load(resnet, Fixture("mobilenet_v2_w01.safetensors"), PyTorchWeightsOptions.TorchvisionBackbone);

        var error = act.Should().Throw<PyTorchWeightsException>().Which;
        error.Missing.Should().Contain("conv1.weight");
        error.Unexpected.Should().Contain("features.0.0.weight");
    }

    [Fact]
    public void Load_IntoWholeModelWithPrefix_LoadsTheBackboneAndReportsTheRest()
    {
        AdaptationModelBuilder builder = ModelPresets.ResNet(ResNetDepth.ResNet18, SampleShape.Image(3, 32, 32), 10, bottleneckWidth: 16, width: 4, seed: 1);
        using AdaptationModel model = builder.Build();

        PyTorchWeightsResult result = PyTorchWeights.Load(model, Fixture("resnet18_w4.safetensors"),
            new PyTorchWeightsOptions { AddPrefix = "feature_extractor.", IgnoredPrefixes = ["feature_extractor.fc."], AllowMissing = true });

        result.Missing.Should().OnlyContain(k => k.StartsWith("bottleneck.", StringComparison.Ordinal) || k.StartsWith("label_classifier.", StringComparison.Ordinal));
        (Tensor input, Tensor expected) = InputAndFeatures("resnet18_w4");
        model.eval();
        using var noGrad = no_grad();
        using Tensor actual = model.FeatureExtractor.call(input);
        (actual - expected).abs().max().item<float>().Should().BeLessThan((float)Tolerance);
    }

    [Fact]
    public void Load_WiderResNet_ListsMisShapedKeysAndLoadsNothing()
    {
        using var resnet = new ResNet(ResNetDepth.ResNet18, 3, 8);
        float before = resnet.state_dict()["conv1.weight"].sum().item<float>();

        Action act = () => PyTorchWeights.Load(resnet, Fixture("resnet18_w4.pth"), PyTorchWeightsOptions.TorchvisionBackbone);

        var error = act.Should().Throw<PyTorchWeightsException>().Which;
        error.MisShaped.Should().Contain(m => m.Key == "conv1.weight" && m.FileShape.SequenceEqual(new long[] { 4, 3, 7, 7 }) && m.ModuleShape.SequenceEqual(new long[] { 8, 3, 7, 7 }));
        error.Message.Should().Contain("resnet18_w4.pth").And.Contain("conv1.weight file [4, 3, 7, 7] vs module [8, 3, 7, 7]").And.Contain("Nothing was loaded");
        resnet.state_dict()["conv1.weight"].sum().item<float>().Should().Be(before);
    }

    [Fact]
    public void Load_OtherArchitecture_ListsMissingAndUnexpected()
    {
        using var resnet = new ResNet(ResNetDepth.ResNet50, 3, 4);

        Action act = () => PyTorchWeights.Load(resnet, Fixture("resnet18_w4.safetensors"), PyTorchWeightsOptions.TorchvisionBackbone);

        var error = act.Should().Throw<PyTorchWeightsException>().Which;
        error.Missing.Should().Contain("layer1.0.conv3.weight");
        error.Unexpected.Should().BeEmpty("every ResNet-18 key exists in a ResNet-50 of the same width, with other shapes");
        error.MisShaped.Should().NotBeEmpty();
        error.Message.Should().MatchRegex(@"\d+ missing \(in the module, not in the file\): .*layer1\.0\.conv3\.weight");
    }

    [Fact]
    public void Load_ClassifierKeysNotIgnored_AreUnexpected()
    {
        using var resnet = new ResNet(ResNetDepth.ResNet18, 3, 4);

        Action act = () => PyTorchWeights.Load(resnet, Fixture("resnet18_w4.pth"));

        act.Should().Throw<PyTorchWeightsException>().Which.Unexpected.Should().Equal("fc.bias", "fc.weight");
    }

    [Fact]
    public void Load_TextFile_IsAClearDataError()
    {
        string path = Path.Combine(Path.GetTempPath(), "da-not-weights-" + Guid.NewGuid().ToString("N")[..8] + ".pth");
        File.WriteAllText(path, "these are not weights");
        try
        {
            using var resnet = new ResNet(ResNetDepth.ResNet18, 3, 4);
            Action act = () => PyTorchWeights.Load(resnet, path);

            act.Should().Throw<InvalidDataException>().WithMessage($"'{path}' cannot be read as a PyTorch state dict*");
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Load_MissingFile_NamesIt()
    {
        using var resnet = new ResNet(ResNetDepth.ResNet18, 3, 4);

        Action act = () => PyTorchWeights.Load(resnet, "/no/such/weights.pth");

        act.Should().Throw<FileNotFoundException>().WithMessage("*'/no/such/weights.pth' does not exist*");
    }

    private static (Tensor Input, Tensor Features) InputAndFeatures(string fixture)
    {
        Hashtable io = PyTorchUnpickler.UnpickleStateDict(Fixture(fixture + ".io.pth"));
        return ((Tensor)io["input"]!, (Tensor)io["features"]!);
    }
}
