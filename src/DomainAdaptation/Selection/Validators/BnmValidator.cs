using TorchSharp;
using static TorchSharp.torch;

namespace DomainAdaptation.Selection.Validators;

/// <summary>
/// BNM as a validator (Cui et al., CVPR 2020; Musgrave et al. 2022; pytorch-adapt's <c>BNMValidator</c>): the nuclear
/// norm of the target prediction matrix over its rows, <c>‖softmax(Z_t)‖_* / N</c> — high when the predictions are both
/// confident and spread over the classes. In [1/√(NK), √(min(N,K)/N)].
/// </summary>
public sealed class BnmValidator : IValidator
{
    /// <inheritdoc />
    public string Name => "bnm";

    /// <summary><c>‖softmax(logits)‖_* / N</c>.</summary>
    /// <param name="logits">Logits <c>[N, K]</c>.</param>
    /// <returns>The score.</returns>
    public static double NuclearNormPerSample(Tensor logits)
    {
        ArgumentNullException.ThrowIfNull(logits);
        using var scope = NewDisposeScope();
        Tensor a = logits.softmax(1);
        return linalg.svdvals(a).sum().ToDouble() / a.shape[0];
    }

    /// <inheritdoc />
    public ValidationScore Score(ValidationData data, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(data);
        return ValidationScore.Of(Name, NuclearNormPerSample(data.TargetOutputs.Logits));
    }
}
