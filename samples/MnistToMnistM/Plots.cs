using ScottPlot;

namespace MnistToMnistM;

/// <summary>PNG plots of a run: learning curves, schedules, feature embeddings.</summary>
internal static class Plots
{
    private static readonly Color SourceColor = Color.FromHex("#1f77b4");
    private static readonly Color TargetColor = Color.FromHex("#d62728");

    /// <summary>A named series of (x, y) points.</summary>
    public sealed record Series(string Name, IReadOnlyList<double> X, IReadOnlyList<double> Y);

    /// <summary>Writes one or more line plots stacked vertically into one PNG.</summary>
    public static void Lines(string path, string title, string xLabel, IReadOnlyList<(string YLabel, IReadOnlyList<Series> Series)> panels, int width = 900, int panelHeight = 300)
    {
        var multiplot = new Multiplot();
        multiplot.RemovePlot(multiplot.GetPlot(0));
        foreach (var (yLabel, series) in panels)
        {
            var plot = new Plot();
            foreach (Series s in series)
            {
                if (s.X.Count == 0) continue;
                var line = plot.Add.ScatterLine(s.X.ToArray(), s.Y.ToArray());
                line.LegendText = s.Name;
                line.LineWidth = 1.5f;
            }

            plot.YLabel(yLabel);
            plot.XLabel(xLabel);
            if (series.Count > 1) plot.ShowLegend(yLabel.Contains("accuracy", StringComparison.Ordinal) ? Alignment.LowerRight : Alignment.UpperRight);
            multiplot.AddPlot(plot);
        }

        multiplot.GetPlot(0).Title(title);
        multiplot.Layout = new ScottPlot.MultiplotLayouts.Rows();
        multiplot.SavePng(path, width, panelHeight * panels.Count);
    }

    /// <summary>A scatter plot of 2-D source and target embeddings.</summary>
    public static void Embedding(string path, string title, float[,] source, float[,] target, int size = 700) =>
        Embeddings(path, [(title, source, target)], size);

    /// <summary>Several embeddings side by side (e.g. source-only next to DANN), like the paper's Figure 2.</summary>
    public static void Embeddings(string path, IReadOnlyList<(string Title, float[,] Source, float[,] Target)> panels, int size = 600)
    {
        var multiplot = new Multiplot();
        multiplot.RemovePlot(multiplot.GetPlot(0));
        foreach (var (title, source, target) in panels)
        {
            var plot = new Plot();
            AddCloud(plot, source, SourceColor, "source (MNIST)");
            AddCloud(plot, target, TargetColor, "target (MNIST-M)");
            plot.Title(title);
            plot.XLabel("PC 1");
            plot.YLabel("PC 2");
            plot.ShowLegend(Alignment.UpperRight);
            multiplot.AddPlot(plot);
        }

        multiplot.Layout = new ScottPlot.MultiplotLayouts.Columns();
        multiplot.SavePng(path, size * panels.Count, size);
    }

    private static void AddCloud(Plot plot, float[,] points, Color color, string label)
    {
        int n = points.GetLength(0);
        var xs = new double[n];
        var ys = new double[n];
        for (int i = 0; i < n; i++)
        {
            xs[i] = points[i, 0];
            ys[i] = points[i, 1];
        }

        var scatter = plot.Add.ScatterPoints(xs, ys);
        scatter.Color = color.WithAlpha(0.45);
        scatter.MarkerSize = 3;
        scatter.LegendText = label;
    }
}
