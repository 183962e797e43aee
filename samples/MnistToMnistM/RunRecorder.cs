using System.Globalization;
using System.Text;
using DomainAdaptation.Evaluation;
using DomainAdaptation.Training;

namespace MnistToMnistM;

/// <summary>Collects a run's per-step and per-evaluation metrics and writes them to metrics.csv as they arrive.</summary>
internal sealed class RunRecorder : IProgress<StepMetrics>, IProgress<EvaluationMetrics>, IDisposable
{
    private const string Header = "kind,step,progress,lambda,learning_rate,label_loss,domain_loss,batch_source_accuracy,batch_domain_accuracy,step_ms,test_source_accuracy,test_target_accuracy,test_domain_classifier_accuracy,test_target_entropy,wall_s";
    private readonly StreamWriter _csv;
    private readonly System.Diagnostics.Stopwatch _wall;

    /// <param name="csvPath">The metrics.csv to write.</param>
    /// <param name="append">Continue an existing file (resume).</param>
    /// <param name="wall">The command's wall clock: the <c>wall_s</c> column is its reading (seconds since the command started, data loading included; a resumed run starts again from 0).</param>
    public RunRecorder(string csvPath, bool append, System.Diagnostics.Stopwatch wall)
    {
        _wall = wall;
        bool writeHeader = !append || !File.Exists(csvPath);
        _csv = new StreamWriter(csvPath, append, new UTF8Encoding(false)) { AutoFlush = false };
        if (writeHeader) _csv.WriteLine(Header);
    }

    public List<StepMetrics> Steps { get; } = [];

    public List<EvaluationMetrics> Evaluations { get; } = [];

    public void Report(StepMetrics m)
    {
        Steps.Add(m);
        _csv.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"step,{m.Step},{m.Progress:R},{m.Lambda:R},{m.LearningRate:R},{m.LabelLoss:R},{m.DomainLoss?.ToString("R", CultureInfo.InvariantCulture)},{m.SourceAccuracy?.ToString("R", CultureInfo.InvariantCulture)},{m.DomainAccuracy?.ToString("R", CultureInfo.InvariantCulture)},{m.StepTime.TotalMilliseconds:F3},,,,,{_wall.Elapsed.TotalSeconds:F3}"));
        if (m.Step % 500 == 0) _csv.Flush();
    }

    public void Report(EvaluationMetrics e)
    {
        Evaluations.Add(e);
        _csv.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"eval,{e.Step},,,,,,,,,{e.SourceAccuracy?.ToString("R", CultureInfo.InvariantCulture)},{e.TargetAccuracy?.ToString("R", CultureInfo.InvariantCulture)},{e.DomainClassifierAccuracy:R},{e.TargetPredictionEntropy:R},{_wall.Elapsed.TotalSeconds:F3}"));
        _csv.Flush();
    }

    public void Dispose() => _csv.Dispose();
}
