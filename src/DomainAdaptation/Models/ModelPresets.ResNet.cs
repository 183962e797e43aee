using DomainAdaptation.Data;
using DomainAdaptation.Models.Backbones;

namespace DomainAdaptation.Models;

public static partial class ModelPresets
{
    /// <summary>The bottleneck width of Transfer-Learning-Library's image classifiers (and the default here).</summary>
    public const int DefaultBottleneckWidth = 256;

    /// <summary>The backbone's learning-rate multiplier for pretrained backbones (tllib: 0.1).</summary>
    public const double DefaultBackboneLearningRate = 0.1;

    /// <summary>
    /// A ResNet (torchvision's layout and keys, <see cref="Backbones.ResNet"/>) as the feature extractor, as
    /// Transfer-Learning-Library builds its Office-31 / VisDA models: backbone features F₀ (512 or 2048) → bottleneck
    /// <c>fc1</c> F₀→256 → <c>bn1</c> → ReLU → <c>drop1</c>(0.5) → label classifier <c>fc1</c> 256→K; the backbone
    /// learns at ×0.1 the base rate (it is meant to start from ImageNet weights: load them with DomainAdaptation.PyTorch
    /// into <c>builder.FeatureExtractor</c> before <see cref="AdaptationModelBuilder.Build"/>), the new layers at ×1.
    /// </summary>
    /// <remarks>
    /// Domain classifier (for DANN and CDAN-style methods): tllib's <c>DomainDiscriminator(256, hidden 1024)</c>,
    /// <c>fc1</c> 256→1024 → <c>bn1</c> → ReLU → <c>fc2</c> 1024→1024 → <c>bn2</c> → ReLU → <c>fc3</c> 1024→1 (or 2).
    /// Every method of the catalogue runs on it; the ONNX exporter writes its classifier path.
    /// </remarks>
    /// <param name="depth">ResNet-18, -34 or -50.</param>
    /// <param name="inputShape">An image shape (C, H, W); 3×224×224 for ImageNet weights; at least 32×32.</param>
    /// <param name="classes">The number of classes; at least 2.</param>
    /// <param name="bottleneckWidth">The bottleneck width F (tllib: 256).</param>
    /// <param name="backboneLearningRate">The backbone's learning-rate multiplier (0.1 for pretrained weights; 1 from scratch).</param>
    /// <param name="width">The ResNet's base width (torchvision: 64; only 64 loads torchvision's weights).</param>
    /// <param name="binaryDomain">True for one domain logit, false for two domain classes.</param>
    /// <param name="seed">The seed for the weights, or null to draw from torch's global generator.</param>
    /// <returns>A builder with the four parts, the input shape and the feature sizes set.</returns>
    /// <exception cref="ArgumentException">When the shape is not an image shape or is smaller than 32×32.</exception>
    /// <exception cref="ArgumentOutOfRangeException">When a size is not positive or <paramref name="classes"/> &lt; 2.</exception>
    public static AdaptationModelBuilder ResNet(
        ResNetDepth depth,
        SampleShape inputShape,
        int classes,
        int bottleneckWidth = DefaultBottleneckWidth,
        double backboneLearningRate = DefaultBackboneLearningRate,
        int width = 64,
        bool binaryDomain = true,
        long? seed = null)
    {
        var resnet = (Func<Backbones.ResNet>)(() => new Backbones.ResNet(depth, inputShape.Channels, width));
        return TllibImageClassifier(nameof(ResNet), inputShape, classes, bottleneckWidth, backboneLearningRate, binaryDomain, seed, resnet, r => r.Features);
    }

    /// <summary>
    /// The tllib image classifier around a backbone (the ResNet and MobileNetV2 presets): the size checks, then, in one
    /// seeded initialisation and in this order, the backbone, the bottleneck F₀→F (batch norm, ReLU, dropout 0.5), the
    /// label classifier F→K and the domain discriminator F→1024→1024→1 (or 2).
    /// </summary>
    private static AdaptationModelBuilder TllibImageClassifier<TBackbone>(
        string preset, SampleShape inputShape, int classes, int bottleneckWidth, double backboneLearningRate, bool binaryDomain, long? seed,
        Func<TBackbone> createBackbone, Func<TBackbone, long> features)
        where TBackbone : TorchSharp.torch.nn.Module<TorchSharp.torch.Tensor, TorchSharp.torch.Tensor>
    {
        CheckImage(inputShape, preset);
        CheckClasses(classes);
        if (inputShape.Height < 32 || inputShape.Width < 32)
        {
            throw new ArgumentException($"The {preset} preset needs images of at least 32×32 (five halvings), but the input shape was ({inputShape}).", nameof(inputShape));
        }

        if (bottleneckWidth <= 0) throw new ArgumentOutOfRangeException(nameof(bottleneckWidth), bottleneckWidth, "The bottleneck width must be positive.");
        var (backbone, bottleneck, labels, domain) = SeededInitialization.Run(seed, () =>
        {
            TBackbone net = createBackbone();
            return (net, Heads.Bottleneck(features(net), bottleneckWidth, 0.5), Heads.Linear(bottleneckWidth, classes),
                Heads.Mlp(bottleneckWidth, [1024, 1024], DomainOutputs(binaryDomain), batchNorm: true));
        });
        return new AdaptationModelBuilder()
            .WithInputShape(inputShape)
            .WithFeatureExtractor(backbone, features(backbone), backboneLearningRate)
            .WithBottleneck(bottleneck, bottleneckWidth)
            .WithLabelClassifier(labels)
            .WithDomainClassifier(domain);
    }
}
