using DomainAdaptation.Data;
using DomainAdaptation.Methods;
using DomainAdaptation.Models;

namespace DomainAdaptation.Training;

/// <summary>Creates <see cref="AdaptationTrainer"/>s with the options and logging registered by <c>AddDomainAdaptation</c>.</summary>
public interface IAdaptationTrainerFactory
{
    /// <summary>The validated options new trainers use (a copy).</summary>
    AdaptationTrainerOptions Options { get; }

    /// <summary>Creates a trainer.</summary>
    /// <param name="model">The model to train.</param>
    /// <param name="trainingData">Labelled source and unlabelled target samples.</param>
    /// <param name="method">The adaptation method (a new instance; e.g. <c>new Dann(builder.DomainClassifier)</c> or <c>MethodCatalog.Create("cdan-e")</c>).</param>
    /// <param name="evaluationData">The data for periodic evaluation; the training data when null.</param>
    /// <param name="configure">Adjusts a copy of the registered options for this trainer only (validated again).</param>
    /// <returns>The trainer; the caller disposes it.</returns>
    AdaptationTrainer Create(AdaptationModel model, IDomainDataset trainingData, AdaptationMethod method, IDomainDataset? evaluationData = null, Action<AdaptationTrainerOptions>? configure = null);
}
