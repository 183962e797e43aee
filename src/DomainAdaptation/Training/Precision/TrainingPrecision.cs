namespace DomainAdaptation.Training.Precision;

/// <summary>The arithmetic of a trainer's forward and backward passes (<see cref="AdaptationTrainerOptions.Precision"/>).</summary>
public enum TrainingPrecision
{
    /// <summary>Everything in <see cref="PrecisionOptions.Dtype"/>: the model, its gradients, the optimizer and evaluation.</summary>
    Full,

    /// <summary>
    /// Mixed precision with bfloat16 (float32's 8-bit exponent, 8 significant bits): during each training step the model, its
    /// inputs and its gradients are bfloat16, while the optimizer updates float32 master copies of the weights, which
    /// are rounded back into the model after every step. The losses are computed from float32 logits. Evaluation and
    /// checkpoints use the float32 master weights, and outside <see cref="AdaptationTrainer.Train"/> the model is float32.
    /// Needs <see cref="PrecisionOptions.Dtype"/> = Float32. Worth it on CPUs with native bfloat16 arithmetic
    /// (AVX512-BF16 or AMX: <see cref="Runtime.CpuFeatures.HasNativeBFloat16"/>; GPUs are untested); elsewhere
    /// bfloat16 is emulated, far slower than float32 (the paper's MNIST network: about 17× per step on a 2-core AVX2-only
    /// AMD EPYC), and the trainer logs a warning.
    /// </summary>
    BFloat16Mixed,
}
