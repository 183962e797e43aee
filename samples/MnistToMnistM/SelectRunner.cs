using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using DomainAdaptation.Data;
using DomainAdaptation.Data.Batching;
using DomainAdaptation.Evaluation;
using DomainAdaptation.Models;
using DomainAdaptation.Selection;
using DomainAdaptation.Selection.Validators;
using DomainAdaptation.Training.Checkpoints;
using Microsoft.Extensions.Logging;
using static TorchSharp.torch;

namespace MnistToMnistM;

/// <summary>One candidate (a run's checkpoint) with its validators' scores, and its target accuracy when it was measured for a study.</summary>
internal sealed record Candidate(string Run, string Method, long Seed, long Step, string Checkpoint, IReadOnlyDictionary<string, ValidationScore> Scores, double? TargetAccuracy);

/// <summary>
/// The sample's <c>select</c>: scores runs (or every checkpoint of them) with the library's label-free validators,
/// chooses the best by one validator, and — with <c>--validator all</c> and the target labels at hand — reports each
/// validator's Spearman correlation with the target accuracy and its regret, as a study figure.
/// </summary>
internal static class SelectRunner
{
    /// <summary>The validator <c>select</c> chooses with when none is named: the one docs/selection.md's study chose.</summary>
    public const string DefaultValidator = "im";

    /// <summary>Scores every candidate of the run folders.</summary>
    public static List<Candidate> Score(IReadOnlyList<string> runFolders, IReadOnlyList<string> validators, bool everyCheckpoint, bool withTargetAccuracy, string dataRoot, int maxSamples, long seed, TextWriter console, ILoggerFactory loggers, CancellationToken ct)
    {
        var problems = new Dictionary<(int, bool), Problem>();
        var candidates = new List<Candidate>();
        try
        {
            foreach (string run in runFolders)
            {
                var (settings, classes, shape) = RunInfo.Read(run);
                if (settings.SourcePath is not null || settings.TargetPath is not null)
                {
                    throw new ArgumentException($"'{run}' was trained with --source/--target; select scores MNIST → MNIST-M runs (use the library's validators for other pairs).");
                }

                (int, bool) key = (settings.ImageSize, settings.BinarizeSource);
                if (!problems.TryGetValue(key, out Problem? problem))
                {
                    problem = DataLoading.LoadDigits(dataRoot, settings, loggers.CreateLogger("data"), ct);
                    problems[key] = problem;
                }

                string folder = Path.Combine(run, TrainRunner.CheckpointFolder);
                IEnumerable<string> files = everyCheckpoint
                    ? Directory.EnumerateFiles(folder, "checkpoint-*.dann").Order(StringComparer.Ordinal)
                    : [Checkpoint.FindLatest(folder) ?? throw new CheckpointException(folder, "the folder holds no intact checkpoint.")];
                foreach (string file in files)
                {
                    using AdaptationModel model = settings.BuildModel(new SampleShape(shape), classes);
                    CheckpointInfo info = Checkpoint.LoadModel(file, model);
                    using var converter = new SampleConverter(ScalarType.Float32, CPU, info.Normalisation);
                    using var data = new ValidationData(model, converter, problem.SourceTest, problem.Train.Target, problem.Train.Source, maxSamples);
                    var scores = new Dictionary<string, ValidationScore>(StringComparer.Ordinal);
                    foreach (string name in validators)
                    {
                        scores[name] = name == "reverse"
                            ? ReverseFromFolder(run) ?? throw new ArgumentException($"'{run}' has no reverse-validation result: run `reverse-validate --run {run}` first (select reads it; reverse validation trains a reverse model).")
                            : Validators.Create(name, seed).Score(data, ct);
                    }

                    double? target = null;
                    if (withTargetAccuracy)
                    {
                        target = new Evaluator(converter).EvaluateDomain(model, problem.TargetTest, problem.TargetTest.Labels, DomainRole.Target, classes, 0, ct).Accuracy;
                    }

                    candidates.Add(new Candidate(run, settings.Method, settings.Seed, info.Step, file, scores, target));
                    console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{Path.GetFileName(Path.TrimEndingDirectorySeparator(run))} step {info.Step}: {string.Join(", ", scores.Values.Select(s => $"{s.Validator} {s.Score:F4}"))}"));
                }
            }
        }
        finally
        {
            foreach (Problem p in problems.Values) p.Dispose();
        }

        return candidates;
    }

