using DomainAdaptation.Data;
using DomainAdaptation.Models;

namespace DomainAdaptation.Training;

/// <summary>
/// One step's computation of an adaptation method, apart from the loop that drives it. The loop
/// (<see cref="DannTrainer"/>) owns batching, schedules, the optimizer, evaluation, checkpoints, cancellation and
/// reporting; an algorithm only turns a batch into losses. DANN is <see cref="DannAlgorithm"/>; another method
/// (CDAN, MMD) implements this interface and reuses the loop unchanged.
/// </summary>
public interface IAdaptationAlgorithm
{
    /// <summary>A short name for logs, e.g. "DANN".</summary>
    string Name { get; }

    /// <summary>
    /// Runs the forward pass of one step and returns its losses. Called inside the step's dispose scope, with the
    /// model in training mode and gradients enabled; the caller zeroes gradients before and back-propagates after.
    /// Under <see cref="TrainingPrecision.BFloat16Mixed"/> the model and the batch's images are bfloat16: convert logits
    /// to float32 before computing losses from them (as <see cref="DannAlgorithm"/> does).
    /// </summary>
    /// <param name="model">The model being trained.</param>
    /// <param name="batch">Source and target halves on the training device.</param>
    /// <param name="lambda">The gradient reversal coefficient λ for this step, from the λ schedule.</param>
    /// <returns>The losses and batch metrics.</returns>
    AdaptationLosses ComputeLosses(DannModel model, DomainBatch batch, double lambda);
}
