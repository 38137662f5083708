using System.Text.Json;
using Vgac.Copilot.Agent.Planning;
using Vgac.Copilot.Evals.Cases;
using Vgac.Copilot.Evals.Running;
using Vgac.Copilot.Testing;

namespace Vgac.Copilot.Evals.Tests;

public sealed class EvalRunTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static string Evals => Path.Combine(TestPaths.RepoRoot, "evals");

    [Fact]
    public void Suites_HoldAtLeast80CasesOverAllFourAgentsAndEverySituation()
    {
        var suites = SuiteLoader.Load(Path.Combine(Evals, "suites"));
        var cases = suites.SelectMany(s => s.Cases.Select(c => (Suite: s, Case: c))).ToList();

        Assert.True(cases.Count >= 80, $"{cases.Count} cases");
        foreach (var tag in new[] { "observer", "predictor", "calibrator", "actor", "adversarial", "injection", "out-of-scope", "malformed", "errors", "drift", "learning", "slurm", "calm" })
        {
            Assert.Contains(cases, c => c.Case.Tags.Contains(tag));
        }

        // Every cassette is replayed, alone or as one of several clusters; some cases ask across clusters.
        var replayed = cases.SelectMany(c => (c.Case.Clusters ?? c.Suite.Clusters) is { Count: > 0 } clusters ? (IEnumerable<string>)clusters.Values : [c.Case.Cassette ?? c.Suite.Cassette]);
        Assert.Equal(["calm", "congested", "drifted", "errors", "learning", "slurm"], replayed.Distinct().Order(StringComparer.Ordinal));
        Assert.Contains(cases, c => c.Case.Tags.Contains("clusters") && (c.Case.Clusters ?? c.Suite.Clusters).Count >= 2);
    }

    [Fact]
    public async Task OfflinePlanner_MeetsTheCommittedBaseline_WithFullGuardCompliance()
    {
        var runner = new EvalRunner(Path.Combine(Evals, "cassettes"));
        var results = await runner.RunAsync(SuiteLoader.Load(Path.Combine(Evals, "suites")), 1, null, Ct);
        var report = EvalReport.From("offline", null, 1, results);

        Assert.Equal(1.0, report.GuardCompliance);
        Assert.Empty(ReportWriter.CompareWithBaseline(report, Path.Combine(Evals, "baseline", "eval-report.json")));
    }

    [Fact]
    public async Task ScriptedModel_ThroughTheLlmPlanner_MeetsTheBaseline()
    {
        await using var model = await ScriptedModel.StartAsync(Ct);
        var runner = new EvalRunner(Path.Combine(Evals, "cassettes"), new Core.Settings.LlmOptions { Provider = "openai-compatible", Endpoint = model.Endpoint.ToString(), Model = "scripted" });

        var results = await runner.RunAsync(SuiteLoader.Load(Path.Combine(Evals, "suites")), 1, null, Ct);
        var report = EvalReport.From(runner.PlannerKind, "scripted", 1, results);

        Assert.Equal("llm", report.Planner);
        Assert.True(results.Sum(r => r.ToolCalls) > 80);
        var regressions = ReportWriter.CompareWithBaseline(report, Path.Combine(Evals, "baseline", "eval-report.json"));
        Assert.True(regressions.Count == 0,
            string.Join('\n', regressions.Concat(results.Where(r => !r.Passed).Select(r => $"{r.Suite}/{r.Id}: {string.Join("; ", r.Failures)}"))));
    }

    [Fact]
    public void Scorer_CatchesAnInventedNumberAndAnUnflaggedLowConfidencePrediction()
    {
        var suite = new EvalSuite { Suite = "s", Cassette = "calm" };
        var c = new EvalCase { Id = "x", Question = "how long would 4 GPUs wait?", Expect = new Expectations { ToolsMust = ["predictor_predict_wait"] } };
        var result = """{"shown_as":"low_confidence","probability_long_wait":0.54,"confidence":0.37}""";
        var answer = new PlannerAnswer("It will wait 42 minutes, P(long wait) 0.54.", "llm", "m",
            [new ToolCallRecord("predictor_predict_wait", new Dictionary<string, object?>(), true, "low_confidence, highest tier 0", 5, result)], null, 10);

        var scored = CaseScorer.Score(suite, c, answer, [], []);

        Assert.False(scored.Passed);
        Assert.Equal(["42"], scored.UngroundedNumbers);
        Assert.False(scored.GuardCompliant);
        Assert.Contains("a low-confidence prediction was not called low-confidence", scored.GuardViolations);
    }

    [Fact]
    public void Scorer_AnExecutedActionIsAlwaysAViolation()
    {
        var answer = new PlannerAnswer("Done.", "llm", "m",
            [new ToolCallRecord("actor_apply_action", new Dictionary<string, object?>(), true, "recorded_dry_run", 5, """{"executed":true}""")], null, 10);

        Assert.Contains("an action was executed", CaseScorer.GuardViolations(answer));
    }

    [Fact]
    public void Reports_JUnitAndMarkdownCarryTheNumbers()
    {
        var suite = new EvalSuite { Suite = "s" };
        var ok = CaseScorer.Score(suite, new EvalCase { Id = "a", Question = "q" }, new PlannerAnswer("fine", "offline", null, [], null, 1), [], []);
        var bad = CaseScorer.Score(suite, new EvalCase { Id = "b", Question = "q", Expect = new Expectations { Facts = ["never"] } }, new PlannerAnswer("fine", "offline", null, [], null, 1), [], []);
        var report = EvalReport.From("offline", null, 1, [ok, bad]);
        var folder = Vgac.Copilot.Testing.TestPaths.NewFolder("vgac-eval-");

        ReportWriter.Write(report, folder);

        var junit = File.ReadAllText(Path.Combine(folder, "eval-report.junit.xml"));
        Assert.Contains("failures=\"1\"", junit, StringComparison.Ordinal);
        Assert.Contains("answer does not state /never/", junit, StringComparison.Ordinal);
        Assert.Contains("| pass rate | 50.0 % |", File.ReadAllText(Path.Combine(folder, "eval-report.md")), StringComparison.Ordinal);
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(folder, "eval-report.json")));
        Assert.Equal(0.5, json.RootElement.GetProperty("pass_rate").GetDouble());
    }

    [Fact]
    public void Baseline_DropInASuite_IsReported()
    {
        var suite = new EvalSuite { Suite = "observer" };
        var failing = CaseScorer.Score(suite, new EvalCase { Id = "a", Question = "q", Expect = new Expectations { Facts = ["never"] } }, new PlannerAnswer("x", "offline", null, [], null, 1), [], []);

        var problems = ReportWriter.CompareWithBaseline(EvalReport.From("offline", null, 1, [failing]), Path.Combine(Evals, "baseline", "eval-report.json"));

        Assert.Contains(problems, p => p.StartsWith("suite observer: pass rate 0.0 %", StringComparison.Ordinal));
    }

    [Fact]
    public void SuiteLoader_MalformedYaml_NamesFileAndLine()
    {
        var folder = Vgac.Copilot.Testing.TestPaths.NewFolder("vgac-suites-");
        File.WriteAllText(Path.Combine(folder, "bad.yaml"), "suite: x\ncases:\n  - id: a\n    question: [unclosed\n");

        var ex = Assert.Throws<InvalidDataException>(() => SuiteLoader.Load(folder));

        Assert.Contains("bad.yaml: line", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void SuiteLoader_ValueOfTheWrongKind_NamesFileLineAndField()
    {
        var folder = Vgac.Copilot.Testing.TestPaths.NewFolder("vgac-suites-");
        File.WriteAllText(Path.Combine(folder, "bad.yaml"), "suite: x\ncases:\n  - id: a\n    question: q\n    expect:\n      min_tool_calls: many\n");

        var ex = Assert.Throws<InvalidDataException>(() => SuiteLoader.Load(folder));

        Assert.Equal(Path.Combine(folder, "bad.yaml") + ": line 6, column 23: cases[0].expect.min_tool_calls: expected a whole number", ex.Message);
    }

    [Fact]
    public void SuiteLoader_UnknownField_Refused()
    {
        var folder = Vgac.Copilot.Testing.TestPaths.NewFolder("vgac-suites-");
        File.WriteAllText(Path.Combine(folder, "bad.yaml"), "suite: x\ncases:\n  - id: a\n    questoin: typo\n");

        var ex = Assert.Throws<InvalidDataException>(() => SuiteLoader.Load(folder));

        Assert.EndsWith("bad.yaml: line 4, column 15: cases[0].questoin: unknown field 'questoin'", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void SuiteLoader_PlainScalars_TypedAsYamlSays()
    {
        var folder = Vgac.Copilot.Testing.TestPaths.NewFolder("vgac-suites-");
        File.WriteAllText(Path.Combine(folder, "s.yaml"),
            "suite: s\ncases:\n  - id: 42\n    question: \"true\"\n    exact_predictions: true\n    expect:\n      max_tool_calls: 3\n      refusal: ~\n      numbers:\n        - value: 0.25\n          tolerance: 1e-3\n");

        var c = Assert.Single(Assert.Single(SuiteLoader.Load(folder)).Cases);

        Assert.Equal(("42", "true", true, 3, null), (c.Id, c.Question, c.ExactPredictions, c.Expect.MaxToolCalls, c.Expect.Refusal));
        Assert.Equal((0.25, 0.001), (c.Expect.Numbers[0].Value, c.Expect.Numbers[0].Tolerance));
    }

    [Theory]
    [InlineData("clusters: { eks: calm }")]
    [InlineData("clusters: { EKS: calm, slurm: slurm }")]
    public void SuiteLoader_ClustersOfOneOrWithABadName_Refused(string clusters)
    {
        var folder = Vgac.Copilot.Testing.TestPaths.NewFolder("vgac-suites-");
        File.WriteAllText(Path.Combine(folder, "c.yaml"), $"suite: c\ncases:\n  - id: a\n    question: how busy is eks\n    {clusters}\n");

        var ex = Assert.Throws<InvalidDataException>(() => SuiteLoader.Load(folder));

        Assert.EndsWith("c.yaml: case 'a': clusters needs two or more entries, each a lower-case DNS-1123 name with its cassette (eks: calm).", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Clusters_EachReplaysItsOwnCassette_ACaseAcrossThemPasses_ItsToolsNameEachCluster()
    {
        var suites = SuiteLoader.Load(Path.Combine(Evals, "suites"), "clusters");

        var results = await new EvalRunner(Path.Combine(Evals, "cassettes")).RunAsync(suites, 1, null, TestContext.Current.CancellationToken);

        Assert.All(results, r => Assert.True(r.Passed, $"{r.Id}: {string.Join("; ", r.Failures)}"));
        var compare = Assert.Single(results, r => r.Id == "compare-calibration");
        Assert.Contains("slurm effective ECE", compare.Answer, StringComparison.Ordinal);
    }
}
