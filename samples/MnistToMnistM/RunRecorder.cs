using System.Globalization;
using System.Text;
using DomainAdaptation.Evaluation;
using DomainAdaptation.Training;

namespace MnistToMnistM;

/// <summary>
/// Collects a run's per-step and per-evaluation metrics and writes them to metrics.csv as they arrive. The columns
/// follow the method: <c>kind,step,progress</c>, its schedule values (DANN: <c>lambda</c>), <c>learning_rate</c>, one
/// <c>{term}_loss</c> per loss term, one <c>batch_{metric}</c> per batch metric, <c>step_ms</c>, the test figures and
/// <c>wall_s</c>. For DANN that is the header the DANN-only trainer wrote, column for column.
/// </summary>
internal sealed class RunRecorder : IProgress<StepMetrics>, IProgress<EvaluationMetrics>, IDisposable
{
    private const string TestColumns = "test_source_accuracy,test_target_accuracy,test_domain_classifier_accuracy,test_target_entropy,wall_s";
    private readonly StreamWriter _csv;
    private readonly System.Diagnostics.Stopwatch _wall;
    private readonly string _path;
    private readonly string? _existingHeader;
    private int _stepColumns = -1;

    /// <param name="csvPath">The metrics.csv to write.</param>
    /// <param name="append">Continue an existing file (resume).</param>
    /// <param name="wall">The command's wall clock: the <c>wall_s</c> column is its reading (seconds since the command started, data loading included; a resumed run starts again from 0).</param>
    public RunRecorder(string csvPath, bool append, System.Diagnostics.Stopwatch wall)
    {
        _wall = wall;
        _path = csvPath;
        _existingHeader = append && File.Exists(csvPath) ? File.ReadLines(csvPath).FirstOrDefault() : null;
        _csv = new StreamWriter(csvPath, append, new UTF8Encoding(false)) { AutoFlush = false };
    }

    public List<StepMetrics> Steps { get; } = [];

    public List<EvaluationMetrics> Evaluations { get; } = [];

    /// <summary>The header for a method's step metrics.</summary>
    public static string Header(StepMetrics m) =>
        string.Join(",", new[] { "kind", "step", "progress" }
            .Concat(m.Schedules.Select(v => v.Name))
            .Append("learning_rate")
            .Concat(m.Losses.Select(v => v.Name + "_loss"))
            .Concat(m.Metrics.Select(v => "batch_" + v.Name))
            .Append("step_ms")) + "," + TestColumns;

    public void Report(StepMetrics m)
    {
        Steps.Add(m);
        EnsureHeader(m);
        var line = new StringBuilder();
        line.Append(CultureInfo.InvariantCulture, $"step,{m.Step},{m.Progress:R}");
        foreach (NamedValue v in m.Schedules) line.Append(CultureInfo.InvariantCulture, $",{v.Value:R}");
        line.Append(CultureInfo.InvariantCulture, $",{m.LearningRate:R}");
        foreach (NamedValue v in m.Losses) line.Append(CultureInfo.InvariantCulture, $",{v.Value:R}");
        foreach (NamedValue v in m.Metrics) line.Append(CultureInfo.InvariantCulture, $",{v.Value:R}");
        line.Append(CultureInfo.InvariantCulture, $",{m.StepTime.TotalMilliseconds:F3},,,,,{_wall.Elapsed.TotalSeconds:F3}");
        _csv.WriteLine(line.ToString());
        _csv.Flush();   // each row on disk before the step's checkpoint: a resumed run keeps the rows up to its checkpoint
    }

    public void Report(EvaluationMetrics e)
    {
        Evaluations.Add(e);
        if (_stepColumns < 0) return; // no step has been written in this call (cannot happen in a run: evaluations follow steps)
        _csv.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"eval,{e.Step},{new string(',', _stepColumns)}{e.SourceAccuracy?.ToString("R", CultureInfo.InvariantCulture)},{e.TargetAccuracy?.ToString("R", CultureInfo.InvariantCulture)},{e.DomainClassifierAccuracy?.ToString("R", CultureInfo.InvariantCulture)},{e.TargetPredictionEntropy:R},{_wall.Elapsed.TotalSeconds:F3}"));
        _csv.Flush();
    }

    public void Dispose() => _csv.Dispose();

    private void EnsureHeader(StepMetrics m)
    {
        if (_stepColumns >= 0) return;
        string header = Header(m);
        // Columns between "step" and the test figures: progress, schedules, learning rate, losses, metrics, step_ms.
        _stepColumns = 1 + m.Schedules.Count + 1 + m.Losses.Count + m.Metrics.Count + 1;
        if (string.IsNullOrEmpty(_existingHeader))
        {
            _csv.WriteLine(header);
            return;
        }

        if (_existingHeader != header)
        {
            throw new InvalidDataException($"'{_path}' has the columns '{_existingHeader}', but this run reports '{header}': it was written by another method.");
        }
    }
}
