using System.Globalization;
using DomainAdaptation.Data;
using DomainAdaptation.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace DomainAdaptation.Models;

/// <summary>
/// Composes an <see cref="AdaptationModel"/> from a feature extractor, an optional bottleneck and a label classifier,
/// moves it to an explicit device and dtype, and checks at build time — with a dummy batch of the declared input shape
/// — that the parts fit together. It can also carry a domain classifier for adversarial methods (the presets carry the
/// paper's): that head is checked against the model's features and moved with it, but it is not part of the model; hand
/// it to the method (<c>new Dann(builder.DomainClassifier)</c>).
/// </summary>
/// <remarks>
/// <para>
/// Typical use:
/// <code>
/// var builder = new AdaptationModelBuilder()
///     .WithInputShape(SampleShape.Image(3, 28, 28))
///     .WithFeatureExtractor(myConvNet, features: 768)
///     .WithBottleneck(Heads.Bottleneck(768, 256), features: 256)
///     .WithLabelClassifier(Heads.Mlp(256, [], 10))
///     .WithDevice(torch.CPU)
///     .WithDtype(ScalarType.Float32);
/// AdaptationModel model = builder.Build();
/// </code>
/// or start from a preset (<see cref="ModelPresets"/>) and swap a part.
/// </para>
/// <para>
/// A mismatch throws <see cref="ModelCompositionException"/> naming both parts and both sizes, for example
/// "feature extractor gives 768 features, label classifier expects 2352". The check is
/// <see cref="ModelInspector.Inspect"/>; the sizes it found are in <see cref="Shape"/> after a build.
/// </para>
/// <para>
/// A builder builds one model: the parts are module instances and belong to the model they were built into.
/// </para>
/// </remarks>
public sealed class AdaptationModelBuilder
{
    private SampleShape? _inputShape;
    private nn.Module<Tensor, Tensor>? _featureExtractor;
    private long? _features;
    private double _featureExtractorRate = 1.0;
    private nn.Module<Tensor, Tensor>? _bottleneck;
    private long? _bottleneckFeatures;
    private double _bottleneckRate = 1.0;
    private nn.Module<Tensor, Tensor>? _labelClassifier;
    private double _labelClassifierRate = 1.0;
    private nn.Module<Tensor, Tensor>? _domainClassifier;
    private Device? _device;
    private ScalarType? _dtype;
    private AdaptationModel? _built;

    /// <summary>The declared per-sample input shape, or null.</summary>
    public SampleShape? InputShape => _inputShape;

    /// <summary>
    /// The declared feature count of the heads' input (the bottleneck's width when there is one, else the feature
    /// extractor's F₀), or null when none was declared. Presets declare it, so a replacement head can be sized from it:
    /// <c>b.WithLabelClassifier(Heads.Mlp(b.Features!.Value, [256], 10))</c>.
    /// </summary>
    public long? Features => _bottleneck is null ? _features : _bottleneckFeatures;

    /// <summary>The declared feature count F₀ of the feature extractor, or null.</summary>
    public long? BackboneFeatures => _features;

    /// <summary>The feature extractor, or null.</summary>
    public nn.Module<Tensor, Tensor>? FeatureExtractor => _featureExtractor;

    /// <summary>The bottleneck, or null.</summary>
    public nn.Module<Tensor, Tensor>? Bottleneck => _bottleneck;

    /// <summary>The label classifier, or null.</summary>
    public nn.Module<Tensor, Tensor>? LabelClassifier => _labelClassifier;

    /// <summary>
    /// The domain classifier carried for adversarial methods, or null; after <see cref="Build"/> it has been checked
    /// against the model's features and moved to the model's device and dtype.
    /// </summary>
    public nn.Module<Tensor, Tensor>? DomainClassifier => _domainClassifier;

    /// <summary>The sizes found when the model was built; null before <see cref="Build"/> succeeds.</summary>
    public ModelShape? Shape { get; private set; }

    /// <summary>Declares the per-sample input shape (without the batch dimension) the feature extractor accepts.</summary>
    /// <param name="shape">For example <c>SampleShape.Image(3, 28, 28)</c> or <c>SampleShape.Vector(2)</c>.</param>
    /// <returns>This builder.</returns>
    public AdaptationModelBuilder WithInputShape(SampleShape shape)
    {
        ArgumentNullException.ThrowIfNull(shape);
        EnsureNotBuilt();
        _inputShape = shape;
        return this;
    }

