using DomainAdaptation.Data;
using TorchSharp;
using static TorchSharp.torch;

namespace DomainAdaptation.Models;

public static partial class ModelPresets
{
    /// <summary>
    /// The paper's SVHN / Syn-Digits network (Ganin &amp; Lempitsky, ICML 2015, supplementary; Ganin et al., JMLR 2016,
    /// §5.2, Figure 4b, "adopted from Srivastava et al. (2014)"), used there for Syn Numbers → SVHN and SVHN → MNIST
    /// on 3×32×32 input.
    /// </summary>
    /// <remarks>
    /// <para>Feature extractor: <c>conv1</c> 5×5×64 → ReLU → max-pool 3×3 stride 2 → <c>conv2</c> 5×5×64 → ReLU →
    /// max-pool 3×3 stride 2 → <c>conv3</c> 5×5×128 (padding 2) → ReLU → flatten.</para>
    /// <para>The first two blocks run max-pool before ReLU, as in <see cref="Mnist"/>: the two orders commute, also for
    /// these overlapping 3×3 windows (each window's maximum of rectified values is the rectified maximum, and each
    /// window sends its gradient to the same input either way), so values and gradients are the paper order's, bit for
    /// bit, and ReLU touches 4.6× fewer elements after <c>conv1</c> at 32×32 (64·13·13 instead of 64·28·28).</para>
    /// <para>Label classifier: <c>fc1</c> F→3072 → ReLU → <c>fc2</c> 3072→2048 → ReLU → <c>fc3</c> 2048→classes.</para>
    /// <para>Domain classifier: <c>fc1</c> F→1024 → ReLU → <c>fc2</c> 1024→1024 → ReLU → <c>fc3</c> 1024→1 (or →2).</para>
    /// <para>Padding: the paper gives kernel sizes, widths and pooling but not padding. This preset follows the widely
    /// used PyTorch reproduction (CuthbertCai/pytorch_DANN, <c>SVHN_Extractor</c>): no padding on the first two
    /// convolutions, padding 2 on the third. Then F = 128·4·4 = 2048 for 32×32 input (32 → 28 → 13 → 9 → 4 → 4) and
    /// 128·3·3 = 1152 for 28×28. That reproduction adds batch norm and dropout; this preset, like the paper, has none.</para>
    /// <para>At 3×32×32 with 10 classes and one domain logit the model has 16,069,579 parameters (≈ 64 MB in Float32):
    /// 312,256 in the feature extractor, 12,608,522 in the label classifier, 3,148,801 in the domain classifier.</para>
    /// </remarks>
    /// <param name="inputShape">An image shape (C, H, W), normally 3×32×32; at least 19×19.</param>
    /// <param name="classes">The number of classes; at least 2.</param>
    /// <param name="binaryDomain">True for one domain logit, false for two domain classes.</param>
    /// <param name="seed">The seed for the weights, or null to draw from torch's global generator (see <see cref="ModelPresets"/>).</param>
    /// <param name="channelsLast">Whether the feature extractor starts with a <see cref="ChannelsLast"/> layer (<c>channels_last</c>); see
    /// <see cref="Mnist"/>. Default true.</param>
    /// <returns>A builder with the three parts, the input shape and F set.</returns>
    /// <exception cref="ArgumentException">When the shape is not an image shape or is too small.</exception>
    /// <exception cref="ArgumentOutOfRangeException">When <paramref name="classes"/> &lt; 2.</exception>
    public static AdaptationModelBuilder Svhn(SampleShape inputShape, int classes = 10, bool binaryDomain = true, long? seed = null, bool channelsLast = true)
    {
        CheckImage(inputShape, nameof(Svhn));
        CheckClasses(classes);
        (long h, long w) = SpatialOut(inputShape, nameof(Svhn), SvhnSpatial);
        long features = 128 * h * w;

        return Assemble(inputShape, features, SeededInitialization.Run(seed, () =>
        {
            nn.Module<Tensor, Tensor> featureExtractor = ImageLayers(
                channelsLast,
                ("conv1", nn.Conv2d(inputShape.Channels, 64, 5)),
                ("pool1", nn.MaxPool2d(3, stride: 2)),
                ("relu1", nn.ReLU()),
                ("conv2", nn.Conv2d(64, 64, 5)),
                ("pool2", nn.MaxPool2d(3, stride: 2)),
                ("relu2", nn.ReLU()),
                ("conv3", nn.Conv2d(64, 128, 5, padding: 2)),
                ("relu3", nn.ReLU()),
                ("flatten", nn.Flatten()));
            nn.Module<Tensor, Tensor> labelClassifier = Heads.Mlp(features, [3072, 2048], classes);
            nn.Module<Tensor, Tensor> domainClassifier = Heads.Mlp(features, [1024, 1024], DomainOutputs(binaryDomain));
            return (featureExtractor, labelClassifier, domainClassifier);
        }));
    }

    /// <summary>Height or width after conv 5 → pool 3/2 → conv 5 → pool 3/2 → conv 5 (padding 2).</summary>
    internal static long SvhnSpatial(long size) =>
        ConvArithmetic.Out(
            ConvArithmetic.Out(ConvArithmetic.Out(ConvArithmetic.Out(ConvArithmetic.Out(size, 5), 3, 2), 5), 3, 2),
            5,
            padding: 2);
}
