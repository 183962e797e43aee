using DomainAdaptation.Data;

namespace DomainAdaptation.Models;

public static partial class ModelPresets
{
    /// <summary>
    /// MobileNetV2 (torchvision's layout and keys, <see cref="Backbones.MobileNetV2"/>) as the feature extractor, with
    /// the heads of <see cref="ResNet"/>: backbone features F₀ (1280 at width multiplier 1) → bottleneck <c>fc1</c>
    /// F₀→256 → <c>bn1</c> → ReLU → <c>drop1</c>(0.5) → label classifier <c>fc1</c> 256→K; the backbone learns at ×0.1
    /// the base rate (for ImageNet weights, loaded with DomainAdaptation.PyTorch into <c>builder.FeatureExtractor</c>
    /// before <see cref="AdaptationModelBuilder.Build"/>), the new layers at ×1. About a sixth of ResNet-18's operations
    /// (torchvision: 0.30 vs 1.81 GFLOPS at 224×224), for a phone or an edge box; the ONNX exporter writes it.
    /// </summary>
    /// <remarks>Domain classifier: tllib's <c>DomainDiscriminator(256, hidden 1024)</c>, as in <see cref="ResNet"/>.</remarks>
    /// <param name="inputShape">An image shape (C, H, W); 3×224×224 for ImageNet weights; at least 32×32.</param>
    /// <param name="classes">The number of classes; at least 2.</param>
    /// <param name="bottleneckWidth">The bottleneck width F (tllib: 256).</param>
    /// <param name="backboneLearningRate">The backbone's learning-rate multiplier (0.1 for pretrained weights; 1 from scratch).</param>
    /// <param name="widthMultiplier">
    /// torchvision's <c>width_mult</c> α (1 loads torchvision's weights). Train with α ≥ 0.35: below it the stem has
    /// fewer than 16 channels, where libtorch 2.10's CPU convolution backward can give NaN gradients (see
    /// <see cref="Backbones.ResNet"/>'s <c>width</c>).
    /// </param>
    /// <param name="binaryDomain">True for one domain logit, false for two domain classes.</param>
    /// <param name="seed">The seed for the weights, or null to draw from torch's global generator.</param>
    /// <returns>A builder with the four parts, the input shape and the feature sizes set.</returns>
    /// <exception cref="ArgumentException">When the shape is not an image shape or is smaller than 32×32.</exception>
    /// <exception cref="ArgumentOutOfRangeException">When a size is not positive or <paramref name="classes"/> &lt; 2.</exception>
    public static AdaptationModelBuilder MobileNetV2(
        SampleShape inputShape,
        int classes,
        int bottleneckWidth = DefaultBottleneckWidth,
        double backboneLearningRate = DefaultBackboneLearningRate,
        double widthMultiplier = 1.0,
        bool binaryDomain = true,
        long? seed = null)
    {
        var mobilenet = (Func<Backbones.MobileNetV2>)(() => new Backbones.MobileNetV2(inputShape.Channels, widthMultiplier));
        return TllibImageClassifier(nameof(MobileNetV2), inputShape, classes, bottleneckWidth, backboneLearningRate, binaryDomain, seed, mobilenet, m => m.Features);
    }
}
