using System.Globalization;
using System.Text.Json.Nodes;
using static TorchSharp.torch;

namespace DomainAdaptation.Methods.Regularizers;

/// <summary>
/// Entropy minimisation (Grandvalet &amp; Bengio, NIPS 2004, "Semi-supervised Learning by Entropy Minimization"): make the
/// predictions on the unlabelled target confident, <c>L = CE(G_y(f_s), y_s) + w · mean_i H(softmax(z_{t,i}))</c>,
/// <c>H(p) = −Σ_k p_k ln p_k</c> ∈ [0, ln K].
/// </summary>
/// <remarks>
/// Alone it is a weak adapter (confident is not correct); it is mostly a partner in compositions (CDAN+E + entropy,
/// as in Long et al. 2018, §4). Weight w = 0.1: our choice, as none of the anchors has a stand-alone default
/// (Transfer-Learning-Library's MCD uses 0.01 for its own entropy term).
/// </remarks>
public sealed class EntropyMinimization : LossMethod
{
    /// <summary>Creates the method.</summary>
    /// <param name="weight">The weight w of the entropy term; finite, ≥ 0.</param>
    public EntropyMinimization(double weight = 0.1) => Weight = NonNegative(weight, nameof(weight));

    /// <inheritdoc />
    public override string Name => "entropy";

    /// <summary>The weight w of the entropy term.</summary>
    public double Weight { get; }

    /// <inheritdoc />
    public override JsonObject Settings => new() { ["Weight"] = Weight };

    /// <inheritdoc />
    public override string Describe() => string.Create(CultureInfo.InvariantCulture, $"entropy minimisation (weight {Weight})");

    /// <summary>The mean Shannon entropy (nats) of the softmax of each row of <paramref name="logits"/>.</summary>
    /// <param name="logits">Logits <c>[B, K]</c>.</param>
    /// <returns>A scalar in [0, ln K].</returns>
    public static Tensor Loss(Tensor logits) => Entropy(logits).mean();

    /// <summary>The Shannon entropy (nats) of the softmax of each row, computed from log-probabilities (no ε).</summary>
    /// <param name="logits">Logits <c>[B, K]</c>.</param>
    /// <returns><c>[B]</c>.</returns>
    public static Tensor Entropy(Tensor logits)
    {
        ArgumentNullException.ThrowIfNull(logits);
        Tensor logP = logits.log_softmax(1);
        return logP.exp().mul(logP).sum(1).neg();
    }

    /// <inheritdoc />
    protected internal override void AddAdaptationTerms(StepForward forward, StepContext context, LossTermsBuilder terms)
    {
        ArgumentNullException.ThrowIfNull(forward);
        ArgumentNullException.ThrowIfNull(terms);
        terms.Add("entropy", Loss(forward.TargetLogits), Weight);
    }
}
