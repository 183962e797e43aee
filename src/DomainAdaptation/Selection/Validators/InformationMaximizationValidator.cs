using TorchSharp;
using static TorchSharp.torch;

namespace DomainAdaptation.Selection.Validators;

/// <summary>
/// Information maximisation (IM; Shi &amp; Sha, ICML 2012; as a validator in Musgrave et al. 2022 and pytorch-adapt's
/// <c>IMValidator</c>): the mutual information between the target samples and their predicted classes,
/// <c>IM = H(mean_i p_i) − mean_i H(p_i)</c> — confident predictions (low per-sample entropy) that are also diverse (high
/// entropy of the mean prediction). In [0, ln K]; a collapse onto one class scores 0.
/// </summary>
public sealed class InformationMaximizationValidator : IValidator
{
    /// <inheritdoc />
    public string Name => "im";

    /// <summary>IM's two parts for target logits.</summary>
    /// <param name="logits">Logits <c>[N, K]</c>.</param>
    /// <returns>The diversity <c>H(mean p)</c> and the mean entropy <c>mean H(p)</c>.</returns>
    public static (double Diversity, double Entropy) Parts(Tensor logits)
    {
        ArgumentNullException.ThrowIfNull(logits);
        using var scope = NewDisposeScope();
        Tensor p = logits.softmax(1);
        Tensor mean = p.mean([0]);
        double diversity = mean.mul(mean.clamp_min(1e-300).log()).sum().neg().ToDouble();
        return (diversity, EntropyValidator.MeanEntropy(logits));
    }

    /// <inheritdoc />
    public ValidationScore Score(ValidationData data, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(data);
        (double diversity, double entropy) = Parts(data.TargetOutputs.Logits);
        return new ValidationScore(Name, diversity - entropy, [new("diversity", diversity), new("entropy", entropy)]);
    }
}
