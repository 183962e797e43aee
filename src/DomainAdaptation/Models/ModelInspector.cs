using System.Globalization;
using DomainAdaptation.Data;
using DomainAdaptation.Runtime;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace DomainAdaptation.Models;

/// <summary>
/// Checks that the parts of an <see cref="AdaptationModel"/> (and a domain classifier meant for it) fit together by
/// running a dummy batch of the declared input shape through them, and reports the sizes found.
/// </summary>
/// <remarks>
/// The dummy batch is <see cref="DummyBatchSize"/> samples of zeros of shape <c>[2, …inputShape]</c>, on the given
/// device and dtype, run under <c>torch.no_grad()</c> with every module in evaluation mode (so dropout draws no random
/// numbers and batch-norm statistics do not move). Afterwards every module's training flag is restored exactly as it
/// was. The checks: the feature extractor gives <c>[B, F₀]</c> (and F₀ equals the declared count, if one was given);
/// the bottleneck, if any, accepts F₀ and gives <c>[B, F]</c>; the label classifier accepts F and gives <c>[B, K]</c>
/// with K ≥ 2; a domain classifier, if given, accepts F and gives <c>[B, 1]</c> or <c>[B, 2]</c>.
/// </remarks>
public static class ModelInspector
{
    /// <summary>The batch size of the dummy input (2, so that batch normalisation and squeezes behave as in training).</summary>
    public const int DummyBatchSize = 2;

    /// <summary>Runs a dummy batch through <paramref name="model"/> (and <paramref name="domainClassifier"/>) and returns the sizes found.</summary>
    /// <param name="model">The model to check.</param>
    /// <param name="inputShape">The per-sample input shape the feature extractor must accept.</param>
    /// <param name="declaredFeatures">The feature count F₀ the feature extractor is expected to give, or null to accept any.</param>
    /// <param name="device">The device of the dummy batch; null for the device of the model's first parameter (CPU if it has none).</param>
    /// <param name="dtype">The dtype of the dummy batch; null for the dtype of the model's first floating-point parameter (Float32 if none).</param>
    /// <param name="domainClassifier">A domain classifier to check against the model's features, or null.</param>
    /// <param name="declaredBottleneckFeatures">The feature count F the bottleneck is expected to give, or null to accept any.</param>
    /// <returns>The input shape, F₀, F, K and the number of domain outputs.</returns>
    /// <exception cref="ModelCompositionException">When a part fails on the dummy batch or gives the wrong shape; the message names both parts and both sizes.</exception>
    public static ModelShape Inspect(
        AdaptationModel model,
        SampleShape inputShape,
        long? declaredFeatures = null,
        Device? device = null,
        ScalarType? dtype = null,
        nn.Module<Tensor, Tensor>? domainClassifier = null,
        long? declaredBottleneckFeatures = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(inputShape);
        TorchRuntime.EnsureInitialized();

        (Device dev, ScalarType type) = ResolvePlacement(model, device, dtype);
        var modes = new List<(nn.Module Module, bool Training)> { (model, model.training) };
        modes.AddRange(model.named_modules().Select(m => (m.module, m.module.training)));
        if (domainClassifier is not null)
        {
            modes.Add((domainClassifier, domainClassifier.training));
            modes.AddRange(domainClassifier.named_modules().Select(m => (m.module, m.module.training)));
        }

        try
        {
            model.eval();
            domainClassifier?.eval();
            using var noGrad = no_grad();
            using var scope = NewDisposeScope();
            return Check(model, inputShape, declaredFeatures, declaredBottleneckFeatures, dev, type, domainClassifier);
        }
        finally
        {
            // named_modules lists every module before its descendants, and train() recurses: restoring in this order
            // leaves each module exactly as it was, even when the parts were in mixed modes.
            foreach ((nn.Module module, bool training) in modes) module.train(training);
        }
    }

