using DomainAdaptation.Data;
using DomainAdaptation.Models;

namespace DomainAdaptation.Training;

/// <summary>Creates <see cref="DannTrainer"/>s with the options and logging registered by <c>AddDomainAdaptation</c>.</summary>
public interface IDannTrainerFactory
{
    /// <summary>The validated options new trainers use (a copy).</summary>
    DannTrainerOptions Options { get; }

    /// <summary>Creates a trainer.</summary>
    /// <param name="model">The model to train.</param>
    /// <param name="trainingData">Labelled source and unlabelled target samples.</param>
    /// <param name="evaluationData">The data for periodic evaluation; the training data when null.</param>
    /// <param name="configure">Adjusts a copy of the registered options for this trainer only (validated again).</param>
    /// <returns>The trainer; the caller disposes it.</returns>
    DannTrainer Create(DannModel model, IDomainDataset trainingData, IDomainDataset? evaluationData = null, Action<DannTrainerOptions>? configure = null);
}
