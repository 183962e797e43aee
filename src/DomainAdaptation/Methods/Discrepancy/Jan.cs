using System.Globalization;
using System.Text.Json.Nodes;
using static TorchSharp.torch;

namespace DomainAdaptation.Methods.Discrepancy;

/// <summary>
/// Joint adaptation network, JAN (Long et al., ICML 2017, "Deep Transfer Learning with Joint Adaptation Networks"): the
/// joint maximum mean discrepancy of the features and the class predictions,
/// <c>L = CE(G_y(f_s), y_s) + w · JMMD²((f_s, softmax(z_s)), (f_t, softmax(z_t)))</c>, whose kernel is the product of
/// one kernel per layer: <c>k((f,p),(f',p')) = k_f(f, f') · k_p(p, p')</c>.
/// </summary>
/// <remarks>
/// Defaults from Transfer-Learning-Library (<c>examples/domain_adaptation/image_classification/jan.py</c>): on the
/// features, the sum of five Gaussian kernels with bandwidths 2^u · mean ‖z_i − z_j‖², u = −3…1; on the softmax
/// outputs, one Gaussian kernel with fixed σ = 0.92 (the softmax is not detached); the quadratic estimate; weight
/// w = 1. JAN's adversarial variant (JAN-A) is not included.
/// </remarks>
public sealed class Jan : LossMethod
{
    /// <summary>Creates the method.</summary>
    /// <param name="weight">The weight w of the JMMD term; finite, ≥ 0.</param>
    /// <param name="estimator">The estimate of JMMD².</param>
    /// <param name="softmaxSigma">σ of the kernel on the softmax outputs; finite, &gt; 0.</param>
    public Jan(double weight = 1.0, MmdEstimator estimator = MmdEstimator.Unbiased, double softmaxSigma = GaussianKernels.JanSoftmaxSigma)
    {
        if (!Enum.IsDefined(estimator)) throw new ArgumentOutOfRangeException(nameof(estimator), estimator, "Use an MmdEstimator value.");
        Weight = NonNegative(weight, nameof(weight));
        Estimator = estimator;
        SoftmaxSigma = Positive(softmaxSigma, nameof(softmaxSigma));
    }

    /// <inheritdoc />
    public override string Name => "jan";

    /// <summary>The weight w of the JMMD term.</summary>
    public double Weight { get; }

    /// <summary>The estimator.</summary>
    public MmdEstimator Estimator { get; }

    /// <summary>σ of the kernel on the softmax outputs.</summary>
    public double SoftmaxSigma { get; }

    /// <inheritdoc />
    public override JsonObject Settings => new() { ["Weight"] = Weight, ["Estimator"] = Estimator.ToString(), ["SoftmaxSigma"] = SoftmaxSigma };

    /// <inheritdoc />
    public override string Describe() => string.Create(CultureInfo.InvariantCulture, $"JAN (joint MMD of features and predictions, {Estimator.ToString().ToLowerInvariant()} estimate, weight {Weight})");

    /// <summary>JMMD² of (features, probabilities) between two equally sized sets.</summary>
    /// <param name="sourceFeatures">Source features <c>[n, d]</c>.</param>
    /// <param name="sourceProbabilities">Source class probabilities <c>[n, K]</c>.</param>
    /// <param name="targetFeatures">Target features <c>[n, d]</c>.</param>
    /// <param name="targetProbabilities">Target class probabilities <c>[n, K]</c>.</param>
    /// <param name="estimator">The estimate.</param>
    /// <param name="softmaxSigma">σ of the kernel on the probabilities.</param>
    /// <returns>A scalar.</returns>
    public static Tensor Loss(Tensor sourceFeatures, Tensor sourceProbabilities, Tensor targetFeatures, Tensor targetProbabilities, MmdEstimator estimator = MmdEstimator.Unbiased, double softmaxSigma = GaussianKernels.JanSoftmaxSigma)
    {
        Tensor features = GaussianKernels.AdaptiveSum(GaussianKernels.SquaredDistances(cat([sourceFeatures, targetFeatures], 0)), GaussianKernels.DefaultMultipliers);
        Tensor predictions = GaussianKernels.Fixed(GaussianKernels.SquaredDistances(cat([sourceProbabilities, targetProbabilities], 0)), softmaxSigma);
        return GaussianKernels.Mmd(features * predictions, estimator);
    }

    /// <inheritdoc />
    protected internal override void AddAdaptationTerms(StepForward forward, StepContext context, LossTermsBuilder terms)
    {
        ArgumentNullException.ThrowIfNull(forward);
        ArgumentNullException.ThrowIfNull(terms);
        Tensor jmmd = Loss(
            StepForward.ToLossPrecision(forward.SourceFeatures),
            forward.SourceLogits.softmax(1),
            StepForward.ToLossPrecision(forward.TargetFeatures),
            forward.TargetLogits.softmax(1),
            Estimator,
            SoftmaxSigma);
        terms.Add("jmmd", jmmd, Weight);
    }
}
