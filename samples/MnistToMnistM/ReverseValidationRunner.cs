using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using DomainAdaptation.Data;
using DomainAdaptation.Data.Batching;
using DomainAdaptation.Evaluation;
using DomainAdaptation.Models;
using DomainAdaptation.Selection;
using DomainAdaptation.Training;
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
    double ReverseSeconds);

/// <summary>
/// Reverse validation of a run folder (the library's <see cref="ReverseValidation"/>): pseudo-label the MNIST-M
/// training images with the run's checkpoint, train a reverse model with the run's own recipe from them back to
/// unlabelled MNIST, and score it on the labelled MNIST test set. No target label is read.
/// </summary>
internal static class ReverseValidationRunner
{
    public const string Folder = "reverse-validation";
    public const string ResultFile = "result.json";

    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true, Converters = { new System.Text.Json.Serialization.JsonStringEnumConverter() } };

    /// <summary>Reads a finished result, or null when the run has none yet.</summary>
    public static ReverseSummary? TryRead(string runFolder)
    {
        string path = Path.Combine(runFolder, Folder, ResultFile);
        return File.Exists(path) ? JsonSerializer.Deserialize<ReverseSummary>(File.ReadAllText(path), Json) : null;
    }

    public static ReverseSummary Run(string runFolder, Problem problem, ExperimentSettings settings, int classes, long? steps, TextWriter console, ILoggerFactory loggers, CancellationToken ct)
    {
        string latest = Checkpoint.FindLatest(Path.Combine(runFolder, TrainRunner.CheckpointFolder))
            ?? throw new FileNotFoundException($"'{runFolder}' has no checkpoint in {TrainRunner.CheckpointFolder}/.");
        using DannModel model = settings.BuildModel(problem.Train.SampleShape, classes);
        CheckpointInfo info = Checkpoint.LoadModel(latest, model);
        using var converter = new SampleConverter(ScalarType.Float32, CPU, info.Normalisation);

        string folder = Path.Combine(runFolder, Folder);
        string checkpoints = Path.Combine(folder, TrainRunner.CheckpointFolder);
        bool resume = Checkpoint.FindLatest(checkpoints) is not null;
        Directory.CreateDirectory(folder);
        ExperimentSettings reverseSettings = settings with { Steps = steps ?? settings.Steps };
        DannTrainerOptions options = reverseSettings.TrainerOptions(checkpoints);
        using DannModel reverseModel = reverseSettings.BuildModel(problem.Train.SampleShape, classes);

        console.WriteLine(FormattableString.Invariant(
            $"Reverse validation of {runFolder} (checkpoint step {info.Step}): {reverseSettings.Steps} reverse steps, MNIST-M train pseudo-labelled → MNIST train unlabelled, scored on {problem.SourceTest.Name}{(resume ? ", resuming" : "")}"));
        var wall = Stopwatch.StartNew();
        var progress = new ConsoleProgress(console, "reverse");
        ReverseValidationResult result;
        using (var recorder = new RunRecorder(Path.Combine(folder, TrainRunner.MetricsFile), append: resume, wall))
        {
            var stepProgress = new SyncProgress<StepMetrics>(m => { recorder.Report(m); progress.Report(m); });
            var evaluations = new SyncProgress<EvaluationMetrics>(e => { recorder.Report(e); progress.Report(e); });
            result = ReverseValidation.Run(model, converter, problem.Train, problem.SourceTest, reverseModel, options,
                loggers.CreateLogger("reverse-validation"), stepProgress, evaluations, resume, ct);
        }

        var summary = new ReverseSummary(runFolder, settings, result.ReverseAccuracy, result.ForwardSourceAccuracy, result.SourceValidationCount,
            result.PseudoLabelCounts.ToArray(), result.ReverseTraining.StepsCompleted, result.ReverseTraining.Elapsed.TotalSeconds);
        AtomicFile.WriteAllText(Path.Combine(folder, ResultFile), JsonSerializer.Serialize(summary, Json));
        return summary;
    }

    /// <summary>The comparison table; the candidate with the highest reverse accuracy (lowest reverse risk) is marked.</summary>
    public static string Table(IReadOnlyList<ReverseSummary> summaries)
    {
        var b = new StringBuilder();
        b.AppendLine("| run | method | preset | size | seed | source accuracy (MNIST test) | reverse accuracy (MNIST test) | reverse risk | reverse steps | reverse time | |");
        b.AppendLine("|---|---|---|---|---|---|---|---|---|---|---|");
        double best = summaries.Max(s => s.ReverseAccuracy);
        foreach (ReverseSummary s in summaries)
        {
            b.AppendLine(string.Create(CultureInfo.InvariantCulture,
                $"| {Path.GetFileName(Path.TrimEndingDirectorySeparator(s.RunFolder))} | {s.Settings.Name} | {s.Settings.Preset.ToString().ToLowerInvariant()} | {s.Settings.ImageSize} | {s.Settings.Seed} | {s.ForwardSourceAccuracy:F4} | {s.ReverseAccuracy:F4} | {1 - s.ReverseAccuracy:F4} | {s.ReverseSteps} | {s.ReverseSeconds:F0} s | {(s.ReverseAccuracy == best ? "← selected" : "")} |"));
        }

        return b.ToString();
    }
}
