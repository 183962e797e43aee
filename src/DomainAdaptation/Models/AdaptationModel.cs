using TorchSharp;
using static TorchSharp.torch;

namespace DomainAdaptation.Models;

/// <summary>
/// The classifier every adaptation method trains: a feature extractor <c>G_f</c>, an optional bottleneck <c>B</c>, and a
/// label classifier <c>G_y</c>, so that <c>logits = G_y(B(G_f(x)))</c>. What a method adds to it — DANN's domain
/// classifier behind a gradient reversal layer, MCD's second classifier, MDD's adversarial head, a mean teacher —
/// belongs to the method (<see cref="Methods.AdaptationMethod"/>), not to this model, so that the model is the part
/// that ships.
/// </summary>
/// <remarks>
/// <para>
/// Shapes: input <c>[B, C, H, W]</c> (or whatever the feature extractor accepts) → backbone features <c>[B, F₀]</c> →
/// bottleneck → features <c>[B, F]</c> (F = F₀ without a bottleneck) → class logits <c>[B, K]</c>.
/// </para>
/// <para>
/// Any <c>Module&lt;Tensor, Tensor&gt;</c> can fill each part. The field names are the checkpoint keys
/// (<c>feature_extractor.*</c>, <c>bottleneck.*</c>, <c>label_classifier.*</c>); without a bottleneck there are no
/// <c>bottleneck.*</c> keys. Each part has a learning-rate multiplier (for example ×0.1 for a pretrained backbone,
/// as Transfer-Learning-Library does), which the trainer's optimizer applies through parameter groups.
/// </para>
/// </remarks>
public sealed class AdaptationModel : nn.Module<Tensor, Tensor>
{
#pragma warning disable IDE1006 // Field names are the state-dict keys.
    private readonly nn.Module<Tensor, Tensor> feature_extractor;
    private readonly nn.Module<Tensor, Tensor>? bottleneck;
    private readonly nn.Module<Tensor, Tensor> label_classifier;
#pragma warning restore IDE1006

    /// <summary>Composes a model from its parts. Prefer <see cref="AdaptationModelBuilder"/>, which also checks that the parts fit.</summary>
    /// <param name="featureExtractor">Maps inputs to feature vectors <c>[B, F₀]</c>.</param>
    /// <param name="labelClassifier">Maps (bottleneck) features to class logits <c>[B, K]</c>.</param>
    /// <param name="bottleneck">Maps <c>[B, F₀]</c> to <c>[B, F]</c>, or null for none.</param>
    /// <param name="learningRates">The learning-rate multiplier of each part; null for 1 everywhere.</param>
    /// <param name="name">The module name.</param>
    public AdaptationModel(
        nn.Module<Tensor, Tensor> featureExtractor,
        nn.Module<Tensor, Tensor> labelClassifier,
        nn.Module<Tensor, Tensor>? bottleneck = null,
        PartLearningRates? learningRates = null,
        string name = "AdaptationModel")
        : base(name)
    {
        ArgumentNullException.ThrowIfNull(featureExtractor);
        ArgumentNullException.ThrowIfNull(labelClassifier);
        feature_extractor = featureExtractor;
        this.bottleneck = bottleneck;
        label_classifier = labelClassifier;
        LearningRates = (learningRates ?? PartLearningRates.Uniform).Checked();
        RegisterComponents();
    }

    /// <summary>The feature extractor (backbone) <c>G_f</c>.</summary>
    public nn.Module<Tensor, Tensor> FeatureExtractor => feature_extractor;

    /// <summary>The bottleneck between the backbone and the heads, or null.</summary>
    public nn.Module<Tensor, Tensor>? Bottleneck => bottleneck;

    /// <summary>The label classifier <c>G_y</c>.</summary>
    public nn.Module<Tensor, Tensor> LabelClassifier => label_classifier;

    /// <summary>The learning-rate multiplier of each part.</summary>
    public PartLearningRates LearningRates { get; }

    /// <summary>The parts as (state-dict prefix, module, learning-rate multiplier), in forward order; the bottleneck only when there is one.</summary>
    public IEnumerable<(string Prefix, nn.Module Module, double LearningRateMultiplier)> Parts
    {
        get
        {
            yield return ("feature_extractor", feature_extractor, LearningRates.FeatureExtractor);
            if (bottleneck is not null) yield return ("bottleneck", bottleneck, LearningRates.Bottleneck);
            yield return ("label_classifier", label_classifier, LearningRates.LabelClassifier);
        }
    }

    /// <summary>Computes class logits: <c>G_y(B(G_f(x)))</c>.</summary>
    /// <param name="input">A batch the feature extractor accepts.</param>
    /// <returns>Class logits <c>[B, K]</c>.</returns>
    public override Tensor forward(Tensor input) => label_classifier.call(Features(input));

    /// <summary>Computes the features the heads see: <c>B(G_f(x))</c>, or <c>G_f(x)</c> without a bottleneck.</summary>
    /// <param name="input">A batch.</param>
    /// <returns>Features <c>[B, F]</c>.</returns>
    public Tensor Features(Tensor input)
    {
        Tensor features = feature_extractor.call(input);
        return bottleneck is null ? features : bottleneck.call(features);
    }

    /// <summary>Computes class logits from features given by <see cref="Features"/>.</summary>
    /// <param name="features">Features <c>[B, F]</c>.</param>
    /// <returns>Class logits <c>[B, K]</c>.</returns>
    public Tensor ClassifyFeatures(Tensor features) => label_classifier.call(features);
}
