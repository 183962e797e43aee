using System.Globalization;
using System.Text.Json.Nodes;
using DomainAdaptation.Models;
using DomainAdaptation.Schedules;
using TorchSharp;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace DomainAdaptation.Methods.Adversarial;

/// <summary>
/// Domain-adversarial training, DANN (Ganin &amp; Lempitsky, ICML 2015; Ganin et al., JMLR 2016): a domain classifier
/// <c>G_d</c> reads the features through a gradient reversal layer <c>R_λ</c>, so that minimising
/// <c>L = CE(G_y(f_s), y_s) + w · L_d(G_d(R_λ([f_s; f_t])), [0…0; 1…1])</c> trains <c>G_d</c> to tell the domains apart
/// and the feature extractor to prevent it, scaled by λ.
/// </summary>
/// <remarks>
/// <para>
/// <c>L_d</c> is the binary cross-entropy with logits on one domain logit (source 0, target 1) or the two-class
/// cross-entropy on two, averaged over both halves. λ_p follows <see cref="LambdaSchedule"/> (the paper's
/// <c>2/(1+exp(−10p))−1</c> by default), read at the step's progress; w defaults to 1 (the authors' TensorFlow code;
/// 2 is the JMLR objective written as the sum of the two domains' means).
/// </para>
/// <para>
/// The domain classifier is the one given (the presets carry the paper's: <c>new Dann(builder.DomainClassifier)</c>) or,
/// when none is, Transfer-Learning-Library's <c>DomainDiscriminator</c>: F → 1024 → BN → ReLU → 1024 → BN → ReLU → 1
/// (or 2), created from the run's seed. It is saved in checkpoints as <c>method.domain_classifier.*</c>. Reported: the
/// "domain" term, "domain_accuracy" (the domain classifier's accuracy on the batch) and "lambda".
/// </para>
/// </remarks>
public sealed class Dann : LossMethod, IDomainDiscriminator
{
    /// <summary>The hidden width of the domain classifier created when none is given (tllib's 1024).</summary>
    public const int DefaultDiscriminatorWidth = 1024;

    private nn.Module<Tensor, Tensor>? _domainClassifier;

    /// <summary>Creates the method.</summary>
    /// <param name="domainClassifier">The domain classifier <c>G_d</c> (features → 1 or 2 logits), or null to create tllib's from the run's seed.</param>
    /// <param name="lambdaSchedule">λ as a function of progress; null for the paper's <see cref="LambdaSchedules.Ganin"/>.</param>
    /// <param name="domainLossWeight">The weight w of the domain loss; finite, ≥ 0.</param>
    /// <param name="domainLoss">How the domain classifier is scored; it must match its outputs (1 logit: binary cross-entropy; 2: cross-entropy).</param>
    /// <exception cref="ArgumentOutOfRangeException">When <paramref name="domainLossWeight"/> is negative or not finite.</exception>
    public Dann(nn.Module<Tensor, Tensor>? domainClassifier = null, ILambdaSchedule? lambdaSchedule = null, double domainLossWeight = 1.0, DomainLossKind domainLoss = DomainLossKind.BinaryCrossEntropyWithLogits)
    {
        if (!Enum.IsDefined(domainLoss)) throw new ArgumentOutOfRangeException(nameof(domainLoss), domainLoss, "Use a DomainLossKind value.");
        _domainClassifier = domainClassifier;
        LambdaSchedule = lambdaSchedule ?? LambdaSchedules.Ganin();
        DomainLossWeight = NonNegative(domainLossWeight, nameof(domainLossWeight));
        DomainLoss = domainLoss;
    }

    /// <inheritdoc />
    public override string Name => "dann";

    /// <summary>λ as a function of training progress.</summary>
    public ILambdaSchedule LambdaSchedule { get; }

    /// <summary>The weight w of the domain loss.</summary>
    public double DomainLossWeight { get; }

    /// <summary>How the domain classifier is scored.</summary>
    public DomainLossKind DomainLoss { get; }

    /// <summary>The domain classifier (null before <see cref="AdaptationMethod.Initialize"/> when none was given).</summary>
    public nn.Module<Tensor, Tensor>? DomainClassifier => _domainClassifier;

    /// <inheritdoc />
    public override JsonObject Settings => new()
    {
        ["LambdaSchedule"] = LambdaSchedule.ToString(),
        ["DomainLossWeight"] = DomainLossWeight,
        ["DomainLoss"] = DomainLoss.ToString(),
    };

    /// <inheritdoc />
    public override string Describe() => string.Create(CultureInfo.InvariantCulture, $"DANN (λ: {LambdaSchedule}, domain-loss weight {DomainLossWeight})");

    /// <inheritdoc />
    public Tensor DomainLogits(Tensor features, Tensor classLogits)
    {
        ArgumentNullException.ThrowIfNull(features);
        return (_domainClassifier ?? throw new InvalidOperationException("DANN is not initialised: it has no domain classifier yet.")).call(features);
    }

