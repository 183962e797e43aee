using System.Globalization;
using DomainAdaptation.Data;
using TorchSharp;
using static TorchSharp.torch;

namespace DomainAdaptation.Models;

/// <summary>
/// The architectures of Ganin &amp; Lempitsky (ICML 2015) and Ganin et al. (JMLR 2016), plus a batch-norm variant used by
/// PyTorch reproductions. Each preset returns a configured <see cref="AdaptationModelBuilder"/> (input shape, the feature
/// extractor and label classifier, the declared feature count, and the paper's domain classifier for adversarial methods
/// such as <see cref="Methods.Adversarial.Dann"/>), so a part can be swapped before <see cref="AdaptationModelBuilder.Build"/>,
/// and a bottleneck, device and dtype added. Every method trains the same model; only DANN uses the carried domain
/// classifier (other methods build their own modules).
/// </summary>
/// <remarks>
/// <para>
/// Randomness: the weights are created (and initialised) when the preset is called, with TorchSharp's defaults, which
/// are PyTorch's (Kaiming-uniform weights, uniform biases). With <c>seed</c> given, they are drawn from a generator
/// seeded with it, and torch's global CPU generator is restored afterwards, so the caller's random stream is not
/// disturbed (seeded presets on several threads are serialised, but another thread drawing from the global generator
/// at the same moment is not held off); with <c>seed</c> null, they are drawn from torch's global generator as it stands (call
/// <c>torch.random.manual_seed</c> first for reproducible weights).
/// </para>
/// <para>
/// Layer names are the state-dict keys: <c>feature_extractor.conv1.weight</c>, <c>label_classifier.fc3.bias</c>,
/// <c>domain_classifier.fc2.weight</c>, …
/// </para>
/// </remarks>
public static partial class ModelPresets
{
    private static void CheckClasses(int classes)
    {
        if (classes < 2)
        {
            throw new ArgumentOutOfRangeException(nameof(classes), classes, "A classifier needs at least 2 classes.");
        }
    }

    private static long DomainOutputs(bool binaryDomain) => binaryDomain ? 1 : 2;

    private static SampleShape CheckImage(SampleShape inputShape, string preset)
    {
        ArgumentNullException.ThrowIfNull(inputShape);
        if (!inputShape.IsImage)
        {
            throw new ArgumentException($"The {preset} preset takes images (channels, height, width), but the input shape was ({inputShape}).", nameof(inputShape));
        }

        return inputShape;
    }

    /// <summary>Applies <paramref name="trace"/> to height and width; throws when nothing is left, naming the smallest size that works.</summary>
    private static (long Height, long Width) SpatialOut(SampleShape inputShape, string preset, Func<long, long> trace)
    {
        long h = trace(inputShape.Height);
        long w = trace(inputShape.Width);
        if (h <= 0 || w <= 0)
        {
            long min = 1;
            while (trace(min) <= 0) min++;
            throw new ArgumentException(
                string.Create(CultureInfo.InvariantCulture, $"The {preset} preset needs images of at least {min}×{min} pixels (its convolutions and poolings leave nothing of a smaller image), but the input shape was {inputShape}."),
                nameof(inputShape));
        }

        return (h, w);
    }

    /// <summary>A convolutional feature extractor: the layers, preceded by a <c>channels_last</c> layer when asked.</summary>
    private static nn.Module<Tensor, Tensor> ImageLayers(bool channelsLast, params (string Name, nn.Module<Tensor, Tensor> Module)[] layers)
    {
        var all = new List<(string, nn.Module<Tensor, Tensor>)>(layers.Length + 1);
        if (channelsLast) all.Add(("channels_last", new ChannelsLast()));
        all.AddRange(layers.Select(l => (l.Name, l.Module)));
        return nn.Sequential(all);
    }

    private static AdaptationModelBuilder Assemble(
        SampleShape inputShape,
        long features,
        (nn.Module<Tensor, Tensor> FeatureExtractor, nn.Module<Tensor, Tensor> LabelClassifier, nn.Module<Tensor, Tensor> DomainClassifier) parts) =>
        new AdaptationModelBuilder()
            .WithInputShape(inputShape)
            .WithFeatureExtractor(parts.FeatureExtractor, features)
            .WithLabelClassifier(parts.LabelClassifier)
            .WithDomainClassifier(parts.DomainClassifier);
}
