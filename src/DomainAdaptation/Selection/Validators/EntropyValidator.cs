using TorchSharp;
using static TorchSharp.torch;

namespace DomainAdaptation.Selection.Validators;

/// <summary>
/// Entropy: the negated mean entropy of the target predictions, <c>−mean_i H(softmax(z_i))</c> (higher: more confident
/// on the target). Confident is not correct, so it rewards a model that collapses onto one class; read it with IM.
/// </summary>
public sealed class EntropyValidator : IValidator
{
    /// <inheritdoc />
    public string Name => "entropy";

    /// <summary>The mean Shannon entropy (nats) of the softmax of each row.</summary>
    /// <param name="logits">Logits <c>[N, K]</c>.</param>
    /// <returns>The mean entropy.</returns>
    public static double MeanEntropy(Tensor logits)
    {
        ArgumentNullException.ThrowIfNull(logits);
        using var scope = NewDisposeScope();
        return Methods.Regularizers.EntropyMinimization.Loss(logits).ToDouble();   // the same formula the method minimises
    }

    /// <inheritdoc />
    public ValidationScore Score(ValidationData data, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(data);
        return ValidationScore.Of(Name, -MeanEntropy(data.TargetOutputs.Logits));
    }
}
