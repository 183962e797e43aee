using DomainAdaptation.Training;

namespace DomainAdaptation.Selection;

/// <summary>The outcome of <see cref="ReverseValidation.Run"/> for one trained model.</summary>
/// <param name="ReverseAccuracy">
/// The reverse classifier's label accuracy on the held-out labelled source samples: the score to maximise when comparing
/// candidates (runs, hyperparameters) without target labels.
/// </param>
/// <param name="ForwardSourceAccuracy">The forward model's own accuracy on the same held-out source samples (for context: a candidate that lost the source task is suspect whatever its reverse score).</param>
/// <param name="SourceValidationCount">The number of held-out labelled source samples both accuracies are measured on.</param>
/// <param name="PseudoLabelCounts">How many target samples the forward model assigned to each class (index = class); a collapsed histogram flags a degenerate forward model.</param>
/// <param name="ReverseTraining">The reverse classifier's training run (steps, time, last checkpoint).</param>
public sealed record ReverseValidationResult(
    double ReverseAccuracy,
    double ForwardSourceAccuracy,
    long SourceValidationCount,
    IReadOnlyList<long> PseudoLabelCounts,
    TrainingResult ReverseTraining)
{
    /// <summary>The reverse validation risk <c>1 − ReverseAccuracy</c> (the paper's criterion: choose the candidate with the lowest).</summary>
    public double ReverseRisk => 1.0 - ReverseAccuracy;
}
