using System.Globalization;
using Vgac.Copilot.Core.Calibration;

namespace Vgac.Copilot.Cli.Output;

/// <summary>A reliability diagram: observed rate against mean predicted probability per bin, with the diagonal and counts.</summary>
internal static class ReliabilityPlot
{
    public static void Save(CalibrationAudit audit, string path, string title)
    {
        var plot = new ScottPlot.Plot();
        var diagonal = plot.Add.Scatter(new double[] { 0, 1 }, new double[] { 0, 1 });
        diagonal.LineStyle.Pattern = ScottPlot.LinePattern.Dashed;
        diagonal.Color = ScottPlot.Colors.Gray;
        diagonal.MarkerSize = 0;
        diagonal.LegendText = "perfect calibration";

        var bins = audit.Metrics.ReliabilityCurve;
        var curve = plot.Add.Scatter(bins.Select(b => b.MeanPredicted).ToArray(), bins.Select(b => b.ObservedRate).ToArray());
        curve.MarkerSize = 8;
        curve.LegendText = string.Create(CultureInfo.InvariantCulture, $"{bins.Count} equal-mass bins");
        foreach (var b in bins)
        {
            var label = plot.Add.Text(b.Count.ToString(CultureInfo.InvariantCulture), b.MeanPredicted, b.ObservedRate);
            label.LabelFontSize = 10;
            label.LabelOffsetY = -14;
        }

        plot.Axes.SetLimits(0, 1, 0, 1);
        plot.XLabel("mean predicted P(long wait)");
        plot.YLabel("observed long-wait rate");
        plot.Title(string.Create(CultureInfo.InvariantCulture, $"{title}: ECE {audit.Metrics.Ece:0.000}, MCE {audit.Metrics.Mce:0.000}, n = {audit.Metrics.N}"));
        plot.ShowLegend(ScottPlot.Alignment.UpperLeft);
        var directory = Path.GetDirectoryName(Path.GetFullPath(path));
        if (directory is not null)
        {
            Directory.CreateDirectory(directory);
        }

        plot.SavePng(path, 800, 600);
    }
}
