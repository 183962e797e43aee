using System.Globalization;
using System.Text.Json.Nodes;
using static TorchSharp.torch;

namespace DomainAdaptation.Methods.Discrepancy;

/// <summary>
/// Deep CORAL (Sun &amp; Saenko, ECCV 2016 workshops, "Deep CORAL: Correlation Alignment for Deep Domain Adaptation"):
/// align the second-order statistics of the features, <c>L = CE(G_y(f_s), y_s) + w · ‖C_s − C_t‖²_F / (4 d²)</c>, with
/// the sample covariances <c>C = (XᵀX − (1ᵀX)ᵀ(1ᵀX)/n) / (n − 1)</c> of the d-dimensional features.
/// </summary>
/// <remarks>
/// The paper's scale (its Eq. 1), not Transfer-Learning-Library's or DomainBed's mean form (mean squared difference of
/// the means plus the mean squared difference of the covariances, which is 4× the covariance term here plus a mean
/// term). It is 0 for equal covariances, whatever the means. Weight w = 1 (the paper chooses λ so that the two losses
/// are about equal at the end of training; we did not tune it per problem).
/// </remarks>
public sealed class DeepCoral : LossMethod
{
    /// <summary>Creates the method.</summary>
    /// <param name="weight">The weight w of the CORAL term; finite, ≥ 0.</param>
    public DeepCoral(double weight = 1.0) => Weight = NonNegative(weight, nameof(weight));

    /// <inheritdoc />
    public override string Name => "coral";

    /// <summary>The weight w of the CORAL term.</summary>
    public double Weight { get; }

    /// <inheritdoc />
    public override JsonObject Settings => new() { ["Weight"] = Weight };

    /// <inheritdoc />
    public override string Describe() => string.Create(CultureInfo.InvariantCulture, $"Deep CORAL (‖C_s − C_t‖²_F / 4d², weight {Weight})");

    /// <summary>The CORAL loss <c>‖C_s − C_t‖²_F / (4 d²)</c>.</summary>
    /// <param name="source">Source features <c>[n_s, d]</c>, n_s ≥ 2.</param>
    /// <param name="target">Target features <c>[n_t, d]</c>, n_t ≥ 2.</param>
    /// <returns>A scalar ≥ 0.</returns>
    public static Tensor Loss(Tensor source, Tensor target)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(target);
        if (source.dim() != 2 || target.dim() != 2 || source.shape[1] != target.shape[1] || source.shape[0] < 2 || target.shape[0] < 2)
        {
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"CORAL needs two sets of at least 2 rows of the same width, but got [{string.Join(", ", source.shape)}] and [{string.Join(", ", target.shape)}]."));
        }

        long d = source.shape[1];
        Tensor difference = Covariance(source) - Covariance(target);
        return difference.pow(2).sum().div(4.0 * d * d);
    }

    /// <summary>The sample covariance <c>(XᵀX − (1ᵀX)ᵀ(1ᵀX)/n) / (n − 1)</c> of the rows of <paramref name="x"/>.</summary>
    /// <param name="x">Rows <c>[n, d]</c>.</param>
    /// <returns><c>[d, d]</c>.</returns>
    public static Tensor Covariance(Tensor x)
    {
        ArgumentNullException.ThrowIfNull(x);
        long n = x.shape[0];
        Tensor sums = x.sum(0, keepdim: true);
        return (x.t().matmul(x) - sums.t().matmul(sums).div(n)).div(n - 1);
    }

    /// <inheritdoc />
    protected internal override void AddAdaptationTerms(StepForward forward, StepContext context, LossTermsBuilder terms)
    {
        ArgumentNullException.ThrowIfNull(forward);
        ArgumentNullException.ThrowIfNull(terms);
        terms.Add("coral", Loss(StepForward.ToLossPrecision(forward.SourceFeatures), StepForward.ToLossPrecision(forward.TargetFeatures)), Weight);
    }
}
