using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using DomainAdaptation.Data;
using DomainAdaptation.Data.Batching;
using DomainAdaptation.Evaluation;
using DomainAdaptation.Methods;
using DomainAdaptation.Models;
using DomainAdaptation.Selection;
using DomainAdaptation.Training;
using DomainAdaptation.Training.Checkpoints;
using Microsoft.Extensions.Logging;
using static TorchSharp.torch;

namespace MnistToMnistM;

/// <summary>One candidate's reverse validation figures, as result.json stores them.</summary>
internal sealed record ReverseSummary(
    string RunFolder,
    ExperimentSettings Settings,
    double ReverseAccuracy,
    double ForwardSourceAccuracy,
    long SourceValidationCount,
    long[] PseudoLabelCounts,
    long ReverseSteps,
    double ReverseSeconds,
    long ReverseSeed,
    double? ReverseFitAccuracy,
    bool ReverseTrainingFailed,
    CheckpointWeights Weights = CheckpointWeights.Evaluated);

/// <summary>
/// Reverse validation of a run folder (the library's <see cref="ReverseValidation"/>): pseudo-label the MNIST-M
/// training images with the run's checkpoint, train a reverse model with the run's own recipe from them back to
/// unlabelled MNIST, and score it on the labelled MNIST test set. No target label is read.
/// </summary>
internal static class ReverseValidationRunner
{
    public const string Folder = "reverse-validation";
    public const string ResultFile = "result.json";

    /// <summary>Reads a finished result for this reverse seed (null: the run's own), or null when there is none yet.</summary>
    public static ReverseSummary? TryRead(string runFolder, long? seed, CheckpointWeights weights)
    {
        ExperimentSettings settings = RunInfo.Read(runFolder).Settings;
        string path = Path.Combine(ResultFolder(runFolder, settings, seed ?? settings.Seed, weights), ResultFile);
        return File.Exists(path) ? JsonSerializer.Deserialize<ReverseSummary>(File.ReadAllText(path), RunInfo.Json) : null;
    }