    /// <summary>Declares the per-sample input shape (without the batch dimension) from its sizes.</summary>
    /// <param name="dimensions">One or more positive sizes, for example <c>3, 32, 32</c>.</param>
    /// <returns>This builder.</returns>
    /// <exception cref="ArgumentException">When no size is given or a size is not positive.</exception>
    public AdaptationModelBuilder WithInputShape(params long[] dimensions) => WithInputShape(new SampleShape(dimensions));

    /// <summary>Sets the feature extractor <c>G_f</c>: input <c>[B, …]</c> → features <c>[B, F₀]</c>.</summary>
    /// <param name="featureExtractor">Any module; its output must be two-dimensional.</param>
    /// <param name="features">The feature count F₀ it gives, checked at build time; null to accept what it gives.</param>
    /// <param name="learningRateMultiplier">Its learning rate relative to the base rate (0.1 for a pretrained backbone); finite, ≥ 0.</param>
    /// <returns>This builder.</returns>
    /// <exception cref="ArgumentOutOfRangeException">When <paramref name="features"/> is not positive or the multiplier is negative or not finite.</exception>
    public AdaptationModelBuilder WithFeatureExtractor(nn.Module<Tensor, Tensor> featureExtractor, long? features = null, double learningRateMultiplier = 1.0)
    {
        ArgumentNullException.ThrowIfNull(featureExtractor);
        CheckFeatures(features);
        PartLearningRates.Check(learningRateMultiplier, nameof(learningRateMultiplier));
        EnsureNotBuilt();
        _featureExtractor = featureExtractor;
        _features = features;
        _featureExtractorRate = learningRateMultiplier;
        return this;
    }

    /// <summary>
    /// Sets the bottleneck between the feature extractor and the heads: <c>[B, F₀]</c> → <c>[B, F]</c>, for example
    /// <see cref="Heads.Bottleneck"/> (linear → batch norm → ReLU → dropout, Transfer-Learning-Library's).
    /// </summary>
    /// <param name="bottleneck">Any module giving two-dimensional output.</param>
    /// <param name="features">The width F it gives, checked at build time; null to accept what it gives.</param>
    /// <param name="learningRateMultiplier">Its learning rate relative to the base rate; finite, ≥ 0.</param>
    /// <returns>This builder.</returns>
    public AdaptationModelBuilder WithBottleneck(nn.Module<Tensor, Tensor> bottleneck, long? features = null, double learningRateMultiplier = 1.0)
    {
        ArgumentNullException.ThrowIfNull(bottleneck);
        CheckFeatures(features);
        PartLearningRates.Check(learningRateMultiplier, nameof(learningRateMultiplier));
        EnsureNotBuilt();
        _bottleneck = bottleneck;
        _bottleneckFeatures = features;
        _bottleneckRate = learningRateMultiplier;
        return this;
    }

    /// <summary>Sets the label classifier <c>G_y</c>: features <c>[B, F]</c> → class logits <c>[B, K]</c>, K ≥ 2.</summary>
    /// <param name="labelClassifier">Any module, for example <see cref="Heads.Mlp"/>.</param>
    /// <param name="learningRateMultiplier">Its learning rate relative to the base rate; finite, ≥ 0.</param>
    /// <returns>This builder.</returns>
    public AdaptationModelBuilder WithLabelClassifier(nn.Module<Tensor, Tensor> labelClassifier, double learningRateMultiplier = 1.0)
    {
        ArgumentNullException.ThrowIfNull(labelClassifier);
        PartLearningRates.Check(learningRateMultiplier, nameof(learningRateMultiplier));
        EnsureNotBuilt();
        _labelClassifier = labelClassifier;
        _labelClassifierRate = learningRateMultiplier;
        return this;
    }

    /// <summary>
    /// Carries a domain classifier <c>G_d</c> for adversarial methods: features <c>[B, F]</c> → domain logits
    /// <c>[B, 1]</c> (binary cross-entropy with logits) or <c>[B, 2]</c> (cross-entropy). It is checked and moved with
    /// the model but is not part of it; give <see cref="DomainClassifier"/> to the method that trains it.
    /// </summary>
    /// <param name="domainClassifier">Any module, for example <see cref="Heads.Mlp"/>.</param>
    /// <returns>This builder.</returns>
    public AdaptationModelBuilder WithDomainClassifier(nn.Module<Tensor, Tensor> domainClassifier)
    {
        ArgumentNullException.ThrowIfNull(domainClassifier);
        EnsureNotBuilt();
        _domainClassifier = domainClassifier;
        return this;
    }

