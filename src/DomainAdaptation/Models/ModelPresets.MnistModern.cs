using DomainAdaptation.Data;
using TorchSharp;
using static TorchSharp.torch;

namespace DomainAdaptation.Models;

public static partial class ModelPresets
{
    /// <summary>
    /// The paper's MNIST network with batch normalisation and dropout, laid out as in the PyTorch reproductions that
    /// reach 0.84–0.91 target accuracy on MNIST-M (fungtion/DANN <c>models/model.py</c>; CuthbertCai/pytorch_DANN
    /// <c>models/models.py</c>).
    /// </summary>
    /// <remarks>
    /// <para>Feature extractor: <c>conv1</c> 5×5×c1 → <c>bn1</c> → max-pool 2×2 → ReLU → <c>conv2</c> 5×5×c2 → <c>bn2</c> →
    /// Dropout2d(p) → max-pool 2×2 → ReLU → flatten (the reproductions' order: batch norm before pooling, ReLU after it).
    /// F = c2·4·4 for 28×28 input, c2·5·5 for 32×32.</para>
    /// <para>Label classifier: <c>fc1</c> F→100 → <c>bn1</c> → ReLU → Dropout(p) → <c>fc2</c> 100→100 → <c>bn2</c> → ReLU →
    /// <c>fc3</c> 100→classes.</para>
    /// <para>Domain classifier: <c>fc1</c> F→100 → <c>bn1</c> → ReLU → <c>fc2</c> 100→1 (or 100→2).</para>
    /// <para>The channel widths default to the paper's (32, 48); the reproductions use (64, 50) — pass
    /// <c>conv1Channels: 64, conv2Channels: 50</c> and <c>binaryDomain: false</c> for their exact network (F = 800 at 28×28).
    /// They end in log-softmax; this model gives logits (the trainer's losses apply the softmax).</para>
    /// </remarks>
    /// <param name="inputShape">An image shape (C, H, W), for example 3×28×28 or 3×32×32; at least 16×16.</param>
    /// <param name="classes">The number of classes; at least 2.</param>
    /// <param name="binaryDomain">True for one domain logit, false for two domain classes.</param>
    /// <param name="dropout">The dropout probability (reproductions: 0.5), in [0, 1).</param>
    /// <param name="conv1Channels">Output channels of the first convolution (paper: 32; reproductions: 64).</param>
    /// <param name="conv2Channels">Output channels of the second convolution (paper: 48; reproductions: 50).</param>
    /// <param name="seed">The seed for the weights, or null to draw from torch's global generator (see <see cref="ModelPresets"/>).</param>
    /// <param name="channelsLast">Whether the feature extractor starts with a <see cref="ChannelsLast"/> layer (<c>channels_last</c>); see
    /// <see cref="Mnist"/>. Default true.</param>
    /// <returns>A builder with the three parts, the input shape and F set.</returns>
    /// <exception cref="ArgumentException">When the shape is not an image shape or is smaller than 16×16.</exception>
    /// <exception cref="ArgumentOutOfRangeException">When a count is not positive, <paramref name="classes"/> &lt; 2, or the dropout probability is outside [0, 1).</exception>
    public static AdaptationModelBuilder MnistModern(
        SampleShape inputShape,
        int classes = 10,
        bool binaryDomain = true,
        double dropout = 0.5,
        int conv1Channels = 32,
        int conv2Channels = 48,
        long? seed = null,
        bool channelsLast = true)
    {
        CheckImage(inputShape, nameof(MnistModern));
        CheckClasses(classes);
        if (!(dropout >= 0.0 && dropout < 1.0)) throw new ArgumentOutOfRangeException(nameof(dropout), dropout, "The dropout probability must be in [0, 1).");
        if (conv1Channels <= 0) throw new ArgumentOutOfRangeException(nameof(conv1Channels), conv1Channels, "Channel counts must be positive.");
        if (conv2Channels <= 0) throw new ArgumentOutOfRangeException(nameof(conv2Channels), conv2Channels, "Channel counts must be positive.");
        (long h, long w) = SpatialOut(inputShape, nameof(MnistModern), MnistSpatial);
        long features = conv2Channels * h * w;

        return Assemble(inputShape, features, SeededInitialization.Run(seed, () =>
        {
            nn.Module<Tensor, Tensor> featureExtractor = ImageLayers(
                channelsLast,
                ("conv1", nn.Conv2d(inputShape.Channels, conv1Channels, 5)),
                ("bn1", nn.BatchNorm2d(conv1Channels)),
                ("pool1", nn.MaxPool2d(2)),
                ("relu1", nn.ReLU()),
                ("conv2", nn.Conv2d(conv1Channels, conv2Channels, 5)),
                ("bn2", nn.BatchNorm2d(conv2Channels)),
                ("drop2", nn.Dropout2d(dropout)),
                ("pool2", nn.MaxPool2d(2)),
                ("relu2", nn.ReLU()),
                ("flatten", nn.Flatten()));
            nn.Module<Tensor, Tensor> labelClassifier = nn.Sequential(
                ("fc1", nn.Linear(features, 100)),
                ("bn1", nn.BatchNorm1d(100)),
                ("relu1", nn.ReLU()),
                ("drop1", nn.Dropout(dropout)),
                ("fc2", nn.Linear(100, 100)),
                ("bn2", nn.BatchNorm1d(100)),
                ("relu2", nn.ReLU()),
                ("fc3", nn.Linear(100, classes)));
            nn.Module<Tensor, Tensor> domainClassifier = nn.Sequential(
                ("fc1", nn.Linear(features, 100)),
                ("bn1", nn.BatchNorm1d(100)),
                ("relu1", nn.ReLU()),
                ("fc2", nn.Linear(100, DomainOutputs(binaryDomain))));
            return (featureExtractor, labelClassifier, domainClassifier);
        }));
    }
}
