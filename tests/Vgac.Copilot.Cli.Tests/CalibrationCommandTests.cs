using System.Text.Json;
using Vgac.Copilot.Testing;

namespace Vgac.Copilot.Cli.Tests;

public sealed class CalibrationCommandTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Audit_SharedSample_Json_ReproducesReferenceValues()
    {
        var result = await CliHarness.RunAsync(["calibration", "audit", "--input", TestPaths.DataFile("vgac-samples", "slurm_sample.csv"), "--format", "json"], cancellationToken: Ct);

        Assert.True(result.ExitCode == ExitCodes.Success, result.ToString());
        using var json = JsonDocument.Parse(result.Out);
        var root = json.RootElement;
        var metrics = root.GetProperty("metrics");
        Assert.Equal(555, metrics.GetProperty("n").GetInt32());
        Assert.Equal(0.261733, metrics.GetProperty("ece").GetDouble(), 1e-6);
        Assert.Equal(0.433934, metrics.GetProperty("mce").GetDouble(), 1e-6);
        Assert.Equal(0.098081, metrics.GetProperty("brier").GetDouble(), 1e-6);
        Assert.Equal(1.0, metrics.GetProperty("auroc").GetDouble(), 1e-6);
        Assert.Equal(0, root.GetProperty("highest_tier").GetInt32());
        Assert.Equal(15, metrics.GetProperty("reliability_curve").GetArrayLength());
    }

    [Fact]
    public async Task Audit_FailOnSlo_BadlyCalibratedSampleExits12NamingTheSlos()
    {
        var sample = TestPaths.DataFile("vgac-samples", "slurm_sample.csv");

        var plain = await CliHarness.RunAsync(["calibration", "audit", "--input", sample], cancellationToken: Ct);
        var strict = await CliHarness.RunAsync(["calibration", "audit", "--input", sample, "--fail-on-slo"], cancellationToken: Ct);

        Assert.Equal(ExitCodes.Success, plain.ExitCode);
        Assert.Equal(ExitCodes.SloFailed, strict.ExitCode);
        Assert.Matches(@"calibration SLOs? failed: .*ece", strict.Error);
    }

    [Fact]
    public async Task Audit_Table_EndsWithAVerdictLine_AndPlotIsAnSvgOfTheBins()
    {
        var svg = Path.Combine(Vgac.Copilot.Testing.TestPaths.NewFolder("vgac-plot-"), "reliability.svg");

        var result = await CliHarness.RunAsync(["calibration", "audit", "-i", TestPaths.DataFile("vgac-samples", "eks_dec_sample.csv"), "--plot", svg, "--bins", "12"], cancellationToken: Ct);

        Assert.True(result.ExitCode == ExitCodes.Success, result.ToString());
        Assert.Matches(@"Verdict: SLOs failed \(ece [\d.]+ > 0\.050.*No tier may act", result.Out);
        var document = System.Xml.Linq.XDocument.Load(svg);
        System.Xml.Linq.XNamespace ns = "http://www.w3.org/2000/svg";
        Assert.Equal(ns + "svg", document.Root!.Name);
        var points = document.Descendants(ns + "g").Single(g => (string?)g.Attribute("id") == "bins").Elements(ns + "circle").ToList();
        Assert.Equal(12, points.Count);
        // Each point sits where its bin's numbers put it: the tooltip's mean and observed rate, mapped to the canvas.
        foreach (var point in points)
        {
            var numbers = System.Text.RegularExpressions.Regex.Matches(point.Value, @"\d+\.\d+").Select(m => double.Parse(m.Value, System.Globalization.CultureInfo.InvariantCulture)).ToList();
            var (x, y) = Output.ReliabilityPlot.ToCanvas(numbers[0], numbers[1]);
            // The tooltip rounds to 0.001, half a pixel at most on this canvas.
            Assert.Equal(x, double.Parse((string)point.Attribute("cx")!, System.Globalization.CultureInfo.InvariantCulture), 0.5);
            Assert.Equal(y, double.Parse((string)point.Attribute("cy")!, System.Globalization.CultureInfo.InvariantCulture), 0.5);
        }

        Assert.Contains("ECE", document.Descendants(ns + "text").Single(t => (string?)t.Attribute("id") == "title").Value, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Audit_PlotNotSvg_IsUsageErrorNamingTheFile()
    {
        var result = await CliHarness.RunAsync(["calibration", "audit", "-i", TestPaths.DataFile("vgac-samples", "eks_dec_sample.csv"), "--plot", "r.png"], cancellationToken: Ct);

        Assert.Equal(ExitCodes.UsageError, result.ExitCode);
        Assert.Contains("ending in .svg, got 'r.png'", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Audit_BadCell_ExitsWithUsageErrorNamingLineAndColumn()
    {
        var path = Path.Combine(Vgac.Copilot.Testing.TestPaths.NewFolder("vgac-audit-"), "p.csv");
        await File.WriteAllTextAsync(path, "p,y\n0.1,0\n0.5,1\n0.9,maybe\n", Ct);

        var result = await CliHarness.RunAsync(["calibration", "audit", "-i", path, "--prob-column", "p", "--label-column", "y"], cancellationToken: Ct);

        Assert.Equal(ExitCodes.UsageError, result.ExitCode);
        Assert.Contains("line 4, column 'y'", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Audit_NeitherInputNorLive_IsUsageError()
    {
        var result = await CliHarness.RunAsync(["calibration", "audit"], cancellationToken: Ct);

        Assert.Equal(ExitCodes.UsageError, result.ExitCode);
        Assert.Contains("--input", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AuditLive_Demo_ComparesAuditedAndReported()
    {
        var result = await CliHarness.RunAsync(["calibration", "audit", "--live", "--demo", "-o", "json"], cancellationToken: Ct);

        Assert.True(result.ExitCode == ExitCodes.Success, result.ToString());
        using var json = JsonDocument.Parse(result.Out);
        var root = json.RootElement;
        Assert.True(root.GetProperty("outcomes_used").GetInt32() >= 500);
        // The guards hold tiers to the worse of VGAC's figure and the audit's debiased estimate (not its plain ECE).
        var debiased = root.GetProperty("audit").GetProperty("debiased");
        var audited = debiased.GetProperty("estimate").GetDouble();
        var reported = root.GetProperty("reported").GetProperty("reported_ece").GetDouble();
        Assert.Equal(Math.Max(audited, reported), root.GetProperty("effective_ece").GetDouble(), 9);
        Assert.Equal(root.GetProperty("audit").GetProperty("metrics").GetProperty("ece").GetDouble(), debiased.GetProperty("plain").GetDouble(), 9);
        Assert.InRange(audited, debiased.GetProperty("low").GetDouble(), debiased.GetProperty("high").GetDouble());
        // The wait intervals' replay: the configured level, and how many of the newest jobs fell inside.
        var coverage = root.GetProperty("wait_coverage");
        Assert.Equal(0.9, coverage.GetProperty("level").GetDouble());
        Assert.InRange(coverage.GetProperty("recent_covered").GetInt32(), 1, coverage.GetProperty("recent_jobs").GetInt32());
        Assert.Equal(200, coverage.GetProperty("recent_jobs").GetInt32());
    }

    [Fact]
    public async Task AuditLive_Demo_Text_ShowsPlainAndDebiased_AndWhichTheGuardsUse()
    {
        var result = await CliHarness.RunAsync(["calibration", "audit", "--live", "--demo"], cancellationToken: Ct);

        Assert.True(result.ExitCode == ExitCodes.Success, result.ToString());
        Assert.Matches(@"ECE / MCE\s+0\.\d+ / 0\.\d+\s+\(VGAC's definition", result.Out);
        Assert.Matches(@"debiased ECE\s+0\.\d{4}, 95% interval 0\.\d{4}-0\.\d{4}\s+\(the guards use this: tiers are held to the estimate, drift is judged on the lower end", result.Out);
        Assert.Matches(@"Wait intervals \(90%\): \d+ of the last 200 finished jobs fell inside theirs, \d+ of \d+ replayed; quantiles now taken at \d+\.\d% \(adaptive conformal\)\.", result.Out);
    }

    [Fact]
    public async Task Psi_SharedSamples_ReportsAndJudges()
    {
        var result = await CliHarness.RunAsync(
            ["calibration", "psi", "--reference", TestPaths.DataFile("vgac-samples", "eks_dec_sample.csv"), "--live", TestPaths.DataFile("vgac-samples", "borg_sample.csv"), "--column", "pending_ratio", "-o", "json"],
            cancellationToken: Ct);

        Assert.True(result.ExitCode == ExitCodes.Success, result.ToString());
        using var json = JsonDocument.Parse(result.Out);
        Assert.Equal(4000, json.RootElement.GetProperty("live_count").GetInt32());
        Assert.Equal(json.RootElement.GetProperty("psi").GetDouble() < 0.1, json.RootElement.GetProperty("met").GetBoolean());
    }
}
