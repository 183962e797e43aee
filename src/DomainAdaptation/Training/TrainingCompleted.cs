namespace DomainAdaptation.Training;

/// <summary>The last event of a run that reached its final step.</summary>
/// <param name="Result">The run's result.</param>
public sealed record TrainingCompleted(TrainingResult Result) : TrainingEvent(Result.StepsCompleted);
