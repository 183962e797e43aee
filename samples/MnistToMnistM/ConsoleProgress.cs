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

/// <summary>
/// Progress of a count (images written): redrawn in place on a terminal, a line per quarter when the output is
/// redirected (a log file gets no carriage returns).
/// </summary>
internal sealed class CountProgress(TextWriter output)
{
    private readonly bool _interactive = !Console.IsOutputRedirected;
    private readonly Dictionary<string, int> _lastQuarter = new(StringComparer.Ordinal);
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private TimeSpan _lastDraw = TimeSpan.MinValue;

    /// <summary>Shows <paramref name="done"/> of <paramref name="total"/> for <paramref name="label"/>.</summary>
    public void Report(string label, int done, int total)
    {
        lock (_lastQuarter)
        {
            if (_interactive)
            {
                if (_clock.Elapsed - _lastDraw < TimeSpan.FromMilliseconds(100) && done != total) return;
                _lastDraw = _clock.Elapsed;
                output.Write(FormattableString.Invariant($"\r{label}: {done:N0}/{total:N0}   "));
                return;
            }

            int quarter = total == 0 ? 4 : (int)(4L * done / total);
            if (_lastQuarter.TryGetValue(label, out int last) && last >= quarter) return;
            _lastQuarter[label] = quarter;
            if (quarter > 0) output.WriteLine(FormattableString.Invariant($"{label}: {done:N0}/{total:N0}"));
        }
    }

    /// <summary>Writes a closing line, first clearing the in-place line on a terminal.</summary>
    public void Done(string line) => output.WriteLine((_interactive ? "\r" : "") + line);
}
