namespace DomainAdaptation.Training;

/// <summary>Something that happened during training, as streamed by <see cref="AdaptationTrainer.TrainAsync"/>.</summary>
/// <param name="Step">The number of steps completed when the event happened.</param>
public abstract record TrainingEvent(long Step);
