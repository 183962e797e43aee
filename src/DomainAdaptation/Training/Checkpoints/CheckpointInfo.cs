using DomainAdaptation.Data.Batching;
using DomainAdaptation.Training.Optimization;

namespace DomainAdaptation.Training.Checkpoints;

/// <summary>What a checkpoint file holds, read from its header.</summary>
/// <param name="Path">The checkpoint file.</param>
/// <param name="Step">Steps completed when it was written.</param>
/// <param name="TotalSteps">The planned number of steps of the run.</param>
/// <param name="Seed">The run's seed.</param>
/// <param name="Method">The method's id (<see cref="Methods.AdaptationMethod.Name"/>), e.g. "dann" or "dann+mcc".</param>
/// <param name="MethodSettingsJson">The method's settings as JSON (<see cref="Methods.AdaptationMethod.Settings"/>).</param>
/// <param name="InferenceModule">The method module evaluated instead of the trained model (a mean teacher's "teacher"), or null.</param>
/// <param name="Optimizer">The optimizer whose state it holds.</param>
/// <param name="CreatedUtc">When it was written.</param>
/// <param name="Normalisation">The input normalisation the model was trained with (apply the same when evaluating), or null.</param>
/// <param name="OptionsJson">The run's <see cref="AdaptationTrainerOptions"/> as JSON (schedules by description).</param>
/// <param name="WeightAverageUpdates">
/// The updates of the weight average it holds beside the trained weights (<see cref="AdaptationTrainerOptions.WeightAverageDecay"/>),
/// or null when it holds none.
/// </param>
public sealed record CheckpointInfo(
    string Path,
    long Step,
    long TotalSteps,
    long Seed,
    string Method,
    string MethodSettingsJson,
    string? InferenceModule,
    OptimizerKind Optimizer,
    DateTimeOffset CreatedUtc,
    ChannelNormalisation? Normalisation,
    string OptionsJson,
    long? WeightAverageUpdates = null)
{
    /// <summary>Whether the checkpoint holds a weight average (<see cref="CheckpointWeights.Averaged"/> can be loaded).</summary>
    public bool HasWeightAverage => WeightAverageUpdates is not null;

    /// <summary>
    /// What <see cref="Checkpoint.LoadModel"/> loads from this checkpoint for a request: <see cref="CheckpointWeights.Averaged"/>
    /// or <see cref="CheckpointWeights.Trained"/> (<see cref="CheckpointWeights.Evaluated"/> resolves to the average when
    /// there is one).
    /// </summary>
    /// <param name="requested">The weights asked for.</param>
    /// <returns><see cref="CheckpointWeights.Averaged"/> or <see cref="CheckpointWeights.Trained"/>.</returns>
    public CheckpointWeights WeightsFor(CheckpointWeights requested) =>
        requested != CheckpointWeights.Trained && HasWeightAverage ? CheckpointWeights.Averaged : CheckpointWeights.Trained;
}
