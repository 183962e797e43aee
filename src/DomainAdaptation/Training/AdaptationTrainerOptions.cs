using DomainAdaptation.Training.Checkpoints;
using DomainAdaptation.Training.Optimization;
using DomainAdaptation.Training.Precision;

namespace DomainAdaptation.Training;

/// <summary>
/// Settings of an <see cref="AdaptationTrainer"/>, grouped: the run (steps, batch, seed, device, passes), the
/// <see cref="Optimizer"/> and its learning-rate schedule, the <see cref="Input"/> normalisation, the
/// <see cref="Precision"/>, <see cref="Evaluation"/>, <see cref="Checkpoints"/> and <see cref="Monitoring"/>. The
/// method's own settings (DANN's λ schedule, MCC's temperature) belong to the method. Validated by
/// <see cref="AdaptationTrainerOptionsValidator"/> when a trainer is created (directly or through
/// <c>AddDomainAdaptation</c>); the trainer keeps its own copy, so changing this object afterwards has no effect on a
/// running trainer.
/// </summary>
public sealed class AdaptationTrainerOptions
{
    /// <summary>The number of training steps. Set exactly one of <see cref="Steps"/> and <see cref="Epochs"/>.</summary>
    public long? Steps { get; set; }

    /// <summary>
    /// The number of epochs; one epoch is <c>⌈max(N_source, N_target) / BatchSizePerDomain⌉</c> steps (every sample of
    /// the larger domain seen once, the smaller domain cycling). Set exactly one of <see cref="Steps"/> and <see cref="Epochs"/>.
    /// </summary>
    public int? Epochs { get; set; }

    /// <summary>Samples per domain per step: each step sees this many source and this many target samples. Default 64 (the paper's 128 total).</summary>
    public int BatchSizePerDomain { get; set; } = 64;

    /// <summary>The seed of the batch order, of per-step randomness (dropout, augmented views) and of the weights of modules a method creates. Default 0.</summary>
    public long Seed { get; set; }

    /// <summary>The device, as TorchSharp names it: "cpu", "cuda", "cuda:1", "mps". Default "cpu".</summary>
    public string Device { get; set; } = "cpu";

    /// <summary>One joint forward pass for both halves of a batch, or one per domain. Default <see cref="Training.BatchNormMode.Joint"/>.</summary>
    public BatchNormMode BatchNormMode { get; set; } = BatchNormMode.Joint;

    /// <summary>The optimizer, its hyper-parameters and the learning-rate schedule.</summary>
    public OptimizerOptions Optimizer { get; set; } = new();

    /// <summary>The input normalisation.</summary>
    public InputOptions Input { get; set; } = new();

    /// <summary>The training dtype and arithmetic.</summary>
    public PrecisionOptions Precision { get; set; } = new();

    /// <summary>Periodic evaluation.</summary>
    public EvaluationOptions Evaluation { get; set; } = new();

    /// <summary>Checkpoints.</summary>
    public CheckpointOptions Checkpoints { get; set; } = new();

    /// <summary>Logging, the collapse watch and memory housekeeping.</summary>
    public MonitoringOptions Monitoring { get; set; } = new();

    /// <summary>
    /// The decay of an exponential moving average of the weights (<see cref="Training.WeightAverage"/>), or 0 for none.
    /// Default 0. When set, the trainer updates the average after every step, evaluates with the averaged weights, saves
    /// the average in each checkpoint beside the trained weights, and <see cref="Checkpoint.LoadModel"/> loads it by
    /// default. The trajectory (the trained weights) is the same with or without it. 0.999 averages over roughly the
    /// last 1,000 steps.
    /// </summary>
    public double WeightAverageDecay { get; set; }

    /// <summary>The options as JSON, as checkpoints and run records store them (schedules by description).</summary>
    /// <returns>A JSON object with one property per option and one object per group.</returns>
    public System.Text.Json.Nodes.JsonObject ToJson() => OptionsJson.ToJson(this);

    /// <summary>A deep copy (groups and arrays copied; schedules are immutable and shared).</summary>
    /// <returns>The copy.</returns>
    public AdaptationTrainerOptions Clone()
    {
        var copy = (AdaptationTrainerOptions)MemberwiseClone();
        copy.Optimizer = Optimizer?.Clone()!;
        copy.Input = Input?.Clone()!;
        copy.Precision = Precision?.Clone()!;
        copy.Evaluation = Evaluation?.Clone()!;
        copy.Checkpoints = Checkpoints?.Clone()!;
        copy.Monitoring = Monitoring?.Clone()!;
        return copy;
    }
}
