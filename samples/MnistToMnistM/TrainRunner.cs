using System.Diagnostics;
using System.Globalization;
using System.Text;
using DomainAdaptation.Evaluation;
using DomainAdaptation.Methods;
using DomainAdaptation.Models;
using DomainAdaptation.PyTorch;
using DomainAdaptation.Training;
using DomainAdaptation.Training.Checkpoints;
using DomainAdaptation.Training.Precision;
using Microsoft.Extensions.Logging;
using static TorchSharp.torch;

namespace MnistToMnistM;

/// <summary>The outcome of one run, as the report and the compare table show it.</summary>
internal sealed record RunSummary(
    ExperimentSettings Settings,
    string Folder,
    double TargetAccuracy,
    double SourceAccuracy,
    double? DomainClassifierAccuracy,
    long Steps,
    TimeSpan TrainingTime,
    TimeSpan WallTime,
    string Checkpoint,
    float[,] SourceEmbedding,
    float[,] TargetEmbedding,
    double? CalibratedTargetAccuracy = null,
    double? LastWeightsTargetAccuracy = null,
    TrainingCollapseDetected? Collapse = null,
    string? MethodDescription = null,
    IReadOnlyList<string>? ClassNames = null);

/// <summary>Trains one method on a problem and leaves a complete run folder behind.</summary>
internal static class TrainRunner
{
    public const string MetricsFile = "metrics.csv";
    public const string ReportFile = "report.md";
    public const string CheckpointFolder = "checkpoints";
    public const int EmbeddingSamples = 1000;

    public static RunSummary Run(ExperimentSettings settings, Problem problem, string runFolder, bool resume, TextWriter console, ILoggerFactory loggers, Stopwatch wall, CancellationToken ct)
    {
        Directory.CreateDirectory(runFolder);
        string checkpoints = Path.Combine(runFolder, CheckpointFolder);
        AdaptationModelBuilder builder = settings.Builder(problem.Train.SampleShape, problem.Train.ClassCount);
        if (settings.BackboneWeights is { } weights && !resume)
        {
            // torchvision's checkpoint into the ResNet (its keys are torchvision's); the classifier's fc.* is not used.
            PyTorchWeightsResult loaded = PyTorchWeights.Load(builder.FeatureExtractor!, weights, PyTorchWeightsOptions.TorchvisionBackbone);
            console.WriteLine($"Backbone weights: {loaded.Loaded.Count} tensors from '{loaded.Path}'{(loaded.Ignored.Count > 0 ? $" ({loaded.Ignored.Count} ignored: {string.Join(", ", loaded.Ignored)})" : "")}.");
        }

        AdaptationModel model = builder.Build();
        using AdaptationMethod method = settings.CreateMethod(builder, problem.Train.SampleShape, problem.Train.ClassCount);
        AdaptationTrainerOptions options = settings.TrainerOptions(checkpoints);
        using var evaluationData = problem.CreateEvaluationData();
        using var trainer = new AdaptationTrainer(model, problem.Train, method, options, loggers.CreateLogger<AdaptationTrainer>(), evaluationData);
        if (resume)
        {
            // The newest intact checkpoint (a damaged newer one is skipped with a warning naming it); none yet (the run
            // stopped before its first): start again from step 0; checkpoints that are all damaged: an error.
            ResumeDecision decision = trainer.ResumeOrStart(checkpoints);
            if (decision.Checkpoint is { } from)
            {
                console.WriteLine(FormattableString.Invariant($"Resuming '{runFolder}' from step {from.Step} of {from.TotalSteps} ({from.Path})."));
                KeepMetricsUpTo(Path.Combine(runFolder, MetricsFile), from.Step);
            }
            else
            {
                console.WriteLine($"'{runFolder}' has no checkpoint yet (the run stopped before its first): starting it again from step 0.");
                resume = false;
            }
        }

        if (!resume)
        {
            RunInfo.Write(runFolder, settings, trainer.Options, method, problem.Name, problem.Train.ClassCount, problem.Train.SampleShape.Dimensions.ToArray(), problem.ClassNames);
        }

        var progress = new ConsoleProgress(console, settings.Name);
        TrainingResult result;
        using (var recorder = new RunRecorder(Path.Combine(runFolder, MetricsFile), append: resume, wall))
        {
            var steps = new SyncProgress<StepMetrics>(m => { recorder.Report(m); progress.Report(m); });
            var evaluations = new SyncProgress<EvaluationMetrics>(e => { recorder.Report(e); progress.Report(e); });
            result = trainer.Train(steps, evaluations, ct);
        }

        if (result.Collapse is { } collapse)
        {
            console.WriteLine(CollapseNote(collapse));
        }

        CheckpointInfo checkpoint = result.LastCheckpoint is { } last && last.Step == result.StepsCompleted ? last : trainer.SaveCheckpoint();
        EvaluationMetrics final = result.FinalEvaluation;

        // With a weight average the trainer evaluated the average; report the last step's weights beside it, then put
        // the average into the model for the embedding (and AdaBN), as the report's headline figure uses it.
        // The model that is evaluated and shipped: the trained one, or the method's (a mean teacher's teacher).
        AdaptationModel evaluated = trainer.InferenceModel;
        double? lastWeights = null;
        if (trainer.WeightAverage is not null)
        {
            lastWeights = trainer.Evaluator.EvaluateDomain(evaluated, problem.TargetTest, problem.TargetTest.Labels, DomainRole.Target, problem.Train.ClassCount, 0, ct).Accuracy;
            trainer.CopyAverageTo(evaluated);
        }

        using Tensor sourceFeatures = FeatureEmbedding.Extract(evaluated, problem.SourceTest, trainer.Evaluator.Converter, EmbeddingSamples);
        using Tensor targetFeatures = FeatureEmbedding.Extract(evaluated, problem.TargetTest, trainer.Evaluator.Converter, EmbeddingSamples);
        var (sourceEmbedding, targetEmbedding) = FeatureEmbedding.Pca(sourceFeatures, targetFeatures);

        // Models with batch norm: also report the target accuracy after re-estimating the batch-norm statistics on the
        // unlabelled target training images (AdaBN). No target label is used; the checkpoint on disk keeps the
        // training statistics, and `evaluate --calibrate-bn` reproduces this figure from it.
        double? calibrated = null;
        if (BatchNormCalibration.Calibrate(evaluated, problem.Train.Target, trainer.Evaluator.Converter, cancellationToken: ct) > 0)
        {
            calibrated = trainer.Evaluator.EvaluateDomain(evaluated, problem.TargetTest, problem.TargetTest.Labels, DomainRole.Target, problem.Train.ClassCount, 0, ct).Accuracy;
        }

        var summary = new RunSummary(settings, runFolder, final.TargetAccuracy ?? double.NaN, final.SourceAccuracy ?? double.NaN, final.DomainClassifierAccuracy,
            result.StepsCompleted, result.Elapsed, wall.Elapsed, checkpoint.Path, sourceEmbedding, targetEmbedding, calibrated, lastWeights, result.Collapse, method.Describe(), problem.ClassNames);
        RunPlots.Write(runFolder, summary);
        AtomicFile.WriteAllText(Path.Combine(runFolder, ReportFile), Report(summary, problem.Name, final, Path.Combine(runFolder, MetricsFile), problem.Skipped));
        return summary;
    }

