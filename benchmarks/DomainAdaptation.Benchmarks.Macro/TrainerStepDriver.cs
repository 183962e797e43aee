using System.Diagnostics;
using DomainAdaptation.Data;
using DomainAdaptation.Methods.Adversarial;
using DomainAdaptation.Models;
using DomainAdaptation.Training;
using DomainAdaptation.Training.Optimization;
using DomainAdaptation.Training.Precision;
using static TorchSharp.torch;

namespace DomainAdaptation.Benchmarks.Macro;

/// <summary>
/// The same DANN step as <see cref="DannStepHarness"/>, but run by the library's <see cref="AdaptationTrainer"/> — what a user
/// of the library gets: the trainer's deterministic epoch sampler, <c>BatchAssembler</c> (gather, uint8 → float32,
/// normalise (x/255 − 0.5)/0.5), the paper's schedules, SGD (momentum 0.9), the NaN/∞ check, the metrics it reports and
/// its gen-0 collection every 100 steps. The data are the same random uint8 pools (4,096 images 3×S×S per domain, S the
/// image size: 32, the sample's default input, or 28, the paper's).
/// Per-step wall time is the time between consecutive steps' <see cref="StepMetrics"/> reports, so it includes all of
/// the trainer's per-step work.
/// </summary>
internal static class TrainerStepDriver
{
    /// <summary>Runs <paramref name="steps"/> trainer steps; returns each step's wall time in ms and the last total loss.</summary>
    /// <param name="channelsLast">The preset's channels-last layer.</param>
    /// <param name="imageSize">The images' height and width (32 or 28).</param>
    /// <param name="steps">Steps to run (the schedules span them).</param>
    /// <param name="afterStep">Called after each step with its 1-based number (e.g. to sample the RSS); not timed.</param>
    /// <param name="garbageCollectionInterval">The trainer's <see cref="MonitoringOptions.GarbageCollectionInterval"/> (its default: 100).</param>
    /// <param name="poolSize">Images per domain.</param>
    /// <param name="seed">Seeds the data, the weights and the trainer.</param>
    /// <param name="precision">The trainer's <see cref="PrecisionOptions.Mode"/>.</param>
    public static (double[] Milliseconds, float LastLoss) Run(bool channelsLast, int imageSize, int steps, Action<long>? afterStep = null, int garbageCollectionInterval = 100, int poolSize = 4096, long seed = 1, TrainingPrecision precision = TrainingPrecision.Full)
    {
        using var data = new Generator((ulong)seed + 1);
        using var problem = new DomainDataset(
            "random uint8 pools",
            new SampleSet("source", randint(0, 256, [poolSize, 3, imageSize, imageSize], dtype: ScalarType.Byte, generator: data), randint(0, 10, [poolSize], dtype: ScalarType.Int64, generator: data), 10),
            new SampleSet("target", randint(0, 256, [poolSize, 3, imageSize, imageSize], dtype: ScalarType.Byte, generator: data), null, 10));
        AdaptationModelBuilder builder = ModelPresets.Mnist(SampleShape.Image(3, imageSize, imageSize), seed: seed, channelsLast: channelsLast);
        using AdaptationModel model = builder.Build();
        using var method = new Dann(builder.DomainClassifier);
        var options = new AdaptationTrainerOptions
        {
            Steps = steps,
            BatchSizePerDomain = DannStepHarness.SourceBatch,
            Optimizer = { Kind = OptimizerKind.Sgd, LearningRate = DannStepHarness.BaseLearningRate, Momentum = DannStepHarness.Momentum },
            Input =
            {
                Normalisation = NormalisationKind.Explicit,
                Mean = [DannStepHarness.Mean, DannStepHarness.Mean, DannStepHarness.Mean],
                Std = [DannStepHarness.Std, DannStepHarness.Std, DannStepHarness.Std],
            },
            Evaluation = { Interval = 0, MaxSamples = 1 }, // the one evaluation after the last step is not timed; keep it short
            Monitoring = { LogInterval = 0, GarbageCollectionInterval = garbageCollectionInterval },
            Seed = seed,
            Device = "cpu",
            Precision = { Mode = precision },
        };
        using var trainer = new AdaptationTrainer(model, problem, method, options);
        var times = new double[steps];
        float loss = 0;
        long previous = Stopwatch.GetTimestamp();
        trainer.Train(new Reporter(m =>
        {
            long now = Stopwatch.GetTimestamp();
            times[m.Step - 1] = Stopwatch.GetElapsedTime(previous, now).TotalMilliseconds;
            loss = (float)m.TotalLoss;
            afterStep?.Invoke(m.Step);
            previous = Stopwatch.GetTimestamp();
        }));
        return (times, loss);
    }

    private sealed class Reporter(Action<StepMetrics> report) : IProgress<StepMetrics>
    {
        public void Report(StepMetrics value) => report(value);
    }
}
