using System.Globalization;
using System.Text.Json.Nodes;
using static TorchSharp.torch;

namespace DomainAdaptation.Methods.Discrepancy;

/// <summary>
/// Deep adaptation network, DAN (Long et al., ICML 2015, "Learning Transferable Features with Deep Adaptation
/// Networks"): the multi-kernel maximum mean discrepancy between the source and target features is added to the loss,
/// <c>L = CE(G_y(f_s), y_s) + w · MK-MMD²(f_s, f_t)</c>, with <c>k = Σ_u k_u</c> a sum of Gaussian kernels.
/// </summary>
/// <remarks>
/// <para>
/// Defaults from Transfer-Learning-Library (<c>examples/domain_adaptation/image_classification/dan.py</c>): five
/// Gaussian kernels with <c>σ_u² = 2^u · mean ‖z_i − z_j‖²</c>, u = −3…1, summed (the DAN paper learns convex weights
/// β_u; tllib fixes them to 1 each, and so do we), the quadratic estimate, weight w = 1, on the features the heads see
/// (the bottleneck's output when there is one). The estimators are <see cref="MmdEstimator"/>'s; the unbiased one is
/// exactly 0 for identical source and target batches. Source and target halves must have the same size.
/// </para>
/// </remarks>
public sealed class Dan : LossMethod
{
    /// <summary>Creates the method.</summary>
    /// <param name="weight">The weight w of the MK-MMD term; finite, ≥ 0.</param>
    /// <param name="estimator">The estimate of MMD² (linear-time or quadratic).</param>
    /// <param name="multipliers">The kernels' bandwidth multipliers α_u; null for 2^−3 … 2^1.</param>
    public Dan(double weight = 1.0, MmdEstimator estimator = MmdEstimator.Unbiased, IReadOnlyList<double>? multipliers = null)
    {
        if (!Enum.IsDefined(estimator)) throw new ArgumentOutOfRangeException(nameof(estimator), estimator, "Use an MmdEstimator value.");
        Weight = NonNegative(weight, nameof(weight));
        Estimator = estimator;
        Multipliers = multipliers?.ToArray() ?? [.. GaussianKernels.DefaultMultipliers];
        if (Multipliers.Count == 0) throw new ArgumentException("DAN needs at least one kernel.", nameof(multipliers));
        foreach (double a in Multipliers) Positive(a, nameof(multipliers));
    }

    /// <inheritdoc />
    public override string Name => "dan";

    /// <summary>The weight w of the MK-MMD term.</summary>
    public double Weight { get; }

    /// <summary>The estimator.</summary>
    public MmdEstimator Estimator { get; }

    /// <summary>The kernels' bandwidth multipliers α_u.</summary>
    public IReadOnlyList<double> Multipliers { get; }

    /// <inheritdoc />
    public override JsonObject Settings => new()
    {
        ["Weight"] = Weight,
        ["Estimator"] = Estimator.ToString(),
        ["Multipliers"] = new JsonArray([.. Multipliers.Select(m => (JsonNode)JsonValue.Create(m))]),
    };

    /// <inheritdoc />
    public override string Describe() => string.Create(CultureInfo.InvariantCulture, $"DAN (MK-MMD, {Multipliers.Count} Gaussian kernels, {Estimator.ToString().ToLowerInvariant()} estimate, weight {Weight})");

    /// <summary>MK-MMD² between two equally sized sets of rows.</summary>
    /// <param name="source">Source rows <c>[n, d]</c>.</param>
    /// <param name="target">Target rows <c>[n, d]</c>.</param>
    /// <param name="estimator">The estimate.</param>
    /// <param name="multipliers">The bandwidth multipliers; null for DAN's.</param>
    /// <returns>A scalar.</returns>
    public static Tensor Loss(Tensor source, Tensor target, MmdEstimator estimator = MmdEstimator.Unbiased, IReadOnlyList<double>? multipliers = null)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(target);
        Tensor z = cat([source, target], 0);
        Tensor kernel = GaussianKernels.AdaptiveSum(GaussianKernels.SquaredDistances(z), multipliers ?? GaussianKernels.DefaultMultipliers);
        return GaussianKernels.Mmd(kernel, estimator);
    }

    /// <inheritdoc />
    protected internal override void AddAdaptationTerms(StepForward forward, StepContext context, LossTermsBuilder terms)
    {
        ArgumentNullException.ThrowIfNull(forward);
        ArgumentNullException.ThrowIfNull(terms);
        Tensor mmd = Loss(StepForward.ToLossPrecision(forward.SourceFeatures), StepForward.ToLossPrecision(forward.TargetFeatures), Estimator, Multipliers);
        terms.Add("mmd", mmd, Weight);
    }
}
