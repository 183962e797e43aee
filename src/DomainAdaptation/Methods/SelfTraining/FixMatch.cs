using System.Globalization;
using System.Text.Json.Nodes;
using DomainAdaptation.Data.Augmentation;
using DomainAdaptation.Schedules;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace DomainAdaptation.Methods.SelfTraining;

/// <summary>
/// FixMatch-style self-training on the target (Sohn et al., NeurIPS 2020, "FixMatch: Simplifying Semi-Supervised Learning
/// with Consistency and Confidence", used for domain adaptation as in e.g. Transfer-Learning-Library's
/// <c>self_training/</c>): the model's prediction on a weak view of each target image becomes a pseudo-label when it is
/// confident, and the model is trained to predict it on a strong view,
/// <c>L = CE(source) + λ_u · (1/B) Σ_i 1[max q_i ≥ τ] · CE(z(A_strong(x_i)), argmax q_i)</c>, <c>q_i = softmax(z(A_weak(x_i)))</c> (no gradient).
/// </summary>
/// <remarks>
/// <para>
/// Defaults from the paper: τ = 0.95, λ_u = 1; the weak and strong views are <see cref="BatchAugmentation"/>'s, drawn
/// from the step's generators (streams 1 and 2), so they repeat on resume. The two target views join the step's
/// shared pass (<see cref="StepForward.AddTargetViews"/>): one batch of source, weak and strong samples, as in the
/// reference code, so that batch-norm statistics match between training and evaluation. While λ_u is 0 (e.g. during a
/// delay: <c>fixmatch:delay=0.25</c>) no views are made and the step is the source-only (or composite partner's) step. Reported: "pseudo_label" and "mask_rate",
/// the share of target samples above the threshold. An optional schedule ramps λ_u (none by default).
/// </para>
/// </remarks>
public sealed class FixMatch : LossMethod
{
    /// <summary>Creates the method.</summary>
    /// <param name="threshold">The confidence threshold τ in (0, 1).</param>
    /// <param name="weight">λ_u, the weight of the pseudo-label term; finite, ≥ 0.</param>
    /// <param name="rampUp">A factor on λ_u as a function of progress, or null for none.</param>
    /// <param name="weak">The weak view; null for the defaults (shift, no flip).</param>
    /// <param name="strong">The strong view; null for the defaults.</param>
    public FixMatch(double threshold = 0.95, double weight = 1.0, ILambdaSchedule? rampUp = null, WeakAugmentation? weak = null, StrongAugmentation? strong = null)
    {
        if (!(threshold > 0 && threshold < 1)) throw new ArgumentOutOfRangeException(nameof(threshold), threshold, "FixMatch's confidence threshold must be in (0, 1).");
        Threshold = threshold;
        Weight = NonNegative(weight, nameof(weight));
        RampUp = rampUp;
        Weak = weak ?? new WeakAugmentation();
        Strong = strong ?? new StrongAugmentation();
    }

    /// <inheritdoc />
    public override string Name => "fixmatch";

    /// <inheritdoc />
    public override ForwardNeeds Needs => ForwardNeeds.Source;

    /// <summary>The confidence threshold τ.</summary>
    public double Threshold { get; }

    /// <summary>λ_u.</summary>
    public double Weight { get; }

    /// <summary>The ramp-up of λ_u, or null.</summary>
    public ILambdaSchedule? RampUp { get; }

    /// <summary>The weak view's settings.</summary>
    public WeakAugmentation Weak { get; }

    /// <summary>The strong view's settings.</summary>
    public StrongAugmentation Strong { get; }

    /// <inheritdoc />
    public override JsonObject Settings => new()
    {
        ["Threshold"] = Threshold,
        ["Weight"] = Weight,
        ["RampUp"] = RampUp?.ToString(),
        ["Weak"] = Weak.ToString(),
        ["Strong"] = Strong.ToString(),
    };

    /// <inheritdoc />
    public override string Describe() => string.Create(CultureInfo.InvariantCulture, $"FixMatch self-training (τ = {Threshold}, λ_u = {Weight})");

    /// <summary>The pseudo-label loss and the mask rate, from the logits of the weak and the strong view.</summary>
    /// <param name="weakLogits">Logits on the weak views <c>[B, K]</c> (detached inside).</param>
    /// <param name="strongLogits">Logits on the strong views <c>[B, K]</c>.</param>
    /// <param name="threshold">τ.</param>
    /// <returns>The loss <c>(1/B) Σ mask · CE</c> and the share of samples with max q ≥ τ.</returns>
    public static (Tensor Loss, Tensor MaskRate) Loss(Tensor weakLogits, Tensor strongLogits, double threshold = 0.95)
    {
        ArgumentNullException.ThrowIfNull(weakLogits);
        ArgumentNullException.ThrowIfNull(strongLogits);
        Tensor q = weakLogits.detach().softmax(1);
        (Tensor confidence, Tensor pseudo) = q.max(1);
        Tensor mask = confidence.ge(threshold).to_type(strongLogits.dtype);
        Tensor loss = F.cross_entropy(strongLogits, pseudo, reduction: nn.Reduction.None).mul(mask).mean();
        return (loss, mask.to_type(ScalarType.Float64).mean());
    }

    /// <inheritdoc />
    protected internal override void AddInputs(StepForward forward, StepContext context)
    {
        ArgumentNullException.ThrowIfNull(forward);
        ArgumentNullException.ThrowIfNull(context);
        if (WeightAt(context) == 0) return;
        Tensor x = forward.Batch.TargetImages;
        forward.AddTargetViews(this, cat([BatchAugmentation.Weak(x, context.Generator(1), Weak), BatchAugmentation.Strong(x, context.Generator(2), Strong)], 0));
    }

    /// <inheritdoc />
    protected internal override void AddAdaptationTerms(StepForward forward, StepContext context, LossTermsBuilder terms)
    {
        ArgumentNullException.ThrowIfNull(forward);
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(terms);
        double weight = WeightAt(context);
        if (weight == 0)
        {
            // Off (a delay, or λ_u = 0): no views, no pass, the same columns.
            terms.Add("pseudo_label", zeros([], ScalarType.Float32, forward.Batch.TargetImages.device), 0);
            terms.Metric("mask_rate", zeros([], ScalarType.Float64, forward.Batch.TargetImages.device));
        }
        else
        {
            long b = forward.TargetCount;
            Tensor logits = forward.TargetViewLogits(this);
            (Tensor loss, Tensor rate) = Loss(logits.narrow(0, 0, b), logits.narrow(0, b, b), Threshold);
            terms.Add("pseudo_label", loss, weight);
            terms.Metric("mask_rate", rate);
        }

        if (RampUp is not null) terms.Schedule("pseudo_label_weight", weight);
    }

    private double WeightAt(StepContext context) => Weight * (RampUp?.ValueAt(context.Progress) ?? 1.0);
}