    public static ReverseSummary Run(string runFolder, Problem problem, ExperimentSettings settings, int classes, long? steps, long? seed, CheckpointWeights weights, TextWriter console, ILoggerFactory loggers, CancellationToken ct)
    {
        string latest = Checkpoint.FindLatest(Path.Combine(runFolder, TrainRunner.CheckpointFolder))
            ?? throw new FileNotFoundException($"'{runFolder}' has no checkpoint in {TrainRunner.CheckpointFolder}/.");
        using AdaptationModel model = settings.BuildModel(problem.Train.SampleShape, classes);
        CheckpointInfo info = Checkpoint.LoadModel(latest, model, weights);
        CheckpointWeights loaded = info.WeightsFor(weights);
        using var converter = new SampleConverter(ScalarType.Float32, CPU, info.Normalisation);

        // Reverse validation scores a whole recipe, so the reverse model is trained with the run's own settings. Scoring
        // the last step's weights of a run that kept a weight average scores the recipe without the average: the
        // reverse model is then trained without one too (the trained weights are the same with or without it).
        ExperimentSettings reverseSettings = settings with
        {
            Steps = steps ?? settings.Steps,
            Seed = seed ?? settings.Seed,
            WeightAverageDecay = weights == CheckpointWeights.Trained ? 0 : settings.WeightAverageDecay,
        };
        string folder = ResultFolder(runFolder, settings, reverseSettings.Seed, weights);
        string checkpoints = Path.Combine(folder, TrainRunner.CheckpointFolder);
        bool resume = Checkpoint.FindLatest(checkpoints) is not null;
        Directory.CreateDirectory(folder);
        AdaptationTrainerOptions options = reverseSettings.TrainerOptions(checkpoints);
        AdaptationModelBuilder reverseBuilder = reverseSettings.Builder(problem.Train.SampleShape, classes);
        using AdaptationModel reverseModel = reverseBuilder.Build();
        using AdaptationMethod reverseMethod = reverseSettings.CreateMethod(reverseBuilder, problem.Train.SampleShape, classes);

        console.WriteLine(FormattableString.Invariant(
            $"Reverse validation of {runFolder} (checkpoint step {info.Step}, {(loaded == CheckpointWeights.Averaged ? "weight average" : "last step's weights")}): {reverseSettings.Steps} reverse steps, seed {reverseSettings.Seed}, MNIST-M train pseudo-labelled → MNIST train unlabelled, scored on {problem.SourceTest.Name}{(resume ? ", resuming" : "")}"));
        var wall = Stopwatch.StartNew();
        var progress = new ConsoleProgress(console, "reverse");
        ReverseValidationResult result;
        using (var recorder = new RunRecorder(Path.Combine(folder, TrainRunner.MetricsFile), append: resume, wall))
        {
            var stepProgress = new SyncProgress<StepMetrics>(m => { recorder.Report(m); progress.Report(m); });
            var evaluations = new SyncProgress<EvaluationMetrics>(e => { recorder.Report(e); progress.Report(e); });
            result = ReverseValidation.Run(model, converter, problem.Train, problem.SourceTest, reverseModel, reverseMethod, options,
                loggers.CreateLogger("reverse-validation"), stepProgress, evaluations, resume, ct);
        }

        var summary = new ReverseSummary(runFolder, settings, result.ReverseAccuracy, result.ForwardSourceAccuracy, result.SourceValidationCount,
            result.PseudoLabelCounts.ToArray(), result.ReverseTraining.StepsCompleted, result.ReverseTraining.Elapsed.TotalSeconds,
            reverseSettings.Seed, result.ReverseFitAccuracy, result.ReverseTrainingFailed, loaded);
        AtomicFile.WriteAllText(Path.Combine(folder, ResultFile), JsonSerializer.Serialize(summary, RunInfo.Json));
        return summary;
    }

    /// <summary>
    /// Where a reverse run keeps its checkpoints, metrics and result: reverse-validation/, reverse-validation-seedN/ for
    /// another reverse seed, with "-last-weights" appended when a run with a weight average is scored without it (its
    /// last step's weights, and a reverse model trained without an average).
    /// </summary>
    private static string ResultFolder(string runFolder, ExperimentSettings run, long reverseSeed, CheckpointWeights weights) =>
        Path.Combine(runFolder, (reverseSeed == run.Seed ? Folder : string.Create(CultureInfo.InvariantCulture, $"{Folder}-seed{reverseSeed}"))
            + (weights == CheckpointWeights.Trained && run.WeightAverageDecay > 0 ? "-last-weights" : ""));

    /// <summary>
    /// The comparison table. The candidate with the highest reverse accuracy (lowest reverse risk) among those whose
    /// reverse training did not fail is marked; a failed one is flagged for a rerun with another reverse seed.
    /// </summary>
    public static string Table(IReadOnlyList<ReverseSummary> summaries)
    {
        var b = new StringBuilder();
        b.AppendLine("| run | method | preset | size | weights | seed | reverse seed | source accuracy (MNIST test) | reverse fit (pseudo-labels) | reverse accuracy (MNIST test) | reverse risk | reverse time | |");
        b.AppendLine("|---|---|---|---|---|---|---|---|---|---|---|---|---|");
        double best = summaries.Where(s => !s.ReverseTrainingFailed).Select(s => s.ReverseAccuracy).DefaultIfEmpty(double.NaN).Max();
        foreach (ReverseSummary s in summaries)
        {
            string mark = s.ReverseTrainingFailed ? "reverse training failed: rerun with --reverse-seed" : s.ReverseAccuracy == best ? "← selected" : "";
            string fit = s.ReverseFitAccuracy is double f ? f.ToString("F4", CultureInfo.InvariantCulture) : "—";
            b.AppendLine(string.Create(CultureInfo.InvariantCulture,
                $"| {Path.GetFileName(Path.TrimEndingDirectorySeparator(s.RunFolder))} | {s.Settings.Name} | {s.Settings.Preset.ToString().ToLowerInvariant()} | {s.Settings.ImageSize} | {(s.Weights == CheckpointWeights.Averaged ? FormattableString.Invariant($"average ({s.Settings.WeightAverageDecay})") : "last step")} | {s.Settings.Seed} | {s.ReverseSeed} | {s.ForwardSourceAccuracy:F4} | {fit} | {s.ReverseAccuracy:F4} | {1 - s.ReverseAccuracy:F4} | {s.ReverseSeconds:F0} s | {mark} |"));
        }

        if (summaries.Select(s => s.Settings.Method).Distinct().Count() > 1)
        {
            b.AppendLine();
            b.AppendLine("Note: these runs use different methods. Each run's reverse training uses its own method, so the reverse accuracy scores a method and its settings together; across methods its ranking can mislead: on MNIST → MNIST-M a source-only run scored above every DANN run (docs/results.md).");
        }

        return b.ToString();
    }
}
