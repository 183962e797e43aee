using System.Diagnostics;
using System.Globalization;
using DomainAdaptation.Evaluation;
using DomainAdaptation.Training;

namespace MnistToMnistM;

/// <summary>
/// A live progress bar (step, the method's schedules such as λ, learning rate, every loss term, latest accuracies) redrawn in place on a terminal; on a
/// redirected output (CI logs) one line every few percent instead.
/// </summary>
internal sealed class ConsoleProgress(TextWriter output, string label) : IProgress<StepMetrics>, IProgress<EvaluationMetrics>
{
    private readonly bool _interactive = !Console.IsOutputRedirected;
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private EvaluationMetrics? _lastEvaluation;
    private TimeSpan _lastDraw = TimeSpan.MinValue;
    private long _lastLoggedPercent = -1;

    public void Report(StepMetrics m)
    {
        double fraction = (double)m.Step / m.TotalSteps;
        if (_interactive)
        {
            if (_clock.Elapsed - _lastDraw < TimeSpan.FromMilliseconds(100) && m.Step != m.TotalSteps) return;
            _lastDraw = _clock.Elapsed;
            output.Write("\r" + Line(m, fraction) + "   ");
            if (m.Step == m.TotalSteps) output.WriteLine();
        }
        else
        {
            long percent = (long)(fraction * 100);
            if (percent / 10 == _lastLoggedPercent / 10 && m.Step != m.TotalSteps) return;
            _lastLoggedPercent = percent;
            output.WriteLine(Line(m, fraction));
        }
    }

    public void Report(EvaluationMetrics value) => _lastEvaluation = value;

    private static string Short(string term) => term == "domain" ? "dom" : term;

    private string Line(StepMetrics m, double fraction)
    {
        const int width = 24;
        int filled = (int)Math.Round(fraction * width);
        string bar = new string('█', filled) + new string('·', width - filled);
        double elapsed = _clock.Elapsed.TotalSeconds;
        double eta = fraction > 0 ? elapsed * (1 - fraction) / fraction : 0;
        string eval = _lastEvaluation is { } e
            ? string.Create(CultureInfo.InvariantCulture, $" | test src {e.SourceAccuracy:P1} tgt {e.TargetAccuracy:P1}")
            : "";
        string schedules = string.Concat(m.Schedules.Select(v => string.Create(CultureInfo.InvariantCulture, $"{(v.Name == "lambda" ? "λ" : v.Name)} {v.Value:F3} ")));
        string others = string.Concat(m.Losses.Skip(1).Select(v => string.Create(CultureInfo.InvariantCulture, $" {Short(v.Name)} {v.Value:F3}")));
        return string.Create(CultureInfo.InvariantCulture,
            $"{label} {bar} {m.Step}/{m.TotalSteps} {schedules}lr {m.LearningRate:G3} | loss {m.LabelLoss:F3}{others}{eval} | {elapsed:F0}s, eta {eta:F0}s");
    }
}
