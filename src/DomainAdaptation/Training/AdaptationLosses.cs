using static TorchSharp.torch;

namespace DomainAdaptation.Training;

/// <summary>
/// What an <see cref="IAdaptationAlgorithm"/> computes for one batch: scalar (0-d) tensors that belong to the step's
/// dispose scope. The trainer back-propagates <see cref="Total"/> and reads the others as metrics.
/// </summary>
/// <param name="Total">The loss to minimise, e.g. <c>L_y + w · L_d</c>.</param>
/// <param name="LabelLoss">The label-classifier loss <c>L_y</c> on the labelled half.</param>
/// <param name="DomainLoss">The domain-classifier loss <c>L_d</c> on both halves, or null when the mode has none.</param>
/// <param name="SourceAccuracy">The label classifier's accuracy on the source half, or null when not computed.</param>
/// <param name="TargetAccuracy">The label classifier's accuracy on the (labelled) target half in target-only mode, else null.</param>
/// <param name="DomainAccuracy">The domain classifier's accuracy on both halves, or null when the mode has no domain loss.</param>
public sealed record AdaptationLosses(
    Tensor Total,
    Tensor LabelLoss,
    Tensor? DomainLoss,
    Tensor? SourceAccuracy,
    Tensor? TargetAccuracy,
    Tensor? DomainAccuracy);
