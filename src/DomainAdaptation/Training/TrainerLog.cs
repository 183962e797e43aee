using DomainAdaptation.Training.Optimization;
using Microsoft.Extensions.Logging;

namespace DomainAdaptation.Training;

/// <summary>The trainer's log messages (source-generated).</summary>
internal static partial class TrainerLog
{
    [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "Training {Method} on {Data}: steps {FirstStep}..{TotalSteps}, {BatchSize} + {BatchSize2} samples per step, {Optimizer} lr {LearningRate}, {Dtype} on {Device}, seed {Seed}")]
    public static partial void Started(ILogger logger, string method, string data, long firstStep, long totalSteps, int batchSize, int batchSize2, OptimizerKind optimizer, double learningRate, string dtype, string device, long seed);

    [LoggerMessage(EventId = 2, Level = LogLevel.Information, Message = "Step {Step}/{TotalSteps}: {Values}, lr {LearningRate:G4}, {StepMilliseconds:F1} ms")]
    public static partial void Step(ILogger logger, long step, long totalSteps, string values, double learningRate, double stepMilliseconds);

    [LoggerMessage(EventId = 3, Level = LogLevel.Information, Message = "Evaluation at step {Step}: source acc {SourceAccuracy:F4}, target acc {TargetAccuracy:F4}, domain-classifier acc {DomainAccuracy:F4}, target entropy {TargetEntropy:F4} ({Milliseconds:F0} ms)")]
    public static partial void Evaluated(ILogger logger, long step, double sourceAccuracy, double targetAccuracy, double domainAccuracy, double targetEntropy, double milliseconds);

    [LoggerMessage(EventId = 4, Level = LogLevel.Information, Message = "Checkpoint at step {Step} written to {Path}")]
    public static partial void CheckpointWritten(ILogger logger, long step, string path);

    [LoggerMessage(EventId = 5, Level = LogLevel.Information, Message = "Resumed from {Path} at step {Step}/{TotalSteps}")]
    public static partial void Resumed(ILogger logger, string path, long step, long totalSteps);

    [LoggerMessage(EventId = 6, Level = LogLevel.Warning, Message = "Training cancelled after {Step} steps; checkpoint: {Path}")]
    public static partial void Cancelled(ILogger logger, long step, string path);

    [LoggerMessage(EventId = 7, Level = LogLevel.Error, Message = "Training diverged: {Message}")]
    public static partial void Diverged(ILogger logger, string message);

    [LoggerMessage(EventId = 8, Level = LogLevel.Information, Message = "Training finished: {Steps} steps in {Seconds:F1} s")]
    public static partial void Finished(ILogger logger, long steps, double seconds);

    [LoggerMessage(EventId = 9, Level = LogLevel.Warning, Message = "Training has most likely collapsed: the mean label loss of steps {FirstStep}..{Step} is {WindowMean:F4}, back at chance (ln K = {Chance:F4}) after {Best:F4} over the window ending at step {BestStep}; collapsed runs were not seen to recover. Lower the method's adversarial weight or λ schedule, or the learning rate. Last checkpoint: {Checkpoint}")]
    public static partial void Collapsed(ILogger logger, long firstStep, long step, double windowMean, double chance, double best, long bestStep, string checkpoint);

    [LoggerMessage(EventId = 10, Level = LogLevel.Warning, Message = "TrainingPrecision.BFloat16Mixed on a CPU without native bfloat16 arithmetic (no avx512_bf16 or amx_bf16 flag in /proc/cpuinfo): libtorch emulates bfloat16 here, which is much slower than float32 (the paper's MNIST network: about 17× slower per step on a 2-core AVX2-only CPU, docs/performance.md). Use TrainingPrecision.Full on this machine.")]
    public static partial void EmulatedBFloat16(ILogger logger);

    [LoggerMessage(EventId = 11, Level = LogLevel.Warning, Message = "Skipped the damaged checkpoint {Path} (step {Step}): {Reason}; resuming from an older one")]
    public static partial void SkippedDamagedCheckpoint(ILogger logger, string path, long step, string reason);

    [LoggerMessage(EventId = 12, Level = LogLevel.Information, Message = "No checkpoint in {Directory}: training starts at step 0")]
    public static partial void StartingFresh(ILogger logger, string directory);
}
