using DomainAdaptation.Models;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace DomainAdaptation.Tests.Models;

public class ResNetFeatureExtractorTests
{
    private static readonly string[] Trunk = ["conv1", "bn1", "relu", "maxpool", "layer1", "layer2", "layer3", "layer4", "avgpool", "flatten"];

    [Fact]
    public void Build_TorchVisionResNet18WithoutFc_Gives512FeaturesAndTrainsEndToEnd()
    {
        random.manual_seed(1);
        ResNet resnet = torchvision.models.resnet18(num_classes: 10);
        var children = resnet.named_children().ToDictionary(c => c.name, c => c.module);
        ((Linear)children["fc"]).in_features.Should().Be(512);
        // The ResNet's layers in its forward order, without its classifier: input [B, 3, H, W] → [B, 512].
        Sequential trunk = nn.Sequential(Trunk.Select(name => (name, (nn.Module<Tensor, Tensor>)children[name])));

        AdaptationModelBuilder builder = new AdaptationModelBuilder()
            .WithInputShape(3, 32, 32)
            .WithFeatureExtractor(trunk, features: 512)
            .WithLabelClassifier(Heads.Mlp(512, [256], 10))
            .WithDomainClassifier(Heads.Mlp(512, [256], 1));
        using AdaptationModel model = builder.Build();

        builder.Shape!.Features.Should().Be(512);
        model.state_dict().Keys.Should().Contain("feature_extractor.layer4.1.conv2.weight")
            .And.NotContain(k => k.Contains(".fc.", StringComparison.Ordinal) && k.StartsWith("feature_extractor.", StringComparison.Ordinal));

        using var scope = NewDisposeScope();
        model.train();
        Tensor features = model.Features(randn(2, 3, 32, 32));
        features.shape.Should().Equal(2, 512);
        model.ClassifyFeatures(features).shape.Should().Equal(2, 10);
        Tensor domainLogits = builder.DomainClassifier!.call(features.ReverseGradient(1.0));
        domainLogits.shape.Should().Equal(2, 1);

        nn.functional.binary_cross_entropy_with_logits(domainLogits, tensor(new float[] { 0, 1 }).reshape(2, 1)).backward();
        model.state_dict(); // parameters stay registered after backward
        Parameter conv1 = model.FeatureExtractor.named_parameters().Single(p => p.name == "conv1.weight").parameter;
        conv1.grad.Should().NotBeNull("the domain loss reaches the ResNet's first convolution through the reversal layer");
        conv1.grad!.abs().sum().item<float>().Should().BeGreaterThan(0f);
    }
}
