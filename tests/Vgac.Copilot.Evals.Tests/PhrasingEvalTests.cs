using Vgac.Copilot.Agent.Offline;
using Vgac.Copilot.Evals.Running;
using Vgac.Copilot.Testing;

namespace Vgac.Copilot.Evals.Tests;

/// <summary>The offline planner's understanding on the held-out phrasings, and the corpus rules that keep it honest.</summary>
public sealed class PhrasingEvalTests(ITestOutputHelper output)
{
    private static string HeldOut => Path.Combine(TestPaths.RepoRoot, "evals", "phrasings", "heldout.tsv");

    private static string Training => Path.Combine(TestPaths.RepoRoot, "prompts", "offline", "phrasings", "train.tsv");

    [Fact]
    public void HeldOut_AtLeast95PercentRoutedRight_WithAConfusionCellForEveryPhrasing()
    {
        var report = PhrasingEval.Run(OfflineUnderstanding.Default, HeldOut);

        output.WriteLine($"{report.Correct}/{report.Total} = {report.Accuracy:P1}");
        foreach (var miss in report.Misses)
        {
            output.WriteLine($"  {miss.Expected} -> {miss.Routed}: {miss.Question}");
        }

        Assert.True(report.MeetsFloor, $"held-out accuracy {report.Accuracy:P1} is below {report.Floor:P0}");
        Assert.Equal(report.Total, report.Confusion.Sum(c => c.Count));
        Assert.Equal(report.Total - report.Correct, report.Misses.Count);
    }

    [Fact]
    public void Corpus_400PhrasingsOverEveryIntent_HeldOutAtLeast150_NoneOfItInTraining()
    {
        var intents = OfflineUnderstanding.Default.Intents.Select(i => i.Name).ToList();
        var train = PhrasingCorpus.Read(Training, intents);
        var heldOut = PhrasingCorpus.Read(HeldOut, intents);

        Assert.True(train.Count + heldOut.Count >= 400, $"{train.Count + heldOut.Count} phrasings");
        Assert.True(heldOut.Count >= 150, $"{heldOut.Count} held out");
        Assert.All(intents.Append(PhrasingCorpus.OutOfScope), i => Assert.Contains(heldOut, p => p.Intents.Contains(i)));
        Assert.Contains(heldOut, p => p.Intents.Count > 1);
        static string Key(string q) => new string([.. q.ToLowerInvariant().Where(char.IsLetterOrDigit)]);
        var seen = train.Select(p => Key(p.Question)).ToHashSet(StringComparer.Ordinal);
        Assert.DoesNotContain(heldOut, p => seen.Contains(Key(p.Question)));
    }

    [Fact]
    public void Baseline_AccuracyBelowTheFloor_IsAProblem()
    {
        var report = EvalReport.From("offline", null, 1, []).WithPhrasings(new PhrasingReport("heldout.tsv", 100, 90, 0.9, PhrasingReport.RequiredAccuracy, [], [], []));
        var baseline = Path.Combine(TestPaths.RepoRoot, "evals", "baseline", "eval-report.json");

        var problems = ReportWriter.CompareWithBaseline(report, baseline);

        Assert.Contains("held-out phrasing accuracy 90.0 % is below the required 95 %", problems);
        Assert.Contains(problems, p => p.StartsWith("suite phrasings: pass rate 90.0 % is below the baseline's", StringComparison.Ordinal));
    }

    [Fact]
    public void Corpus_UnknownIntent_IsAnErrorNamingTheLine()
    {
        var file = Path.Combine(Vgac.Copilot.Testing.TestPaths.NewFolder("vgac-phrasings-"), "bad.tsv");
        File.WriteAllText(file, "# comment\ncluster_status\thow busy\nweather\twhat's the weather\n");

        var ex = Assert.Throws<InvalidDataException>(() => PhrasingCorpus.Read(file, ["cluster_status"]));

        Assert.Equal($"{file}: line 3: unknown intent 'weather'.", ex.Message);
    }
}
