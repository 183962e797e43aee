using System.Globalization;
using DomainAdaptation.Data;
using DomainAdaptation.Runtime;
using DomainAdaptation.Schedules;
using TorchSharp;
using static TorchSharp.torch;

namespace DomainAdaptation.Models;

/// <summary>
/// Composes a <see cref="DannModel"/> from a feature extractor, a label classifier and a domain classifier, attaches
/// the λ schedule, moves the model to an explicit device and dtype, and checks at build time — with a dummy batch of
/// the declared input shape — that the parts fit together.
/// </summary>
/// <remarks>
/// <para>
/// Typical use:
/// <code>
/// DannModel model = new DannModelBuilder()
///     .WithInputShape(SampleShape.Image(3, 28, 28))
///     .WithFeatureExtractor(myConvNet, features: 768)
///     .WithLabelClassifier(Heads.Mlp(768, [100, 100], 10))
///     .WithDomainClassifier(Heads.Mlp(768, [100], 1))
///     .WithLambdaSchedule(LambdaSchedules.Ganin())
///     .WithDevice(torch.CPU)
///     .WithDtype(ScalarType.Float32)
///     .Build();
/// </code>
/// or start from a preset (<see cref="DannPresets"/>) and swap a part.
/// </para>
/// <para>
/// A mismatch throws <see cref="DannModelCompositionException"/> naming both parts and both sizes, for example
/// "feature extractor gives 768 features, label classifier expects 2352". The check is
/// <see cref="DannModelInspector.Inspect"/>; the sizes it found are in <see cref="Shape"/> after a build.
/// </para>
/// <para>
/// A builder builds one model: the parts are module instances and belong to the model they were built into.
/// </para>
/// </remarks>
public sealed class DannModelBuilder
{
    private SampleShape? _inputShape;
    private nn.Module<Tensor, Tensor>? _featureExtractor;
    private long? _features;
    private nn.Module<Tensor, Tensor>? _labelClassifier;
    private nn.Module<Tensor, Tensor>? _domainClassifier;
    private ILambdaSchedule? _lambdaSchedule;
    private double? _initialLambda;
    private Device? _device;
    private ScalarType? _dtype;
    private DannModel? _built;

    /// <summary>The declared per-sample input shape, or null.</summary>
    public SampleShape? InputShape => _inputShape;

    /// <summary>
    /// The declared feature count F, or null when none was declared. Presets declare it, so a replacement head can be
    /// sized from it: <c>b.WithLabelClassifier(Heads.Mlp(b.Features!.Value, [256], 10))</c>.
    /// </summary>
    public long? Features => _features;

    /// <summary>The feature extractor, or null.</summary>
    public nn.Module<Tensor, Tensor>? FeatureExtractor => _featureExtractor;

    /// <summary>The label classifier, or null.</summary>
    public nn.Module<Tensor, Tensor>? LabelClassifier => _labelClassifier;

    /// <summary>The domain classifier, or null.</summary>
    public nn.Module<Tensor, Tensor>? DomainClassifier => _domainClassifier;

    /// <summary>The λ schedule to attach, or null.</summary>
    public ILambdaSchedule? LambdaSchedule => _lambdaSchedule;

    /// <summary>The sizes found when the model was built; null before <see cref="Build"/> succeeds.</summary>
    public DannModelShape? Shape { get; private set; }

    /// <summary>Declares the per-sample input shape (without the batch dimension) the feature extractor accepts.</summary>
    /// <param name="shape">For example <c>SampleShape.Image(3, 28, 28)</c> or <c>SampleShape.Vector(2)</c>.</param>
    /// <returns>This builder.</returns>
    public DannModelBuilder WithInputShape(SampleShape shape)
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
    public DannModelBuilder WithInputShape(params long[] dimensions) => WithInputShape(new SampleShape(dimensions));

    /// <summary>Sets the feature extractor <c>G_f</c>: input <c>[B, …]</c> → features <c>[B, F]</c>.</summary>
    /// <param name="featureExtractor">Any module; its output must be two-dimensional.</param>
    /// <param name="features">The feature count F it gives, checked at build time; null to accept what it gives.</param>
    /// <returns>This builder.</returns>
    /// <exception cref="ArgumentOutOfRangeException">When <paramref name="features"/> is not positive.</exception>
    public DannModelBuilder WithFeatureExtractor(nn.Module<Tensor, Tensor> featureExtractor, long? features = null)
    {
        ArgumentNullException.ThrowIfNull(featureExtractor);
        if (features is <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(features), features, "The declared feature count must be positive.");
        }

