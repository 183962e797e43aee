using DomainAdaptation.Schedules;
using static TorchSharp.torch;

namespace DomainAdaptation.Training;

/// <summary>
/// Settings of a <see cref="DannTrainer"/>. Validated by <see cref="DannTrainerOptionsValidator"/> when a trainer is
/// created (directly or through <c>AddDomainAdaptation</c>); the trainer keeps its own copy, so changing this object
/// afterwards has no effect on a running trainer. Defaults follow Ganin &amp; Lempitsky (2015) where the paper gives a
/// value.
/// </summary>
public sealed class DannTrainerOptions
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

    /// <summary>The optimizer. Default <see cref="OptimizerKind.Sgd"/> (the paper).</summary>
    public OptimizerKind Optimizer { get; set; } = OptimizerKind.Sgd;

    /// <summary>The base learning rate μ0, multiplied each step by <see cref="LearningRateSchedule"/>. Default 0.01 (the paper).</summary>
    public double LearningRate { get; set; } = 0.01;

    /// <summary>SGD momentum. Default 0.9 (the paper).</summary>
    public double Momentum { get; set; } = 0.9;

    /// <summary>L2 weight decay added to the gradient by the optimizer. Default 0.</summary>
    public double WeightDecay { get; set; }

    /// <summary>Adam's β1. Default 0.9.</summary>
    public double AdamBeta1 { get; set; } = 0.9;

    /// <summary>Adam's β2. Default 0.999.</summary>
    public double AdamBeta2 { get; set; } = 0.999;

    /// <summary>Adam's ε. Default 1e-8.</summary>
    public double AdamEpsilon { get; set; } = 1e-8;

    /// <summary>
    /// λ as a function of progress p = step / totalSteps. Default null: the schedule attached to the model
    /// (<see cref="Models.DannModel.LambdaSchedule"/>) if any, else the paper's <c>2 / (1 + exp(−10 p)) − 1</c>.
    /// </summary>
    public ILambdaSchedule? LambdaSchedule { get; set; }

    /// <summary>The learning-rate factor as a function of progress. Default the paper's annealing <c>1 / (1 + 10 p)^0.75</c>.</summary>
    public ILearningRateSchedule LearningRateSchedule { get; set; } = LearningRateSchedules.Annealing();

    /// <summary>
    /// The weight w of the domain loss: total = label loss + w · domain loss, the domain loss averaged over both halves of
    /// the batch. Default 1 (the TensorFlow reference code's weighting); 2 is the JMLR paper's objective as written (the
    /// sum of the source half's and the target half's mean domain loss) and fungtion/DANN's (docs/training.md).
    /// </summary>
    public double DomainLossWeight { get; set; } = 1.0;

    /// <summary>How the domain classifier is scored. Default binary cross-entropy with one logit.</summary>
    public DomainLossKind DomainLoss { get; set; } = DomainLossKind.BinaryCrossEntropyWithLogits;

    /// <summary>One joint forward pass for both halves, or one per domain. Default <see cref="Training.BatchNormMode.Joint"/>.</summary>
    public BatchNormMode BatchNormMode { get; set; } = BatchNormMode.Joint;

    /// <summary>Source only (lower bound), DANN, or target only (upper bound). Default <see cref="TrainingMode.Dann"/>.</summary>
    public TrainingMode Mode { get; set; } = TrainingMode.Dann;

    /// <summary>The seed of the batch order and of per-step randomness such as dropout. Default 0.</summary>
    public long Seed { get; set; }

    /// <summary>The device, as TorchSharp names it: "cpu", "cuda", "cuda:1", "mps". Default "cpu".</summary>
    public string Device { get; set; } = "cpu";

    /// <summary>The training dtype: Float32 or Float64. Default Float32.</summary>
    public ScalarType Dtype { get; set; } = ScalarType.Float32;

    /// <summary>
    /// The arithmetic of the training steps: <see cref="TrainingPrecision.Full"/> (everything in <see cref="Dtype"/>) or
    /// <see cref="TrainingPrecision.BFloat16Mixed"/> (bfloat16 forward and backward passes with float32 master weights;
    /// needs <see cref="Dtype"/> = Float32; a <see cref="WeightAverageDecay"/> then averages the float32 master
    /// weights). Default Full. On a 2-core Intel Xeon with AMX-BF16 the paper network's step is 1.3–1.5× faster in
    /// BFloat16Mixed (docs/performance.md); CPUs without native bfloat16 emulate it, far slower than float32 (about 17× per
    /// step on a 2-core AVX2-only AMD EPYC; <see cref="Runtime.CpuFeatures.HasNativeBFloat16"/>), and the trainer logs a
    /// warning there. The trajectory differs from Full's, so a checkpoint resumes only with the precision it was written with.
    /// </summary>
    public TrainingPrecision Precision { get; set; } = TrainingPrecision.Full;

    /// <summary>The per-channel input normalisation. Default <see cref="NormalisationKind.None"/>.</summary>
    public NormalisationKind Normalisation { get; set; } = NormalisationKind.None;

    /// <summary>Per-channel means for <see cref="NormalisationKind.Explicit"/> (on the [0, 1] scale for uint8 data).</summary>
    public double[]? NormalisationMean { get; set; }

    /// <summary>Per-channel standard deviations for <see cref="NormalisationKind.Explicit"/>.</summary>
    public double[]? NormalisationStd { get; set; }

    /// <summary>Evaluate every this many steps; 0 evaluates only once, after the last step. Default 0.</summary>
    public int EvaluationInterval { get; set; }

    /// <summary>Samples per forward pass during evaluation. Default 512.</summary>
    public int EvaluationBatchSize { get; set; } = 512;

    /// <summary>
    /// Evaluate on at most the first this many samples of each domain (0: all). Default 10,000. Final figures for a
    /// report should use the whole test sets through <see cref="Evaluation.Evaluator"/>.
    /// </summary>
    public int EvaluationMaxSamples { get; set; } = 10_000;

    /// <summary>The folder for checkpoints, or null for none. Default null.</summary>
    public string? CheckpointDirectory { get; set; }

    /// <summary>Save a checkpoint every this many steps; 0 saves only after the last step (and on cancellation). Default 0.</summary>
    public int CheckpointInterval { get; set; }

    /// <summary>How many of the newest checkpoints to keep; older ones are deleted after a new one is safely written. Default 2.</summary>
    public int CheckpointsToKeep { get; set; } = 2;

    /// <summary>Save a checkpoint when training is cancelled (needs <see cref="CheckpointDirectory"/>). Default true.</summary>
    public bool CheckpointOnCancel { get; set; } = true;

    /// <summary>Log step metrics every this many steps through the ILogger (0: never). Default 100.</summary>
    public int LogInterval { get; set; } = 100;

    /// <summary>
    /// The steps over which the label loss is averaged to notice a collapsed run (0: do not watch). Default 500. When a
    /// window's mean label loss is back at 0.9 · ln K or more (K classes; ln K is a uniform guess) after an earlier
    /// window's was at most 0.5 · ln K, the trainer logs a warning, streams a <see cref="TrainingCollapseDetected"/> and
    /// reports it in <see cref="TrainingResult.Collapse"/>; training goes on. Adversarial runs can end this way without a
    /// NaN (docs/training.md, "When training collapses"). The watch starts afresh at a resume. It does not change results.
    /// </summary>
    public int CollapseWindow { get; set; } = 500;

    /// <summary>
    /// Run a generation-0 garbage collection every this many steps, after the step's tensors are disposed (0: never).
    /// Default 100. Each step leaves ~30 KiB of small managed objects (tensor handles, dispose-scope lists); without
    /// this, on machines whose .NET gen-0 budget is large (it is sized from the CPU cache, ~84 MiB here), the first
    /// collection comes only after thousands of steps and the process's resident memory climbs by ~20% until then
    /// (docs/performance.md, "Memory"). A gen-0 collection costs well under a millisecond; it does not change results.
    /// </summary>
    public int GarbageCollectionInterval { get; set; } = 100;

    /// <summary>
    /// The decay of an exponential moving average of the weights (<see cref="Training.WeightAverage"/>), or 0 for none.
    /// Default 0. When set, the trainer updates the average after every step, evaluates with the averaged weights,
    /// saves the average in each checkpoint beside the trained weights, and <see cref="Checkpoint.LoadModel"/> loads it
    /// by default. The trajectory (the trained weights) is the same with or without it. 0.999 averages over roughly the
    /// last 1,000 steps.
    /// </summary>
    public double WeightAverageDecay { get; set; }

    /// <summary>The options as JSON, as checkpoints and run records store them (schedules by description).</summary>
    /// <returns>A JSON object with one property per option.</returns>
    public System.Text.Json.Nodes.JsonObject ToJson() => OptionsJson.ToJson(this);

    /// <summary>A deep copy (arrays copied; schedules are immutable and shared).</summary>
    /// <returns>The copy.</returns>
    public DannTrainerOptions Clone()
    {
        var copy = (DannTrainerOptions)MemberwiseClone();
        copy.NormalisationMean = (double[]?)NormalisationMean?.Clone();
        copy.NormalisationStd = (double[]?)NormalisationStd?.Clone();
        return copy;
    }
}