    /// <inheritdoc />
    protected override void OnInitialize(MethodSetup setup)
    {
        _domainClassifier ??= Place(SeededInitialization.Run(setup.Seed, () => (nn.Module<Tensor, Tensor>)Heads.Mlp(setup.Features, [DefaultDiscriminatorWidth, DefaultDiscriminatorWidth], DomainLoss == DomainLossKind.CrossEntropy ? 2 : 1, batchNorm: true)), setup);
        long outputs = ModelInspector.InspectHead(_domainClassifier, setup.Features, "DANN's domain classifier", setup.Device, setup.Dtype);
        CheckOutputs(outputs);
        AddModule("domain_classifier", _domainClassifier);
    }

    /// <inheritdoc />
    protected internal override void AddAdaptationTerms(StepForward forward, StepContext context, LossTermsBuilder terms)
    {
        ArgumentNullException.ThrowIfNull(forward);
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(terms);
        nn.Module<Tensor, Tensor> head = _domainClassifier ?? throw new InvalidOperationException("DANN is not initialised: call Initialize first (the trainer does).");
        double lambda = LambdaSchedule.ValueAt(context.Progress);
        Tensor domainLogits = StepForward.ToLossPrecision(forward.ApplyHead(features => head.call(features.ReverseGradient(lambda))));
        Tensor domains = DomainLabels(forward.SourceCount, forward.TargetCount, domainLogits.device);
        (Tensor loss, Tensor accuracy) = DomainLossAndAccuracy(domainLogits, domains, DomainLoss);
        terms.Add("domain", loss, DomainLossWeight);
        terms.Metric("domain_accuracy", accuracy);
        terms.Schedule("lambda", lambda);
    }

    /// <summary>Domain labels for <c>[source; target]</c>: 0 for the source samples, 1 for the target samples (int64).</summary>
    /// <param name="sourceCount">Source samples.</param>
    /// <param name="targetCount">Target samples.</param>
    /// <param name="device">The device.</param>
    /// <returns>The labels <c>[sourceCount + targetCount]</c>.</returns>
    internal static Tensor DomainLabels(long sourceCount, long targetCount, Device device) =>
        cat([zeros(sourceCount, ScalarType.Int64, device), ones(targetCount, ScalarType.Int64, device)], 0);

    /// <summary>The domain loss and the domain classifier's accuracy, for one logit (binary cross-entropy) or two (cross-entropy).</summary>
    /// <param name="logits">Domain logits <c>[B, 1]</c> or <c>[B, 2]</c>.</param>
    /// <param name="domains">int64 domain labels <c>[B]</c>.</param>
    /// <param name="kind">The loss.</param>
    /// <param name="weights">Per-sample weights <c>[B]</c> (CDAN+E's entropy conditioning), or null for a plain mean.</param>
    /// <returns>The loss and the accuracy.</returns>
    internal static (Tensor Loss, Tensor Accuracy) DomainLossAndAccuracy(Tensor logits, Tensor domains, DomainLossKind kind, Tensor? weights = null)
    {
        long outputs = logits.dim() == 1 ? 1 : logits.shape[^1];
        if (kind == DomainLossKind.BinaryCrossEntropyWithLogits)
        {
            if (logits.dim() > 2 || outputs != 1)
            {
                throw new InvalidOperationException(string.Create(CultureInfo.InvariantCulture, $"DomainLossKind.BinaryCrossEntropyWithLogits needs a domain classifier with one output, but it gives [{string.Join(", ", logits.shape)}]: use DomainLossKind.CrossEntropy, or give the domain classifier one output."));
            }

            Tensor flat = logits.reshape(-1);
            Tensor loss = weights is null
                ? F.binary_cross_entropy_with_logits(flat, domains.to_type(flat.dtype))
                : F.binary_cross_entropy_with_logits(flat, domains.to_type(flat.dtype), weights.to_type(flat.dtype));
            Tensor accuracy = flat.gt(0).to_type(ScalarType.Int64).eq(domains).to_type(ScalarType.Float64).mean();
            return (loss, accuracy);
        }

        if (logits.dim() != 2 || outputs != 2)
        {
            throw new InvalidOperationException(string.Create(CultureInfo.InvariantCulture, $"DomainLossKind.CrossEntropy needs a domain classifier with two outputs, but it gives [{string.Join(", ", logits.shape)}]: use DomainLossKind.BinaryCrossEntropyWithLogits, or give the domain classifier two outputs."));
        }

        Tensor ce = weights is null
            ? F.cross_entropy(logits, domains)
            : F.cross_entropy(logits, domains, reduction: nn.Reduction.None).mul(weights.to_type(logits.dtype)).mean();
        return (ce, Accuracy(logits, domains));
    }

    private void CheckOutputs(long outputs)
    {
        long expected = DomainLoss == DomainLossKind.CrossEntropy ? 2 : 1;
        if (outputs != expected)
        {
            throw new ModelCompositionException(
                string.Create(CultureInfo.InvariantCulture, $"DANN's domain classifier gives {outputs} outputs per sample, but DomainLossKind.{DomainLoss} needs {expected}: use DomainLossKind.{(outputs == 2 ? nameof(DomainLossKind.CrossEntropy) : nameof(DomainLossKind.BinaryCrossEntropyWithLogits))}, or give the domain classifier {expected} output{(expected == 1 ? string.Empty : "s")}."),
                ModelPart.DomainClassifier);
        }
    }
}
