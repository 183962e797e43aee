using TorchSharp;
using static TorchSharp.torch;

namespace DomainAdaptation.Models;

/// <summary>
/// The domain-adversarial neural network of Ganin &amp; Lempitsky (ICML 2015): a feature extractor <c>G_f</c> feeding a
/// label classifier <c>G_y</c> directly and a domain classifier <c>G_d</c> through a gradient reversal layer.
/// </summary>
/// <remarks>
/// <para>
/// Shapes: input <c>[B, C, H, W]</c> (or whatever the feature extractor accepts) → features <c>[B, F]</c> →
/// class logits <c>[B, K]</c>; features → GRL(λ) → domain logits <c>[B, 1]</c> or <c>[B, 2]</c>.
/// </para>
/// <para>
/// Any <c>Module&lt;Tensor, Tensor&gt;</c> can fill each part. The field names below are the checkpoint keys
/// (<c>feature_extractor.*</c>, <c>label_classifier.*</c>, <c>domain_classifier.*</c>). The model never changes λ by
/// itself: the trainer sets <see cref="Lambda"/> from a schedule before each step.
/// </para>
/// </remarks>
public sealed class DannModel : nn.Module<Tensor, DannOutput>
{
#pragma warning disable IDE1006 // Field names are the state-dict keys.
    private readonly nn.Module<Tensor, Tensor> feature_extractor;
    private readonly nn.Module<Tensor, Tensor> label_classifier;
    private readonly GradientReversal gradient_reversal;
    private readonly nn.Module<Tensor, Tensor> domain_classifier;
#pragma warning restore IDE1006

    /// <summary>Composes a DANN from its parts. Prefer DannModelBuilder, which also checks the parts fit.</summary>
    /// <param name="featureExtractor">Maps inputs to feature vectors <c>[B, F]</c>.</param>
    /// <param name="labelClassifier">Maps features to class logits <c>[B, K]</c>.</param>
    /// <param name="domainClassifier">Maps features to domain logits <c>[B, 1]</c> or <c>[B, 2]</c>.</param>
    /// <param name="lambda">The initial reversal coefficient.</param>
    /// <param name="name">The module name.</param>
    public DannModel(
        nn.Module<Tensor, Tensor> featureExtractor,
        nn.Module<Tensor, Tensor> labelClassifier,
        nn.Module<Tensor, Tensor> domainClassifier,
        double lambda = 0.0,
        string name = "DannModel")
        : base(name)
    {
        ArgumentNullException.ThrowIfNull(featureExtractor);
        ArgumentNullException.ThrowIfNull(labelClassifier);
        ArgumentNullException.ThrowIfNull(domainClassifier);
        feature_extractor = featureExtractor;
        label_classifier = labelClassifier;
        domain_classifier = domainClassifier;
        gradient_reversal = new GradientReversal(lambda);
        RegisterComponents();
    }

    /// <summary>The feature extractor <c>G_f</c>.</summary>
    public nn.Module<Tensor, Tensor> FeatureExtractor => feature_extractor;

    /// <summary>The label classifier <c>G_y</c>.</summary>
    public nn.Module<Tensor, Tensor> LabelClassifier => label_classifier;

    /// <summary>The domain classifier <c>G_d</c>.</summary>
    public nn.Module<Tensor, Tensor> DomainClassifier => domain_classifier;

    /// <summary>The gradient reversal layer between the features and the domain classifier.</summary>
    public GradientReversal GradientReversal => gradient_reversal;

    /// <summary>The reversal coefficient λ; set it explicitly between steps.</summary>
    public double Lambda
    {
        get => gradient_reversal.Lambda;
        set => gradient_reversal.Lambda = value;
    }

    /// <summary>
    /// The λ schedule attached by the builder, or null. The model never applies it by itself: a trainer calls
    /// <see cref="SetProgress"/> once per step.
    /// </summary>
    public Schedules.ILambdaSchedule? LambdaSchedule { get; set; }

    /// <summary>Sets <see cref="Lambda"/> from <see cref="LambdaSchedule"/> at training progress <paramref name="progress"/>.</summary>
    /// <param name="progress">p = step / totalSteps, in [0, 1].</param>
    /// <returns>The λ now in force.</returns>
    /// <exception cref="InvalidOperationException">When no schedule is attached.</exception>
    public double SetProgress(double progress)
    {
        if (LambdaSchedule is null)
        {
            throw new InvalidOperationException("No λ schedule is attached to this model; set LambdaSchedule (the builder's WithLambdaSchedule) or set Lambda directly.");
        }

        Lambda = LambdaSchedule.ValueAt(progress);
        return Lambda;
    }

    /// <summary>Runs all three parts on a batch.</summary>
    /// <param name="input">A batch the feature extractor accepts.</param>
    /// <returns>Class logits, domain logits and features.</returns>
    public override DannOutput forward(Tensor input)
    {
        Tensor features = feature_extractor.call(input);
        Tensor classLogits = label_classifier.call(features);
        Tensor domainLogits = domain_classifier.call(gradient_reversal.call(features));
        return new DannOutput(classLogits, domainLogits, features);
    }

    /// <summary>Computes features only (no heads): for embeddings and feature-level diagnostics.</summary>
    /// <param name="input">A batch.</param>
    /// <returns>Features <c>[B, F]</c>.</returns>
    public Tensor Features(Tensor input) => feature_extractor.call(input);

    /// <summary>Computes class logits only: features then the label classifier.</summary>
    /// <param name="input">A batch.</param>
    /// <returns>Class logits <c>[B, K]</c>.</returns>
    public Tensor Classify(Tensor input) => label_classifier.call(feature_extractor.call(input));
}