    /// <summary>The table, the choice of each validator and, with target accuracies, the study figures.</summary>
    public static string Table(IReadOnlyList<Candidate> candidates, IReadOnlyList<string> validators, string chooser)
    {
        var b = new StringBuilder();
        bool study = candidates.All(c => c.TargetAccuracy is not null) && candidates.Count >= 2;
        b.AppendLine("| run | method | seed | step | " + string.Join(" | ", validators) + (study ? " | target accuracy (study only) |" : " |") + " choice |");
        b.AppendLine("|---|---|---|---|" + string.Concat(validators.Select(_ => "---|")) + (study ? "---|" : "") + "---|");
        int chosen = Choose(candidates, chooser);
        for (int i = 0; i < candidates.Count; i++)
        {
            Candidate c = candidates[i];
            b.Append(CultureInfo.InvariantCulture, $"| {Path.GetFileName(Path.TrimEndingDirectorySeparator(c.Run))} | {c.Method} | {c.Seed} | {c.Step} | ");
            b.Append(string.Join(" | ", validators.Select(v => c.Scores[v].Score.ToString("F4", CultureInfo.InvariantCulture))));
            if (study) b.Append(CultureInfo.InvariantCulture, $" | {c.TargetAccuracy:F4}");
            b.AppendLine(i == chosen ? $" | ← {chooser} |" : " | |");
        }

        if (study)
        {
            b.AppendLine();
            b.AppendLine("Study figures (they use the target labels, which a user does not have): each validator's Spearman correlation with the target accuracy over these candidates, and its regret (best target accuracy − that of the candidate it chooses).");
            b.AppendLine();
            b.AppendLine("| validator | Spearman ρ | regret | chooses |");
            b.AppendLine("|---|---|---|---|");
            double[] accuracy = [.. candidates.Select(c => c.TargetAccuracy!.Value)];
            foreach (string v in validators)
            {
                double[] scores = [.. candidates.Select(c => c.Scores[v].Score)];
                (double regret, int pick) = SelectionStudy.Regret(scores, accuracy);
                b.AppendLine(string.Create(CultureInfo.InvariantCulture, $"| {v} | {SelectionStudy.Spearman(scores, accuracy):F3} | {regret * 100:F2} points | {Path.GetFileName(Path.TrimEndingDirectorySeparator(candidates[pick].Run))} (step {candidates[pick].Step}, {candidates[pick].TargetAccuracy:F4}) |"));
            }
        }

        return b.ToString();
    }

    /// <summary>The index of the candidate with the highest score of <paramref name="validator"/>.</summary>
    public static int Choose(IReadOnlyList<Candidate> candidates, string validator) =>
        SelectionStudy.Regret([.. candidates.Select(c => c.Scores[validator].Score)], [.. candidates.Select(_ => 0.0)]).Chosen;

    /// <summary>The candidates, their scores and the choice as JSON.</summary>
    public static string Json(IReadOnlyList<Candidate> candidates, IReadOnlyList<string> validators, string chooser)
    {
        int chosen = Choose(candidates, chooser);
        var root = new JsonObject
        {
            ["validator"] = chooser,
            ["chosen"] = new JsonObject { ["run"] = candidates[chosen].Run, ["checkpoint"] = candidates[chosen].Checkpoint, ["step"] = candidates[chosen].Step },
            ["candidates"] = new JsonArray([.. candidates.Select(c => (JsonNode)new JsonObject
            {
                ["run"] = c.Run,
                ["method"] = c.Method,
                ["seed"] = c.Seed,
                ["step"] = c.Step,
                ["checkpoint"] = c.Checkpoint,
                ["scores"] = new JsonObject(c.Scores.Select(kv => KeyValuePair.Create(kv.Key, (JsonNode?)new JsonObject
                {
                    ["score"] = kv.Value.Score,
                    ["parts"] = new JsonObject(kv.Value.Parts.Select(p => KeyValuePair.Create(p.Key, (JsonNode?)JsonValue.Create(p.Value)))),
                }))),
                ["targetAccuracyStudyOnly"] = c.TargetAccuracy,
            })]),
        };
        if (candidates.All(c => c.TargetAccuracy is not null) && candidates.Count >= 2)
        {
            double[] accuracy = [.. candidates.Select(c => c.TargetAccuracy!.Value)];
            root["study"] = new JsonObject(validators.Select(v =>
            {
                double[] scores = [.. candidates.Select(c => c.Scores[v].Score)];
                (double regret, int pick) = SelectionStudy.Regret(scores, accuracy);
                return KeyValuePair.Create(v, (JsonNode?)new JsonObject { ["spearman"] = SelectionStudy.Spearman(scores, accuracy), ["regret"] = regret, ["chooses"] = candidates[pick].Checkpoint });
            }));
        }

        return root.ToJsonString(new JsonSerializerOptions { WriteIndented = true });
    }

    /// <summary>Whether <c>reverse-validate</c> left a result in the run folder.</summary>
    public static bool HasReverseResult(string run) => File.Exists(Path.Combine(run, ReverseValidationRunner.Folder, ReverseValidationRunner.ResultFile));

    /// <summary>The reverse-validation result `reverse-validate` left in a run folder, as a score.</summary>
    private static ValidationScore? ReverseFromFolder(string run)
    {
        string path = Path.Combine(run, ReverseValidationRunner.Folder, ReverseValidationRunner.ResultFile);
        if (!File.Exists(path)) return null;
        ReverseSummary? s = JsonSerializer.Deserialize<ReverseSummary>(File.ReadAllText(path), RunInfo.Json);
        return s is null ? null : new ValidationScore("reverse", s.ReverseAccuracy, [new("forward_source_accuracy", s.ForwardSourceAccuracy), new("reverse_training_failed", s.ReverseTrainingFailed ? 1 : 0)]);
    }
}
