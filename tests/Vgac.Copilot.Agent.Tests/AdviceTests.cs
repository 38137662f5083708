using Vgac.Copilot.Tools.Catalog;

namespace Vgac.Copilot.Agent.Tests;

/// <summary>Advice is written only from a comparison the answer ran, and says so when the model does not tell the options apart.</summary>
public sealed class AdviceTests(OfflinePlannerTests.Fixture fixture) : IClassFixture<OfflinePlannerTests.Fixture>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData("my 8 GPU job will wait long, how can it start sooner?", "gpus", "8,4,2")]
    [InlineData("how can my 1 GPU job start sooner?", "priority", "0,10")]
    public async Task StartSooner_RunsTheComparison_AndAdvisesOnlyFromIt(string question, string vary, string values)
    {
        fixture.Planner.Reset();

        var answer = await fixture.Planner.AskAsync(question, Ct);

        var whatIf = Assert.Single(answer.ToolCalls, c => c.Name == ToolNames.PredictorWhatIf);
        Assert.Equal((vary, values), (whatIf.Arguments["vary"] as string, whatIf.Arguments["values"] as string));
        Assert.Matches(@"Compared with what it could ask instead: (Soonest to start: .+|The model does not distinguish .+|Too few confident predictions .+) \[predictor_what_if\]", answer.Answer);
        Assert.DoesNotContain("shortens the wait", answer.Answer, StringComparison.Ordinal);
        Assert.DoesNotContain("unknown", answer.Answer, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Compare_ThreeSizes_EndsWithWhatTheComparisonSupports()
    {
        fixture.Planner.Reset();

        var answer = await fixture.Planner.AskAsync("compare 1, 2 or 4 GPUs", Ct);

        Assert.Matches(@"\n(Soonest to start: \d+ GPUs?, P\(long wait\) [\d.]+ against [\d.]+ for \d+ GPUs?.*|The model does not distinguish .+|Too few confident predictions .+) \[predictor_what_if\]", answer.Answer);
    }
}