    /// <summary>Checks a head that takes the model's features <c>[B, F]</c> and must give <c>[B, outputs]</c>.</summary>
    /// <param name="head">The head.</param>
    /// <param name="features">F.</param>
    /// <param name="name">How messages call it, e.g. "DANN's domain classifier".</param>
    /// <param name="device">The device of the dummy features.</param>
    /// <param name="dtype">The dtype of the dummy features.</param>
    /// <returns>The number of outputs per sample.</returns>
    /// <exception cref="ModelCompositionException">When the head rejects the features or gives other than <c>[B, n]</c>.</exception>
    public static long InspectHead(nn.Module<Tensor, Tensor> head, long features, string name, Device device, ScalarType dtype)
    {
        ArgumentNullException.ThrowIfNull(head);
        var modes = new List<(nn.Module Module, bool Training)> { (head, head.training) };
        modes.AddRange(head.named_modules().Select(m => (m.module, m.module.training)));
        try
        {
            head.eval();
            using var noGrad = no_grad();
            using var scope = NewDisposeScope();
            return RunHead(head, name, ModelPart.DomainClassifier, zeros([DummyBatchSize, features], dtype, device), "the model").shape[1];
        }
        finally
        {
            foreach ((nn.Module module, bool training) in modes) module.train(training);
        }
    }

    private static ModelShape Check(AdaptationModel model, SampleShape inputShape, long? declaredFeatures, long? declaredBottleneck, Device device, ScalarType dtype, nn.Module<Tensor, Tensor>? domainClassifier)
    {
        long[] dummyShape = inputShape.WithBatch(DummyBatchSize);
        Tensor input = zeros(dummyShape, dtype, device);

        Tensor features;
        try
        {
            features = model.FeatureExtractor.call(input);
        }
        catch (Exception ex) when (IsTorchError(ex))
        {
            throw new ModelCompositionException(
                $"The feature extractor cannot process a dummy batch of shape {Format(dummyShape)} (batch {DummyBatchSize} of the declared input shape {inputShape}, {dtype} on {device}): {FirstLine(ex.Message)}",
                ModelPart.FeatureExtractor,
                ex);
        }

        if (features.dim() != 2 || features.shape[0] != DummyBatchSize)
        {
            string hint = features.dim() > 2 && features.shape[0] == DummyBatchSize
                ? " End the feature extractor with a flatten layer (nn.Flatten()) or global pooling."
                : string.Empty;
            throw new ModelCompositionException(
                $"The feature extractor gives output of shape {Format(features.shape)} for an input batch of shape {Format(dummyShape)}; the heads need features of shape [batch, features] = [{DummyBatchSize}, F].{hint}",
                ModelPart.FeatureExtractor);
        }

        long f0 = features.shape[1];
        if (declaredFeatures is long declared && declared != f0)
        {
            throw new ModelCompositionException(
                $"The feature extractor was declared to give {declared} features but gives {f0} for input {inputShape}.",
                ModelPart.FeatureExtractor)
            {
                ProducedFeatures = f0,
                ExpectedFeatures = declared,
            };
        }

        if (model.Bottleneck is { } bottleneck)
        {
            features = RunHead(bottleneck, "bottleneck", ModelPart.Bottleneck, features);
            if (declaredBottleneck is long width && width != features.shape[1])
            {
                throw new ModelCompositionException(
                    $"The bottleneck was declared to give {width} features but gives {features.shape[1]}.",
                    ModelPart.Bottleneck)
                {
                    ProducedFeatures = features.shape[1],
                    ExpectedFeatures = width,
                };
            }
        }

        long f = features.shape[1];
        string giver = model.Bottleneck is null ? "feature extractor" : "bottleneck";
        long classes = RunHead(model.LabelClassifier, "label classifier", ModelPart.LabelClassifier, features, giver).shape[1];
        if (classes < 2)
        {
            throw new ModelCompositionException(
                $"The label classifier gives {classes} output per sample; it must give one logit per class, at least 2 (class logits [batch, K], K ≥ 2, for cross-entropy).",
                ModelPart.LabelClassifier);
        }

        long? domainOutputs = null;
        if (domainClassifier is not null)
        {
            domainOutputs = RunHead(domainClassifier, "domain classifier", ModelPart.DomainClassifier, features, giver).shape[1];
            if (domainOutputs is not (1 or 2))
            {
                throw new ModelCompositionException(
                    $"The domain classifier gives {domainOutputs} outputs per sample; it must give 1 (one logit, for binary cross-entropy with logits) or 2 (two domain classes, for cross-entropy).",
                    ModelPart.DomainClassifier);
            }
        }

        return new ModelShape(inputShape, f0, f, classes, domainOutputs);
    }