    /// <summary>
    /// Drops the metrics.csv rows written after the checkpoint a run resumes from (a killed run logged steps it did not
    /// checkpoint), so that the resumed file has each step once, as an uninterrupted run's has.
    /// </summary>
    public static void KeepMetricsUpTo(string metricsCsv, long step)
    {
        if (!File.Exists(metricsCsv)) return;
        var kept = new List<string>();
        foreach (string line in File.ReadLines(metricsCsv))
        {
            if (kept.Count == 0) { kept.Add(line); continue; }   // the header
            string[] cells = line.Split(',', 3);
            if (cells.Length < 2 || !long.TryParse(cells[1], NumberStyles.Integer, CultureInfo.InvariantCulture, out long s)) break;   // a torn last line
            if (s > step) break;
            kept.Add(line);
        }

        AtomicFile.WriteAllText(metricsCsv, string.Join('\n', kept) + (kept.Count > 0 ? "\n" : ""));
    }

    public static string Report(RunSummary s, string data, EvaluationMetrics final, string? metricsCsv = null, IReadOnlyList<DomainAdaptation.Data.Datasets.SkippedImage>? skipped = null)
    {
        var b = new StringBuilder();
        b.AppendLine(CultureInfo.InvariantCulture, $"# {s.Settings.Name} — {data}");
        b.AppendLine();
        b.AppendLine(CultureInfo.InvariantCulture, $"Preset `{s.Settings.Preset}`, {s.Steps} steps of {s.Settings.BatchSize} + {s.Settings.BatchSize} images, seed {s.Settings.Seed}, {TorchSharp.torch.get_num_threads()} threads, learning rate {s.Settings.InitialLearningRate.ToString(CultureInfo.InvariantCulture)} / (1 + 10p)^{s.Settings.LearningRateAnnealingPower.ToString(CultureInfo.InvariantCulture)}{(s.Settings.Precision == TrainingPrecision.BFloat16Mixed ? ", bfloat16 mixed precision (float32 master weights and evaluation)" : ", float32")}{(s.Settings.HasDann ? string.Create(CultureInfo.InvariantCulture, $", domain-loss weight {s.Settings.DomainLossWeight}") : "")}.");
        if (s.MethodDescription is { } described) b.AppendLine("Method: " + described + ".");
        if (s.Settings.InputDescription is { } input) b.AppendLine(input + ".");
        if (!s.Settings.IsPaperProblem && s.ClassNames is { } names)
        {
            b.AppendLine("Classes (index = name; image folders: the class folders in ordinal name order): " + string.Join(", ", names.Select((n, i) => $"{i} = {n}")) + ".");
        }
        if (s.Settings.SourceAugmentation != DomainAdaptation.Data.Augmentation.AugmentationKind.None) b.AppendLine($"Source augmentation: the {s.Settings.SourceAugmentation.ToString().ToLowerInvariant()} view of every source batch (seeded per step; `--source-augmentation`).");
        if (s.Settings.TargetAugmentation != DomainAdaptation.Data.Augmentation.AugmentationKind.None) b.AppendLine($"Target augmentation: the {s.Settings.TargetAugmentation.ToString().ToLowerInvariant()} view of every target batch (seeded per step; `--target-augmentation`).");
        if (s.Settings.Stream || s.Settings.Resize is not null)
        {
            b.AppendLine((s.Settings.Resize is { } r ? $"Folder and list images resized to {r.Replace('x', '×')} at load (`--resize`)" : "Folder and list images at their most common size") +
                         (s.Settings.Stream ? "; decoded on the fly, a few batches ahead of each step, not held in memory (`--stream`)." : "."));
        }

        if (s.Settings.BackboneWeights is not null) b.AppendLine("Inputs normalised with ImageNet's mean and std (0.485, 0.456, 0.406; 0.229, 0.224, 0.225), as the pretrained backbone expects.");
        b.AppendLine(s.Settings.WeightAverageDecay > 0
            ? string.Create(CultureInfo.InvariantCulture, $"The checkpoint is the last step's, evaluated with its exponential moving average of the weights (decay {s.Settings.WeightAverageDecay}); \"target, last weights\" is the last step's own weights. No target label chose either; target labels are used only for this table.")
            : "The checkpoint is the last step's: no target label chose it; target labels are used only for this table.");
        if (s.Collapse is { } collapse)
        {
            b.AppendLine();
            b.AppendLine("**" + CollapseNote(collapse) + "**");
        }

        b.AppendLine();
        b.AppendLine(TableHeader(s.Settings.IsPaperProblem));
        b.AppendLine(Row(s, s.Settings.IsPaperProblem));
        b.AppendLine();
        b.AppendLine(CultureInfo.InvariantCulture, $"Evaluated on {final.Source.SampleCount:N0} source and {final.Target.SampleCount:N0} target test images.");
        if (skipped is { Count: > 0 })
        {
            b.AppendLine();
            b.AppendLine(CultureInfo.InvariantCulture, $"Skipped {skipped.Count} image file(s) that could not be read or decoded (`--skip-bad-images`):");
            b.AppendLine();
            foreach (var bad in skipped.Take(50)) b.AppendLine($"- `{bad.Path}`: {bad.Reason}");
            if (skipped.Count > 50) b.AppendLine(CultureInfo.InvariantCulture, $"- … and {skipped.Count - 50} more");
        }

        if (final.TargetAccuracy is null)
        {
            b.AppendLine();
            b.AppendLine(CultureInfo.InvariantCulture, $"The target is unlabelled (a flat folder of images): no target accuracy (—). Label-free: the mean entropy of the target predictions is {final.TargetPredictionEntropy:F4} nats{(final.DomainClassifierAccuracy is double d ? string.Create(CultureInfo.InvariantCulture, $", the domain classifier's balanced accuracy {d:F3} (0.5: the domains are indistinguishable to it)") : "")}.");
        }

        b.AppendLine();
        if (final.Target.Confusion is { } confusion)
        {
            b.AppendLine("Target per-class accuracy: " + string.Join(", ", confusion.PerClassAccuracy.Select((a, i) => string.Create(CultureInfo.InvariantCulture, $"{i}: {a:F3}"))));
            b.AppendLine();
        }

        if (metricsCsv is not null && TermTable(metricsCsv) is { } terms)
        {
            b.AppendLine(terms);
        }

        b.AppendLine("![learning curves](curves.png)");
        b.AppendLine();
        b.AppendLine("![schedules](schedules.png)");
        b.AppendLine();
        b.AppendLine("![embedding](embedding.png)");
        b.AppendLine();
        b.AppendLine(CultureInfo.InvariantCulture, $"Checkpoints: every {s.Settings.CheckpointSteps:N0} steps{(s.Settings.CheckpointInterval is null ? " (10% of the run)" : "")} and at least every {ExperimentSettings.CheckpointTimeInterval.TotalMinutes:F0} minutes of training, on Ctrl+C/SIGTERM and after the last step (`--checkpoint-interval`); continue a stopped run with `train --resume {s.Folder}`.");
        b.AppendLine();
        b.AppendLine(CultureInfo.InvariantCulture, $"Checkpoint: `{Path.GetRelativePath(s.Folder, s.Checkpoint)}`. Reproduce the figure: `dotnet run --project samples/MnistToMnistM -c Release -- evaluate --run {s.Folder}`.");
        if (s.CalibratedTargetAccuracy is not null)
        {
            b.AppendLine();
            b.AppendLine("\"target, AdaBN\": the same checkpoint after re-estimating every batch-norm layer's statistics on the unlabelled MNIST-M training images (`BatchNormCalibration`); reproduce it with `evaluate --run … --calibrate-bn`.");
        }
        return b.ToString();
    }

    /// <summary>The header of the result table (with its separator line); the paper's Table 1 column only for the paper's problem.</summary>
    public static string TableHeader(bool paper) =>
        $"| method | target accuracy (test) | target, last weights | target, AdaBN | source accuracy (test) |{(paper ? " paper (Table 1) |" : "")} domain-classifier accuracy | training time | wall time |\n" +
        $"|---|---|---|---|---|{(paper ? "---|" : "")}---|---|---|";

    /// <summary>Whether a table of these runs shows the paper's column: all are MNIST → MNIST-M with a preset's network.</summary>
    public static bool ShowsPaper(IEnumerable<RunSummary> runs) => runs.All(r => r.Settings.IsPaperProblem);

    public static string Row(RunSummary s, bool paper) => string.Create(CultureInfo.InvariantCulture,
        $"| {s.Settings.Name} | {Optional(double.IsNaN(s.TargetAccuracy) ? null : s.TargetAccuracy)} | {Optional(s.LastWeightsTargetAccuracy)} | {Optional(s.CalibratedTargetAccuracy)} | {s.SourceAccuracy:F4} |{(paper ? $" {Optional(s.Settings.PaperFigure)} |" : "")} {Optional(s.DomainClassifierAccuracy, "F3")} | {s.TrainingTime.TotalSeconds:F0} s | {s.WallTime.TotalSeconds:F0} s |");

    /// <summary>
    /// The method's own terms and batch metrics from metrics.csv: their mean over the first and the last 10% of the
    /// steps, so that a report shows what each term did (a falling domain accuracy, a rising mask rate).
    /// </summary>
    public static string? TermTable(string metricsCsv)
    {
        if (!File.Exists(metricsCsv)) return null;
        string[] lines = File.ReadAllLines(metricsCsv);
        if (lines.Length < 2) return null;
        string[] header = lines[0].Split(',');
        string[][] steps = [.. lines.Skip(1).Where(l => l.StartsWith("step,", StringComparison.Ordinal)).Select(l => l.Split(','))];
        if (steps.Length == 0) return null;
        int tenth = Math.Max(1, steps.Length / 10);
        var b = new StringBuilder();
        b.AppendLine("| loss term or batch metric | mean, first 10% of steps | mean, last 10% of steps |");
        b.AppendLine("|---|---|---|");
        for (int c = 0; c < header.Length; c++)
        {
            string name = header[c];
            bool term = name.EndsWith("_loss", StringComparison.Ordinal);
            bool metric = name.StartsWith("batch_", StringComparison.Ordinal);
            if (!term && !metric) continue;
            double Mean(IEnumerable<string[]> rows) => rows.Select(r => c < r.Length && r[c].Length > 0 ? double.Parse(r[c], CultureInfo.InvariantCulture) : double.NaN).Where(double.IsFinite).DefaultIfEmpty(double.NaN).Average();
            b.AppendLine(string.Create(CultureInfo.InvariantCulture, $"| {(term ? "loss: " + name[..^5] : "batch " + name[6..].Replace('_', ' '))} | {Mean(steps.Take(tenth)):F4} | {Mean(steps.Skip(steps.Length - tenth)):F4} |"));
        }

        return b.ToString();
    }

    /// <summary>One sentence on a collapse the trainer detected (AdaptationTrainerOptions.CollapseWindow).</summary>
    public static string CollapseNote(TrainingCollapseDetected c) => string.Create(CultureInfo.InvariantCulture,
        $"Warning: training collapsed. By step {c.Step} the mean label loss was {c.WindowMeanLabelLoss:F3}, back at chance (ln K = {c.ChanceLabelLoss:F3}), after {c.BestWindowMeanLabelLoss:F3} in the window ending at step {c.BestWindowEndStep}; such runs were not seen to recover. Try a lower --domain-weight (or the method's weight) or --learning-rate, or another seed.");

    private static string Optional(double? value, string format = "F4") => value is double v ? v.ToString(format, CultureInfo.InvariantCulture) : "—";
}
