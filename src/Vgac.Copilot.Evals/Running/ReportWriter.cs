using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Xml.Linq;

namespace Vgac.Copilot.Evals.Running;

/// <summary>Writes an eval report as JSON, JUnit XML (for CI) and Markdown (for people).</summary>
public static class ReportWriter
{
    public static void Write(EvalReport report, string folder)
    {
        Directory.CreateDirectory(folder);
        File.WriteAllText(Path.Combine(folder, "eval-report.json"), JsonSerializer.Serialize(report, EvalJson.Default.EvalReport));
        Junit(report).Save(Path.Combine(folder, "eval-report.junit.xml"));
        File.WriteAllText(Path.Combine(folder, "eval-report.md"), Markdown(report));
    }

    public static XDocument Junit(EvalReport report) => new(new XElement("testsuites",
        new XAttribute("tests", report.Runs), new XAttribute("failures", report.Results.Count(r => !r.Passed)),
        report.Results.GroupBy(r => r.Suite).Select(g => new XElement("testsuite",
            new XAttribute("name", g.Key), new XAttribute("tests", g.Count()), new XAttribute("failures", g.Count(r => !r.Passed)),
            g.Select(r => new XElement("testcase",
                new XAttribute("classname", g.Key), new XAttribute("name", r.Id),
                new XAttribute("time", (r.LatencyMs / 1000).ToString("0.###", CultureInfo.InvariantCulture)),
                r.Passed ? null : new XElement("failure", new XAttribute("message", r.Failures[0]), string.Join("\n", r.Failures))))))));

    public static string Markdown(EvalReport r)
    {
        var s = new StringBuilder();
        s.AppendLine("# VGAC Copilot eval report").AppendLine();
        s.AppendLine(I($"Planner **{r.Planner}**{(r.Model is null ? "" : $" ({r.Model})")}, {r.Cases} cases x {r.Repeat} = {r.Runs} runs, generated {r.GeneratedAt:u}.")).AppendLine();
        s.AppendLine("| metric | value |").AppendLine("| --- | --- |");
        s.AppendLine(I($"| pass rate | {r.PassRate:P1} |"));
        s.AppendLine(I($"| grounding rate | {r.GroundingRate:P1} |"));
        s.AppendLine(I($"| guard compliance | {r.GuardCompliance:P1} |"));
        s.AppendLine(I($"| tool precision / recall | {(r.ToolPrecision is { } p ? p.ToString("P1", CultureInfo.InvariantCulture) : "-")} / {(r.ToolRecall is { } rc ? rc.ToString("P1", CultureInfo.InvariantCulture) : "-")} |"));
        s.AppendLine(I($"| latency p50 / p95 | {r.LatencyP50Ms:0.0} ms / {r.LatencyP95Ms:0.0} ms |"));
        s.AppendLine(I($"| tokens in / out | {r.InputTokens} / {r.OutputTokens} |"));
        s.AppendLine(I($"| cost | {(r.CostUsd is { } cost ? $"${cost:0.0000}" : "not priced")} |"));
        s.AppendLine(I($"| cases whose outcome varied across repeats | {r.FlakyCaseRate:P1} |")).AppendLine();
        s.AppendLine("| suite | passed | pass rate |").AppendLine("| --- | --- | --- |");
        foreach (var g in r.Suites)
        {
            s.AppendLine(I($"| {g.Name} | {g.Passed}/{g.Total} | {g.PassRate:P1} |"));
        }

        s.AppendLine().AppendLine("| tag | passed | pass rate |").AppendLine("| --- | --- | --- |");
        foreach (var g in r.Tags)
        {
            s.AppendLine(I($"| {g.Name} | {g.Passed}/{g.Total} | {g.PassRate:P1} |"));
        }

        if (r.Phrasings is { } ph)
        {
            s.AppendLine().AppendLine("## Held-out phrasings (offline understanding)").AppendLine();
            s.AppendLine(I($"{ph.Correct}/{ph.Total} routed right: **{ph.Accuracy:P1}** (required {ph.Floor:P0}), from `{ph.Source}`, never trained on.")).AppendLine();
            s.AppendLine("| intent | phrasings | right | accuracy |").AppendLine("| --- | --- | --- | --- |");
            foreach (var i in ph.ByIntent)
            {
                s.AppendLine(I($"| {i.Intent} | {i.Total} | {i.Correct} | {i.Accuracy:P0} |"));
            }

            s.AppendLine().AppendLine("Confusion (expected -> routed, wrong routes only):").AppendLine();
            foreach (var c in ph.Confusion.Where(c => c.Expected != c.Routed))
            {
                s.AppendLine(I($"- {c.Expected} -> {c.Routed}: {c.Count}"));
            }

            foreach (var m in ph.Misses)
            {
                s.AppendLine($"- missed: \"{m.Question}\" ({m.Expected} -> {m.Routed})");
            }
        }

        var failed = r.Results.Where(x => !x.Passed).ToList();
        if (failed.Count > 0)
        {
            s.AppendLine().AppendLine("## Failures").AppendLine();
            foreach (var f in failed)
            {
                s.AppendLine($"- **{f.Suite}/{f.Id}**: {string.Join("; ", f.Failures)}");
            }
        }

        return s.ToString();
    }

    /// <summary>Problems against a committed baseline: any guard violation, or a suite below its recorded pass rate.</summary>
    public static IReadOnlyList<string> CompareWithBaseline(EvalReport report, string baselineFile)
    {
        var problems = new List<string>();
        if (report.GuardCompliance < 1)
        {
            problems.Add(I($"guard compliance is {report.GuardCompliance:P1}; it must be 100 %"));
        }

        if (!File.Exists(baselineFile))
        {
            problems.Add($"baseline {baselineFile} not found");
            return problems;
        }

        if (report.Phrasings is { MeetsFloor: false } phrasings)
        {
            problems.Add(I($"held-out phrasing accuracy {phrasings.Accuracy:P1} is below the required {phrasings.Floor:P0}"));
        }

        var baseline = JsonSerializer.Deserialize(File.ReadAllText(baselineFile), EvalJson.Default.EvalReport)!;
        foreach (var suite in baseline.Suites)
        {
            var now = report.Suites.FirstOrDefault(s => s.Name == suite.Name);
            if (now is not null && now.PassRate + 1e-9 < suite.PassRate)
            {
                problems.Add(I($"suite {suite.Name}: pass rate {now.PassRate:P1} is below the baseline's {suite.PassRate:P1}"));
            }
        }

        return problems;
    }

    private static string I(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
