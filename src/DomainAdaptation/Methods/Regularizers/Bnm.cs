using System.Globalization;
using System.Text.Json.Nodes;
using static TorchSharp.torch;

namespace DomainAdaptation.Methods.Regularizers;

/// <summary>
/// Batch nuclear-norm maximisation, BNM (Cui et al., CVPR 2020, "Towards Discriminability and Diversity: Batch Nuclear-norm
/// Maximization under Label Insufficient Situations"): on the target prediction matrix <c>A = softmax(z_t)</c>
/// <c>[B, K]</c>, maximise its nuclear norm (the sum of its singular values), which raises both the confidence and the
/// diversity of the predictions: <c>L = CE(source) + w · L_BNM</c>, <c>L_BNM = −‖A‖_* / B</c>.
/// </summary>
/// <remarks>
/// The paper's scale (its Eq. 7, −‖A‖_*/B). The authors' code takes the mean of the singular values instead,
/// <c>−‖A‖_* / min(B, K)</c>, which is B / min(B, K) times larger (6.4× at B = 64, K = 10). Bounds: for rows on the
/// simplex, <c>‖A‖_F ≤ ‖A‖_* ≤ √min(B, K) · ‖A‖_F</c> and <c>√(B/K) ≤ ‖A‖_F ≤ √B</c>, so
/// <c>−√(min(B,K)/B) ≤ L_BNM ≤ −1/√(B·K)</c>; the lower end is reached by confident predictions balanced over the classes.
/// Weight w = 1: our default (the paper sets λ per task); docs/methods.md reports what it gives here.
/// </remarks>
public sealed class Bnm : LossMethod
{
    /// <summary>Creates the method.</summary>
    /// <param name="weight">The weight w of the BNM term; finite, ≥ 0.</param>
    public Bnm(double weight = 1.0) => Weight = NonNegative(weight, nameof(weight));

    /// <inheritdoc />
    public override string Name => "bnm";

    /// <summary>The weight w of the BNM term.</summary>
    public double Weight { get; }

    /// <inheritdoc />
    public override JsonObject Settings => new() { ["Weight"] = Weight };

    /// <inheritdoc />
    public override string Describe() => string.Create(CultureInfo.InvariantCulture, $"BNM (−‖softmax‖_* / B, weight {Weight})");

    /// <summary>The BNM loss <c>−‖softmax(logits)‖_* / B</c>.</summary>
    /// <param name="logits">Target logits <c>[B, K]</c>.</param>
    /// <returns>A scalar ≤ 0.</returns>
    public static Tensor Loss(Tensor logits)
    {
        ArgumentNullException.ThrowIfNull(logits);
        Tensor a = logits.softmax(1);
        return linalg.svdvals(a).sum().div(a.shape[0]).neg();
    }

    /// <inheritdoc />
    protected internal override void AddAdaptationTerms(StepForward forward, StepContext context, LossTermsBuilder terms)
    {
        ArgumentNullException.ThrowIfNull(forward);
        ArgumentNullException.ThrowIfNull(terms);
        terms.Add("bnm", Loss(forward.TargetLogits), Weight);
    }
}
