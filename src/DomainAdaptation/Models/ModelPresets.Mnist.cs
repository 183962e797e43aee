using DomainAdaptation.Data;
using TorchSharp;
using static TorchSharp.torch;

namespace DomainAdaptation.Models;

public static partial class ModelPresets
{
    /// <summary>
    /// The paper's MNIST → MNIST-M network (Ganin &amp; Lempitsky, ICML 2015, supplementary; Ganin et al., JMLR 2016, §5.2,
    /// Figure 4a, "inspired by the classical LeNet-5").
    /// </summary>
    /// <remarks>
    /// <para>Feature extractor (no padding, as in the paper's LeNet-style layers and the PyTorch reproductions):
    /// <c>conv1</c> 5×5×32 → ReLU → max-pool 2×2 → <c>conv2</c> 5×5×48 → ReLU → max-pool 2×2 → flatten.
    /// F = 48·4·4 = 768 for 28×28 input; 48·5·5 = 1200 for 32×32 input.</para>
    /// <para>The layers run max-pool before ReLU. The two commute (ReLU is monotone, so the maximum of the rectified
    /// values is the rectified maximum, and both orders send each pooled gradient to the same input), so the values and
    /// gradients are those of the paper's order, bit for bit; ReLU then touches a quarter of the elements, which makes the
    /// training step faster (docs/performance.md).</para>
    /// <para>Label classifier: <c>fc1</c> F→100 → ReLU → <c>fc2</c> 100→100 → ReLU → <c>fc3</c> 100→classes.</para>
    /// <para>Domain classifier: <c>fc1</c> F→100 → ReLU → <c>fc2</c> 100→1 (one logit, the paper's logistic regressor)
    /// or 100→2 (two classes, as in fungtion/DANN).</para>
    /// <para>Parameter count for 3×28×28 input, 10 classes and one domain logit: 40,880 (features) + 88,010 (label) +
    /// 77,001 (domain) = 205,891.</para>
    /// </remarks>
    /// <param name="inputShape">An image shape (C, H, W): the paper uses RGB, 3×28×28 (MNIST-M) or 3×32×32; at least 16×16.</param>
    /// <param name="classes">The number of classes (10 digits); at least 2.</param>
    /// <param name="binaryDomain">True for one domain logit, false for two domain classes.</param>
    /// <param name="seed">The seed for the weights, or null to draw from torch's global generator (see <see cref="ModelPresets"/>).</param>
    /// <param name="channelsLast">Whether the feature extractor starts with a <see cref="ChannelsLast"/> layer (<c>channels_last</c>), which runs
    /// the convolutions and poolings on NHWC memory: same values and weights, faster on CPU (docs/performance.md). Default true.</param>
    /// <returns>A builder with the three parts, the input shape and F set.</returns>
    /// <exception cref="ArgumentException">When the shape is not an image shape or is smaller than 16×16.</exception>
    /// <exception cref="ArgumentOutOfRangeException">When <paramref name="classes"/> &lt; 2.</exception>
    public static AdaptationModelBuilder Mnist(SampleShape inputShape, int classes = 10, bool binaryDomain = true, long? seed = null, bool channelsLast = true)
    {
        CheckImage(inputShape, nameof(Mnist));
        CheckClasses(classes);
        (long h, long w) = SpatialOut(inputShape, nameof(Mnist), MnistSpatial);
        long features = 48 * h * w;

        return Assemble(inputShape, features, SeededInitialization.Run(seed, () =>
        {
            nn.Module<Tensor, Tensor> featureExtractor = ImageLayers(
                channelsLast,
                ("conv1", nn.Conv2d(inputShape.Channels, 32, 5)),
                ("pool1", nn.MaxPool2d(2)),
                ("relu1", nn.ReLU()),
                ("conv2", nn.Conv2d(32, 48, 5)),
                ("pool2", nn.MaxPool2d(2)),
                ("relu2", nn.ReLU()),
                ("flatten", nn.Flatten()));
            nn.Module<Tensor, Tensor> labelClassifier = Heads.Mlp(features, [100, 100], classes);
            nn.Module<Tensor, Tensor> domainClassifier = Heads.Mlp(features, [100], DomainOutputs(binaryDomain));
            return (featureExtractor, labelClassifier, domainClassifier);
        }));
    }

    /// <summary>Height or width after conv 5 → pool 2 → conv 5 → pool 2 (no padding).</summary>
    internal static long MnistSpatial(long size) =>
        ConvArithmetic.Out(ConvArithmetic.Out(ConvArithmetic.Out(ConvArithmetic.Out(size, 5), 2, 2), 5), 2, 2);
}