    /// <summary>Moves the built model (all parameters and buffers) to <paramref name="device"/>; the check runs there.</summary>
    /// <param name="device">For example <c>torch.CPU</c> or <c>torch.CUDA</c>.</param>
    /// <returns>This builder.</returns>
    public AdaptationModelBuilder WithDevice(Device device)
    {
        ArgumentNullException.ThrowIfNull(device);
        EnsureNotBuilt();
        _device = device;
        return this;
    }

    /// <summary>Converts the built model's parameters and buffers to <paramref name="dtype"/>; the check runs in it.</summary>
    /// <param name="dtype">A floating-point type: Float16, BFloat16, Float32 or Float64.</param>
    /// <returns>This builder.</returns>
    /// <exception cref="ArgumentOutOfRangeException">When <paramref name="dtype"/> is not a floating-point type.</exception>
    public AdaptationModelBuilder WithDtype(ScalarType dtype)
    {
        if (dtype is not (ScalarType.Float16 or ScalarType.BFloat16 or ScalarType.Float32 or ScalarType.Float64))
        {
            throw new ArgumentOutOfRangeException(nameof(dtype), dtype, "A model's dtype must be a floating-point type (Float16, BFloat16, Float32 or Float64).");
        }

        EnsureNotBuilt();
        _dtype = dtype;
        return this;
    }

    /// <summary>
    /// Composes the model, moves it (and the carried domain classifier) to the chosen device and dtype, and checks the
    /// parts with a dummy batch (see <see cref="ModelInspector.Inspect"/>). The model is returned with every module in
    /// the training mode it had before the check (fresh modules are in training mode).
    /// </summary>
    /// <returns>The model.</returns>
    /// <exception cref="ModelCompositionException">When a part or the input shape is missing, or the parts do not fit.</exception>
    /// <exception cref="InvalidOperationException">When this builder already built a model.</exception>
    public AdaptationModel Build()
    {
        EnsureNotBuilt();
        var missingParts = new List<ModelPart>();
        var missing = new List<string>();
        if (_inputShape is null) missing.Add("the input shape (WithInputShape)");
        if (_featureExtractor is null)
        {
            missing.Add("the feature extractor (WithFeatureExtractor)");
            missingParts.Add(ModelPart.FeatureExtractor);
        }

        if (_labelClassifier is null)
        {
            missing.Add("the label classifier (WithLabelClassifier)");
            missingParts.Add(ModelPart.LabelClassifier);
        }

        if (missing.Count > 0)
        {
            throw new ModelCompositionException(
                string.Create(CultureInfo.InvariantCulture, $"Cannot build the model: missing {string.Join(", ", missing)}. Set them on the builder, or start from a preset such as ModelPresets.Mnist(...)."),
                missingParts);
        }

        TorchRuntime.EnsureInitialized();
        var model = new AdaptationModel(_featureExtractor!, _labelClassifier!, _bottleneck, new PartLearningRates(_featureExtractorRate, _bottleneckRate, _labelClassifierRate));
        Place(model);
        if (_domainClassifier is not null) Place(_domainClassifier);
        Shape = ModelInspector.Inspect(model, _inputShape!, _features, _device, _dtype, _domainClassifier, _bottleneckFeatures);
        _built = model;
        return model;
    }

    private void Place(nn.Module module)
    {
        if (_device is not null && _dtype is ScalarType both)
        {
            module.to(_device, both);
        }
        else if (_device is not null)
        {
            module.to(_device);
        }
        else if (_dtype is ScalarType type)
        {
            module.to(type);
        }
    }

    private static void CheckFeatures(long? features)
    {
        if (features is <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(features), features, "The declared feature count must be positive.");
        }
    }

    private void EnsureNotBuilt()
    {
        if (_built is not null)
        {
            throw new InvalidOperationException("This AdaptationModelBuilder already built a model, and its parts belong to that model. Use a new builder (or call the preset again) for a second model.");
        }
    }
}
