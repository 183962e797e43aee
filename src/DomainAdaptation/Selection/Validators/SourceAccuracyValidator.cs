using TorchSharp;
using static TorchSharp.torch;

namespace DomainAdaptation.Selection.Validators;

/// <summary>
/// Source validation accuracy: the label accuracy on held-out labelled source samples. The baseline every label-free
/// study compares against (Musgrave et al. 2022 find it hard to beat in many settings); it knows nothing of the target.
/// </summary>
public sealed class SourceAccuracyValidator : IValidator
{
    /// <inheritdoc />
    public string Name => "source-accuracy";

    /// <inheritdoc />
    public ValidationScore Score(ValidationData data, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(data);
        ModelOutputs s = data.SourceValidationOutputs;
        using var scope = NewDisposeScope();
        return ValidationScore.Of(Name, s.Logits.argmax(1).eq(s.Labels!).to_type(ScalarType.Float64).mean().ToDouble());
    }
}