        EnsureNotBuilt();
        _featureExtractor = featureExtractor;
        _features = features;
        return this;
    }

    /// <summary>Sets the label classifier <c>G_y</c>: features <c>[B, F]</c> → class logits <c>[B, K]</c>, K ≥ 2.</summary>
    /// <param name="labelClassifier">Any module, for example <see cref="Heads.Mlp"/>.</param>
    /// <returns>This builder.</returns>
    public DannModelBuilder WithLabelClassifier(nn.Module<Tensor, Tensor> labelClassifier)
    {
        ArgumentNullException.ThrowIfNull(labelClassifier);
        EnsureNotBuilt();
        _labelClassifier = labelClassifier;
        return this;
    }

    /// <summary>
    /// Sets the domain classifier <c>G_d</c>: features <c>[B, F]</c> (through the gradient reversal layer) → domain logits
    /// <c>[B, 1]</c> (binary cross-entropy with logits) or <c>[B, 2]</c> (cross-entropy).
    /// </summary>
    /// <param name="domainClassifier">Any module, for example <see cref="Heads.Mlp"/>.</param>
    /// <returns>This builder.</returns>
    public DannModelBuilder WithDomainClassifier(nn.Module<Tensor, Tensor> domainClassifier)
    {
        ArgumentNullException.ThrowIfNull(domainClassifier);
        EnsureNotBuilt();
        _domainClassifier = domainClassifier;
        return this;
    }

    /// <summary>Attaches a λ schedule to the model (<see cref="DannModel.LambdaSchedule"/>; applied by <see cref="DannModel.SetProgress"/>).</summary>
    /// <param name="schedule">For example <c>LambdaSchedules.Ganin()</c>.</param>
    /// <returns>This builder.</returns>
    public DannModelBuilder WithLambdaSchedule(ILambdaSchedule schedule)
    {
        ArgumentNullException.ThrowIfNull(schedule);
        EnsureNotBuilt();
        _lambdaSchedule = schedule;
        return this;
    }

    /// <summary>
    /// Sets λ for the built model. Without it, λ is the schedule's value at p = 0 when a schedule is attached, else 0
    /// (the <see cref="DannModel"/> default).
    /// </summary>
    /// <param name="lambda">A finite λ.</param>
    /// <returns>This builder.</returns>
    /// <exception cref="ArgumentOutOfRangeException">When <paramref name="lambda"/> is NaN or infinite.</exception>
    public DannModelBuilder WithInitialLambda(double lambda)
    {
        if (!double.IsFinite(lambda))
        {
            throw new ArgumentOutOfRangeException(nameof(lambda), lambda, "The gradient reversal coefficient λ must be a finite number.");
        }

        EnsureNotBuilt();
        _initialLambda = lambda;
        return this;
    }

    /// <summary>Moves the built model (all parameters and buffers) to <paramref name="device"/>; the check runs there.</summary>
    /// <param name="device">For example <c>torch.CPU</c> or <c>torch.CUDA</c>.</param>
    /// <returns>This builder.</returns>
    public DannModelBuilder WithDevice(Device device)
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
    public DannModelBuilder WithDtype(ScalarType dtype)
    {
        if (dtype is not (ScalarType.Float16 or ScalarType.BFloat16 or ScalarType.Float32 or ScalarType.Float64))
        {
            throw new ArgumentOutOfRangeException(nameof(dtype), dtype, "A DANN model's dtype must be a floating-point type (Float16, BFloat16, Float32 or Float64).");
        }

        EnsureNotBuilt();
        _dtype = dtype;
        return this;
    }

    /// <summary>
    /// Composes the model, attaches the λ schedule, moves it to the chosen device and dtype, and checks the parts with
    /// a dummy batch (see <see cref="DannModelInspector.Inspect"/>). The model is returned with every module in the
    /// training mode it had before the check (fresh modules are in training mode).
    /// </summary>
    /// <returns>The model.</returns>
    /// <exception cref="DannModelCompositionException">When a part or the input shape is missing, or the parts do not fit.</exception>
    /// <exception cref="InvalidOperationException">When this builder already built a model.</exception>
    public DannModel Build()
    {
        EnsureNotBuilt();
        var missingParts = new List<DannModelPart>();
        var missing = new List<string>();
        if (_inputShape is null) missing.Add("the input shape (WithInputShape)");
        if (_featureExtractor is null)
        {
            missing.Add("the feature extractor (WithFeatureExtractor)");
            missingParts.Add(DannModelPart.FeatureExtractor);
        }

        if (_labelClassifier is null)
        {
            missing.Add("the label classifier (WithLabelClassifier)");
            missingParts.Add(DannModelPart.LabelClassifier);
        }

        if (_domainClassifier is null)
        {
            missing.Add("the domain classifier (WithDomainClassifier)");
            missingParts.Add(DannModelPart.DomainClassifier);
        }

        if (missing.Count > 0)
        {
            throw new DannModelCompositionException(
                string.Create(CultureInfo.InvariantCulture, $"Cannot build the DANN model: missing {string.Join(", ", missing)}. Set them on the builder, or start from a preset such as DannPresets.Mnist(...)."),
                missingParts);
        }

        TorchRuntime.EnsureInitialized();
        double lambda = _initialLambda ?? _lambdaSchedule?.ValueAt(0.0) ?? 0.0;
        var model = new DannModel(_featureExtractor!, _labelClassifier!, _domainClassifier!, lambda)
        {
            LambdaSchedule = _lambdaSchedule,
        };

        if (_device is not null && _dtype is ScalarType both)
        {
            model.to(_device, both);
        }
        else if (_device is not null)
        {
            model.to(_device);
        }
        else if (_dtype is ScalarType type)
        {
            model.to(type);
        }

        Shape = DannModelInspector.Inspect(model, _inputShape!, _features, _device, _dtype);
        _built = model;
        return model;
    }

    private void EnsureNotBuilt()
    {
        if (_built is not null)
        {
            throw new InvalidOperationException("This DannModelBuilder already built a model, and its parts belong to that model. Use a new builder (or call the preset again) for a second model.");
        }
    }
}
