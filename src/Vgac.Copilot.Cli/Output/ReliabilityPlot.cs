using System.Globalization;
using System.Xml.Linq;
using Vgac.Copilot.Core.Calibration;

namespace Vgac.Copilot.Cli.Output;

/// <summary>
/// A reliability diagram as SVG: observed long-wait rate against mean predicted probability per equal-mass bin,
/// the diagonal of perfect calibration, and each bin's count. SVG needs no native graphics library (the tool stays
/// small and runs on every platform .NET does), opens in any browser and renders inline on GitHub.
/// </summary>
internal static class ReliabilityPlot
{
    public const string Extension = ".svg";

    private const double Width = 800, Height = 600, Left = 80, Right = 30, Top = 60, Bottom = 70;
    private static readonly XNamespace Svg = "http://www.w3.org/2000/svg";

    /// <summary>Where a probability pair lands on the canvas (x right, y up from the plot's bottom-left corner).</summary>
    public static (double X, double Y) ToCanvas(double predicted, double observed) =>
        (Left + (Math.Clamp(predicted, 0, 1) * (Width - Left - Right)), Height - Bottom - (Math.Clamp(observed, 0, 1) * (Height - Top - Bottom)));

    public static void Save(CalibrationAudit audit, string path, string title)
    {
        var directory = Path.GetDirectoryName(Path.GetFullPath(path));
        if (directory is not null)
        {
            Directory.CreateDirectory(directory);
        }

        Render(audit, title).Save(path);
    }

    public static XDocument Render(CalibrationAudit audit, string title)
    {
        var m = audit.Metrics;
        var root = new XElement(Svg + "svg",
            new XAttribute("width", N(Width)), new XAttribute("height", N(Height)), new XAttribute("viewBox", $"0 0 {N(Width)} {N(Height)}"),
            new XAttribute("font-family", "sans-serif"), new XAttribute("font-size", "13"),
            new XElement(Svg + "rect", new XAttribute("width", "100%"), new XAttribute("height", "100%"), new XAttribute("fill", "white")),
            Text(Width / 2, 30, string.Create(CultureInfo.InvariantCulture, $"{Core.Text.UntrustedText.Clean(title, 80)}: ECE {m.Ece:0.000}, MCE {m.Mce:0.000}, n = {m.N}"), "middle", 16, "title"));

        root.Add(Grid());
        var (x0, y0) = ToCanvas(0, 0);
        var (x1, y1) = ToCanvas(1, 1);
        root.Add(new XElement(Svg + "line", Id("diagonal"), new XAttribute("x1", N(x0)), new XAttribute("y1", N(y0)), new XAttribute("x2", N(x1)), new XAttribute("y2", N(y1)),
            new XAttribute("stroke", "gray"), new XAttribute("stroke-dasharray", "6 4")));

        var bins = m.ReliabilityCurve;
        var points = bins.Select(b => ToCanvas(b.MeanPredicted, b.ObservedRate)).ToList();
        root.Add(new XElement(Svg + "polyline", Id("curve"), new XAttribute("fill", "none"), new XAttribute("stroke", "#1f77b4"), new XAttribute("stroke-width", "2"),
            new XAttribute("points", string.Join(' ', points.Select(p => $"{N(p.X)},{N(p.Y)}")))));
        var group = new XElement(Svg + "g", Id("bins"));
        foreach (var (bin, (x, y)) in bins.Zip(points))
        {
            group.Add(new XElement(Svg + "circle", new XAttribute("cx", N(x)), new XAttribute("cy", N(y)), new XAttribute("r", "5"), new XAttribute("fill", "#1f77b4"),
                new XElement(Svg + "title", string.Create(CultureInfo.InvariantCulture, $"{bin.Count} predictions: mean {bin.MeanPredicted:0.000}, observed {bin.ObservedRate:0.000}"))));
            group.Add(Text(x, y - 10, bin.Count.ToString(CultureInfo.InvariantCulture), "middle", 10));
        }

        root.Add(group);
        root.Add(Legend(bins.Count));
        return new XDocument(new XDeclaration("1.0", "utf-8", null), root);
    }

    private static IEnumerable<XElement> Grid()
    {
        for (var i = 0; i <= 10; i++)
        {
            var v = i / 10.0;
            var (x, yBottom) = ToCanvas(v, 0);
            var (xLeft, y) = ToCanvas(0, v);
            var (xRight, yTop) = ToCanvas(1, 1);
            var stroke = i is 0 ? "black" : "#e5e5e5";
            yield return new XElement(Svg + "line", new XAttribute("x1", N(x)), new XAttribute("y1", N(yBottom)), new XAttribute("x2", N(x)), new XAttribute("y2", N(yTop)), new XAttribute("stroke", stroke));
            yield return new XElement(Svg + "line", new XAttribute("x1", N(xLeft)), new XAttribute("y1", N(y)), new XAttribute("x2", N(xRight)), new XAttribute("y2", N(y)), new XAttribute("stroke", stroke));
            yield return Text(x, yBottom + 18, v.ToString("0.0", CultureInfo.InvariantCulture), "middle");
            yield return Text(xLeft - 8, y + 4, v.ToString("0.0", CultureInfo.InvariantCulture), "end");
        }

        yield return Text((Left + Width - Right) / 2, Height - 25, "mean predicted P(long wait)", "middle");
        var middle = (Top + Height - Bottom) / 2;
        yield return new XElement(Svg + "text", new XAttribute("x", "0"), new XAttribute("y", "0"), new XAttribute("text-anchor", "middle"),
            new XAttribute("transform", $"translate(25 {N(middle)}) rotate(-90)"), "observed long-wait rate");
    }

    private static XElement Legend(int bins)
    {
        var (x, y) = ToCanvas(0.03, 0.95);
        return new XElement(Svg + "g", Id("legend"),
            new XElement(Svg + "line", new XAttribute("x1", N(x)), new XAttribute("y1", N(y)), new XAttribute("x2", N(x + 30)), new XAttribute("y2", N(y)), new XAttribute("stroke", "gray"), new XAttribute("stroke-dasharray", "6 4")),
            Text(x + 38, y + 4, "perfect calibration", "start"),
            new XElement(Svg + "circle", new XAttribute("cx", N(x + 15)), new XAttribute("cy", N(y + 22)), new XAttribute("r", "5"), new XAttribute("fill", "#1f77b4")),
            Text(x + 38, y + 26, string.Create(CultureInfo.InvariantCulture, $"{bins} equal-mass bin{(bins == 1 ? "" : "s")} (labels: predictions per bin)"), "start"));
    }

    private static XElement Text(double x, double y, string text, string anchor, int? size = null, string? id = null)
    {
        var element = new XElement(Svg + "text", new XAttribute("x", N(x)), new XAttribute("y", N(y)), new XAttribute("text-anchor", anchor), text);
        if (size is { } s)
        {
            element.Add(new XAttribute("font-size", s));
        }

        if (id is not null)
        {
            element.Add(Id(id));
        }

        return element;
    }

    private static XAttribute Id(string id) => new("id", id);

    private static string N(double value) => value.ToString("0.##", CultureInfo.InvariantCulture);
}
