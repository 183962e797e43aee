using DomainAdaptation.Training;

namespace DomainAdaptation.Selection;

/// <summary>The outcome of <see cref="ReverseValidation.Run"/> for one trained model.</summary>
/// <param name="ReverseAccuracy">
/// The reverse classifier's label accuracy on the held-out labelled source samples: the score to maximise when comparing
/// candidates (runs, hyperparameters) without target labels.
/// </param>
/// <param name="ForwardSourceAccuracy">The forward model's own accuracy on the same held-out source samples (for context: a candidate that lost the source task is suspect whatever its reverse score).</param>
/// <param name="SourceValidationCount">The number of held-out labelled source samples both accuracies are measured on.</param>
/// <param name="ReverseFitAccuracy">
/// The reverse model's accuracy on its own training data, the pseudo-labelled target samples (pseudo-labels only, no
/// target label): whether the reverse training learnt its task at all.
/// </param>
/// <param name="PseudoLabelCounts">How many target samples the forward model assigned to each class (index = class); a collapsed histogram flags a degenerate forward model.</param>
/// <param name="ReverseTraining">The reverse classifier's training run (steps, time, last checkpoint).</param>
public sealed record ReverseValidationResult(
    double ReverseAccuracy,
    double ForwardSourceAccuracy,
    long SourceValidationCount,
    double ReverseFitAccuracy,
    IReadOnlyList<long> PseudoLabelCounts,
    TrainingResult ReverseTraining)
{
    /// <summary>The reverse validation risk <c>1 − ReverseAccuracy</c> (the paper's criterion: choose the candidate with the lowest).</summary>
    public double ReverseRisk => 1.0 - ReverseAccuracy;

    /// <summary>
    /// True when the reverse model fits its pseudo-labelled training data no better than always predicting the most
    /// common pseudo-label does (within 5 points), although the pseudo-labels are not nearly constant (the most common
    /// one has under 95% of them): the reverse training failed — typically the adversarial game collapsed the
    /// features — so <see cref="ReverseRisk"/> says nothing about the forward model. Run the reverse training again
    /// with another seed (<see cref="AdaptationTrainerOptions.Seed"/> and a freshly initialised reverse model). Decided
    /// without target labels. (Nearly constant pseudo-labels are the forward model's failure, visible in
    /// <see cref="PseudoLabelCounts"/>, and are scored as they are.)
    /// </summary>
    public bool ReverseTrainingFailed
    {
        get
        {
            long total = PseudoLabelCounts.Sum();
            if (total == 0) return false;
            double majority = (double)PseudoLabelCounts.Max() / total;
            return majority < 0.95 && ReverseFitAccuracy <= majority + 0.05;
        }
    }
}
