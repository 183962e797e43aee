namespace DomainAdaptation.Training;

/// <summary>A named value of a step: a loss term (with its weight), a batch metric or a schedule value.</summary>
/// <param name="Name">The name the method gave it ("label", "domain", "domain_accuracy", "lambda").</param>
/// <param name="Value">The value.</param>
/// <param name="Weight">For a loss term, its weight in the total at this step; 1 otherwise.</param>
public sealed record NamedValue(string Name, double Value, double Weight = 1.0);

/// <summary>The metrics of one training step (batch statistics, not held-out figures).</summary>
/// <param name="Step">The number of steps completed, counting this one (1 for the first step).</param>
/// <param name="TotalSteps">The planned number of steps.</param>
/// <param name="Progress">The training progress p = (Step − 1) / TotalSteps at which every schedule was read.</param>
/// <param name="TotalLoss">The minimised loss <c>Σ weight · term</c> (for a step-owning method, that of its first update).</param>
/// <param name="Losses">Each loss term with its weight, in the order summed: "label" (the supervised cross-entropy) first, then the method's ("domain", "mcc", …).</param>
/// <param name="Metrics">Batch metrics: "source_accuracy" (target-only: "target_accuracy"), then the method's ("domain_accuracy", "mask_rate", …).</param>
/// <param name="Schedules">The schedule values the method read at <paramref name="Progress"/> ("lambda", …).</param>
/// <param name="LearningRate">The learning rate of this step (the first parameter group's of the first optimizer).</param>
/// <param name="StepTime">The wall-clock time of the step, batch assembly included.</param>
public sealed record StepMetrics(
    long Step,
    long TotalSteps,
    double Progress,
    double TotalLoss,
    IReadOnlyList<NamedValue> Losses,
    IReadOnlyList<NamedValue> Metrics,
    IReadOnlyList<NamedValue> Schedules,
    double LearningRate,
    TimeSpan StepTime)
    : TrainingEvent(Step)
{
    /// <summary>The supervised ("label") loss: cross-entropy on the labelled half; NaN if the method reported none.</summary>
    public double LabelLoss => Loss("label") ?? double.NaN;

    /// <summary>The value of the loss term <paramref name="name"/>, or null.</summary>
    /// <param name="name">E.g. "domain".</param>
    /// <returns>The value, or null when the step has no such term.</returns>
    public double? Loss(string name) => Find(Losses, name);

    /// <summary>The value of the batch metric <paramref name="name"/>, or null.</summary>
    /// <param name="name">E.g. "source_accuracy".</param>
    /// <returns>The value, or null.</returns>
    public double? Metric(string name) => Find(Metrics, name);

    /// <summary>The schedule value <paramref name="name"/>, or null.</summary>
    /// <param name="name">E.g. "lambda".</param>
    /// <returns>The value, or null.</returns>
    public double? Schedule(string name) => Find(Schedules, name);

    private static double? Find(IReadOnlyList<NamedValue> values, string name)
    {
        foreach (NamedValue v in values)
        {
            if (v.Name == name) return v.Value;
        }

        return null;
    }
}
