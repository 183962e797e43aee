using System.Globalization;
using System.Text.Json.Nodes;
using static TorchSharp.torch;

namespace DomainAdaptation.Methods.Regularizers;

/// <summary>
/// Minimum class confusion, MCC (Jin et al., ECCV 2020, "Minimum Class Confusion for Versatile Domain Adaptation"):
/// penalise the target predictions' confusion between classes.
/// </summary>
/// <remarks>
/// <para>
/// On the target logits z <c>[B, K]</c>: <c>Ŷ = softmax(z / T)</c> with temperature T; entropy weights
/// <c>W_i = B (1 + e^(−H(Ŷ_i))) / Σ_j (1 + e^(−H(Ŷ_j)))</c> (detached); the class correlation
/// <c>C = Ŷᵀ diag(W) Ŷ</c> <c>[K, K]</c>; each column normalised to sum to 1, <c>C̃_{jj'} = C_{jj'} / Σ_{j''} C_{j''j'}</c>;
/// and <c>L_MCC = (Σ_{j,j'} C̃_{jj'} − Σ_j C̃_{jj}) / K</c>, the off-diagonal mass, in [0, (K−1)/K]: 0 when no two classes are
/// ever predicted together. The objective is <c>CE(source) + w · L_MCC</c>.
/// </para>
/// <para>Defaults from the paper and Transfer-Learning-Library (<c>tllib/self_training/mcc.py</c>): T = 2.5, w = 1.</para>
/// </remarks>
public sealed class Mcc : LossMethod
{
    /// <summary>Creates the method.</summary>
    /// <param name="weight">The weight w of the MCC term; finite, ≥ 0.</param>
    /// <param name="temperature">The temperature T; finite, &gt; 0.</param>
    public Mcc(double weight = 1.0, double temperature = 2.5)
    {
        Weight = NonNegative(weight, nameof(weight));
        Temperature = Positive(temperature, nameof(temperature));
    }

    /// <inheritdoc />
    public override string Name => "mcc";

    /// <summary>The weight w of the MCC term.</summary>
    public double Weight { get; }

    /// <summary>The temperature T.</summary>
    public double Temperature { get; }

    /// <inheritdoc />
    public override JsonObject Settings => new() { ["Weight"] = Weight, ["Temperature"] = Temperature };

    /// <inheritdoc />
    public override string Describe() => string.Create(CultureInfo.InvariantCulture, $"MCC (T = {Temperature}, weight {Weight})");

    /// <summary>The MCC loss of target logits.</summary>
    /// <param name="logits">Target logits <c>[B, K]</c>.</param>
    /// <param name="temperature">T &gt; 0.</param>
    /// <returns>A scalar in [0, (K − 1)/K].</returns>
    public static Tensor Loss(Tensor logits, double temperature = 2.5)
    {
        ArgumentNullException.ThrowIfNull(logits);
        long b = logits.shape[0];
        long k = logits.shape[1];
        Tensor p = logits.div(temperature).softmax(1);
        Tensor logP = logits.div(temperature).log_softmax(1);
        Tensor entropy = p.mul(logP).sum(1).neg().detach();
        Tensor w = entropy.neg().exp().add(1.0);
        w = w.mul(b).div(w.sum()).unsqueeze(1);
        Tensor confusion = p.mul(w).t().matmul(p);
        confusion = confusion.div(confusion.sum(0, keepdim: true));
        return (confusion.sum() - confusion.trace()).div(k);
    }

    /// <inheritdoc />
    protected internal override void AddAdaptationTerms(StepForward forward, StepContext context, LossTermsBuilder terms)
    {
        ArgumentNullException.ThrowIfNull(forward);
        ArgumentNullException.ThrowIfNull(terms);
        terms.Add("mcc", Loss(forward.TargetLogits, Temperature), Weight);
    }
}
