using System.Globalization;

namespace MnistToMnistM;

/// <summary>The PNG plots of a run folder, drawn from its metrics.csv (so resumed runs plot their whole history).</summary>
internal static class RunPlots
{
    public static void Write(string runFolder, RunSummary summary)
    {
        var rows = ReadCsv(Path.Combine(runFolder, TrainRunner.MetricsFile));
        var steps = rows.Where(r => r["kind"] == "step").ToList();
        var evals = rows.Where(r => r["kind"] == "eval").ToList();
        double[] x = steps.Select(r => Num(r["step"])).ToArray();

        Plots.Series Smooth(string name, string column, int window = 100)
        {
            var pts = steps.Where(r => r[column].Length > 0).Select(r => (X: Num(r["step"]), Y: Num(r[column]))).ToList();
            var ys = new double[pts.Count];
            double sum = 0;
            for (int i = 0; i < pts.Count; i++)
            {
                sum += pts[i].Y;
                if (i >= window) sum -= pts[i - window].Y;
                ys[i] = sum / Math.Min(i + 1, window);
            }

            return new Plots.Series(name, pts.Select(p => p.X).ToArray(), ys);
        }

        Plots.Series Eval(string name, string column) =>
            new(name, evals.Where(r => r[column].Length > 0).Select(r => Num(r["step"])).ToArray(), evals.Where(r => r[column].Length > 0).Select(r => Num(r[column])).ToArray());

        // Every loss term and batch metric the method reported has a column: plot them all.
        string[] columns = rows.Count == 0 ? [] : [.. rows[0].Keys];
        var lossSeries = columns.Where(c => c.EndsWith("_loss", StringComparison.Ordinal) && steps.Any(r => r[c].Length > 0))
            .Select(c => Smooth(c == "label_loss" ? "label loss (labelled batch)" : c.Replace('_', ' '), c)).ToList();
        var accuracySeries = columns.Where(c => c.StartsWith("batch_", StringComparison.Ordinal) && steps.Any(r => r[c].Length > 0))
            .Select(c => Smooth(c["batch_".Length..].Replace('_', ' ') + " (batch)", c)).ToList();
        accuracySeries.Add(Eval("source accuracy (test)", "test_source_accuracy"));
        if (evals.Any(r => r["test_target_accuracy"].Length > 0)) accuracySeries.Add(Eval("target accuracy (test)", "test_target_accuracy"));   // none for an unlabelled target
        string[] scheduleColumns = [.. columns.SkipWhile(c => c != "progress").Skip(1).TakeWhile(c => c != "learning_rate")];

        Plots.Lines(Path.Combine(runFolder, "curves.png"), $"{summary.Settings.Name}: learning curves (100-step moving average)", "step",
            [("loss", lossSeries), ("accuracy", accuracySeries)]);
        var schedulePanels = scheduleColumns
            .Select(c => (c == "lambda" ? "λ (gradient reversal)" : c.Replace('_', ' '), (IReadOnlyList<Plots.Series>)[new Plots.Series(c == "lambda" ? "λ" : c, x, steps.Select(r => Num(r[c])).ToArray())]))
            .Append(("learning rate", [new Plots.Series("learning rate", x, steps.Select(r => Num(r["learning_rate"])).ToArray())]))
            .ToList();
        Plots.Lines(Path.Combine(runFolder, "schedules.png"), "schedules", "step", schedulePanels, panelHeight: 250);
        Plots.Embedding(Path.Combine(runFolder, "embedding.png"), $"{summary.Settings.Name}: PCA of features ({TrainRunner.EmbeddingSamples} test images per domain)",
            summary.SourceEmbedding, summary.TargetEmbedding);
    }

    private static double Num(string s) => double.Parse(s, CultureInfo.InvariantCulture);

    private static List<Dictionary<string, string>> ReadCsv(string path)
    {
        var lines = File.ReadAllLines(path);
        string[] header = lines[0].Split(',');
        return lines.Skip(1).Where(l => l.Length > 0 && !l.StartsWith("kind,", StringComparison.Ordinal))
            .Select(l => l.Split(','))
            .Select(cells => header.Select((h, i) => (h, v: i < cells.Length ? cells[i] : "")).ToDictionary(p => p.h, p => p.v))
            .ToList();
    }
}
