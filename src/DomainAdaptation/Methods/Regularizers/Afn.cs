using System.Globalization;
using System.Text.Json.Nodes;
using static TorchSharp.torch;

namespace DomainAdaptation.Methods.Regularizers;

/// <summary>
/// Adaptive feature norm, AFN (Xu et al., ICCV 2019, "Larger Norm More Transferable"): enlarge the features' norms on both
/// domains. The stepwise variant SAFN (the default) pulls each feature's norm one step Δr beyond its current value,
/// <c>L_SAFN = mean_i (‖h_i‖ − (‖h_i‖_detached + Δr))²</c>, per domain; the hard variant HAFN pulls it to a fixed radius R,
/// <c>L_HAFN = mean_i (‖h_i‖ − R)²</c>. The objective is <c>CE(source) + w · (L(h_s) + L(h_t))</c>.
/// </summary>
/// <remarks>
/// Defaults from the paper and Transfer-Learning-Library (<c>tllib/normalization/afn.py</c>,
/// <c>examples/.../afn.py</c>): Δr = 1, w = 0.05, R = 25 for HAFN. The SAFN value is always 2·Δr² (Δr² per domain): the
/// term's gradient, <c>−2Δr · ∂‖h‖</c>, is what moves the norms.
/// </remarks>
public sealed class Afn : LossMethod
{
    /// <summary>Creates the method.</summary>
    /// <param name="weight">The weight w; finite, ≥ 0.</param>
    /// <param name="step">SAFN's Δr; finite, &gt; 0. Ignored by HAFN.</param>
    /// <param name="radius">HAFN's R, or null for SAFN; finite, &gt; 0.</param>
    public Afn(double weight = 0.05, double step = 1.0, double? radius = null)
    {
        Weight = NonNegative(weight, nameof(weight));
        Step = Positive(step, nameof(step));
        if (radius is double r) Positive(r, nameof(radius));
        Radius = radius;
    }

    /// <inheritdoc />
    public override string Name => Radius is null ? "afn" : "hafn";

    /// <summary>The weight w.</summary>
    public double Weight { get; }

    /// <summary>SAFN's step Δr.</summary>
    public double Step { get; }

    /// <summary>HAFN's radius R, or null for SAFN.</summary>
    public double? Radius { get; }

    /// <inheritdoc />
    public override JsonObject Settings => new() { ["Weight"] = Weight, ["Step"] = Step, ["Radius"] = Radius };

    /// <inheritdoc />
    public override string Describe() => Radius is double r
        ? string.Create(CultureInfo.InvariantCulture, $"HAFN (R = {r}, weight {Weight})")
        : string.Create(CultureInfo.InvariantCulture, $"SAFN (Δr = {Step}, weight {Weight})");

    /// <summary>SAFN's loss of one domain's features.</summary>
    /// <param name="features">Features <c>[B, d]</c>.</param>
    /// <param name="step">Δr.</param>
    /// <returns>A scalar (= Δr²).</returns>
    public static Tensor StepwiseLoss(Tensor features, double step = 1.0)
    {
        ArgumentNullException.ThrowIfNull(features);
        Tensor norm = linalg.vector_norm(features, 2.0, [1]);
        return norm.sub(norm.detach().add(step)).pow(2).mean();
    }

    /// <summary>HAFN's loss of one domain's features.</summary>
    /// <param name="features">Features <c>[B, d]</c>.</param>
    /// <param name="radius">R.</param>
    /// <returns>A scalar ≥ 0.</returns>
    public static Tensor HardLoss(Tensor features, double radius = 25.0)
    {
        ArgumentNullException.ThrowIfNull(features);
        return linalg.vector_norm(features, 2.0, [1]).sub(radius).pow(2).mean();
    }

    /// <inheritdoc />
    protected internal override void AddAdaptationTerms(StepForward forward, StepContext context, LossTermsBuilder terms)
    {
        ArgumentNullException.ThrowIfNull(forward);
        ArgumentNullException.ThrowIfNull(terms);
        Tensor s = StepForward.ToLossPrecision(forward.SourceFeatures);
        Tensor t = StepForward.ToLossPrecision(forward.TargetFeatures);
        Tensor loss = Radius is double r ? HardLoss(s, r) + HardLoss(t, r) : StepwiseLoss(s, Step) + StepwiseLoss(t, Step);
        terms.Add("norm", loss, Weight);
        terms.Metric("feature_norm", linalg.vector_norm(forward.Features.detach(), 2.0, [1]).mean().to_type(ScalarType.Float64));
    }
}