    private static Tensor RunHead(nn.Module<Tensor, Tensor> head, string name, ModelPart part, Tensor features, string giver = "feature extractor")
    {
        long f = features.shape[1];
        Tensor output;
        try
        {
            output = head.call(features);
        }
        catch (Exception ex) when (IsTorchError(ex))
        {
            (long Size, string Layer)? expected = ExpectedInputFeatures(head, string.Empty);
            string message = expected is { } e
                ? $"The parts do not fit: {giver} gives {f} features, {name} expects {e.Size} (its first layer {e.Layer} takes {e.Size} inputs). Make the {name}'s input size {f}, or change the part before it. TorchSharp reported: {FirstLine(ex.Message)}"
                : $"The parts do not fit: {giver} gives {f} features, {name} rejects them. TorchSharp reported: {FirstLine(ex.Message)}";
            throw new ModelCompositionException(message, part, ex)
            {
                ProducedFeatures = f,
                ExpectedFeatures = expected?.Size,
            };
        }

        if (output.dim() != 2 || output.shape[0] != features.shape[0])
        {
            throw new ModelCompositionException(
                $"The {name} gives output of shape {Format(output.shape)} for features of shape {Format(features.shape)}; it must give logits of shape [batch, outputs] = [{features.shape[0]}, n].",
                part);
        }

        return output;
    }

    /// <summary>
    /// The input size a head expects, read from its first layer that fixes one: a Linear (in_features) or a batch norm
    /// (num_features), looking through Sequential containers and past shape-preserving layers (dropout, activations).
    /// </summary>
    internal static (long Size, string Layer)? ExpectedInputFeatures(nn.Module module, string path)
    {
        switch (module)
        {
            case Linear linear:
                return (linear.in_features, Label(path, "Linear"));
            case NormBase norm:
                return (norm.num_features, Label(path, module.GetType().Name));
            case Sequential sequential:
                foreach ((string name, nn.Module child) in sequential.named_children())
                {
                    if (IsShapePreserving(child)) continue;
                    return ExpectedInputFeatures(child, path.Length == 0 ? name : path + "." + name);
                }

                return null;
            default:
                return null;
        }
    }

    private static bool IsShapePreserving(nn.Module module) => module is Dropout or AlphaDropout or Identity or GradientReversal
        or ReLU or ReLU6 or LeakyReLU or PReLU or ELU or SELU or CELU or GELU or SiLU or Mish or Sigmoid or Tanh or Softplus or Hardtanh;

    private static string Label(string path, string type) => path.Length == 0 ? type : $"'{path}' ({type})";

    private static (Device, ScalarType) ResolvePlacement(AdaptationModel model, Device? device, ScalarType? dtype)
    {
        Parameter? first = model.FeatureExtractor.parameters().FirstOrDefault() ?? model.parameters().FirstOrDefault();
        Parameter? firstFloat = model.FeatureExtractor.parameters().Concat(model.parameters()).FirstOrDefault(p => p.is_floating_point());
        Device resolvedDevice = device ?? first?.device ?? CPU;
        ScalarType resolvedType = dtype ?? firstFloat?.dtype ?? ScalarType.Float32;
        return (resolvedDevice, resolvedType);
    }

    private static bool IsTorchError(Exception ex) => ex is System.Runtime.InteropServices.ExternalException or ArgumentException or InvalidOperationException or IndexOutOfRangeException;

    /// <summary>LibTorch appends a native stack trace to its messages; the first line is the error (the inner exception keeps the rest).</summary>
    private static string FirstLine(string message)
    {
        int end = message.IndexOf('\n', StringComparison.Ordinal);
        return (end < 0 ? message : message[..end]).TrimEnd();
    }

    private static string Format(IEnumerable<long> shape) => "[" + string.Join(", ", shape.Select(d => d.ToString(CultureInfo.InvariantCulture))) + "]";
}
