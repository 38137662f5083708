using Vgac.Copilot.Core.Text;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Vgac.Copilot.Testing;
using Vgac.Copilot.Audit;

namespace Vgac.Copilot.Watch.Tests;

public sealed class WatchCycleTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Cycle_AllowedTier_ProposesOnceAndAuditsEverything()
    {
        await using var vgac = await Vgac(probability: 0.95, confidence: 0.9, ece: 0.02);
        using var services = Build(vgac.BaseAddress, out var audit);
        var cycle = services.GetRequiredService<WatchCycle>();

        var first = await cycle.RunOnceAsync(Ct);
        var second = await cycle.RunOnceAsync(Ct);

        var proposal = Assert.Single(first.Proposals);
        Assert.Equal((1L, "job-1", 4, "gate", true), (first.Cycle, proposal.JobId, proposal.Tier, proposal.Action, proposal.Allowed));
        Assert.Empty(second.Proposals);
        Assert.Equal(1, second.SkippedDuplicates);
        var events = await audit.QueryAsync(cancellationToken: Ct);
        Assert.Equal(["observation", "calibration", "proposal", "observation", "calibration", "skipped_duplicate"], events.Select(e => e.Kind.Wire()));
        Assert.Equal(proposal.ProposalId, events.Single(e => e.Kind == AuditKind.Proposal).ProposalId);
    }

    [Fact]
    public async Task Cycle_Proposing_ReadsTheClusterSummaryNoMoreThanAQuietCycle()
    {
        var script = new ScriptedVgac { Probability = 0.95, Confidence = 0.4 };
        await using var vgac = await script.StartAsync(Ct);
        using var services = Build(vgac.BaseAddress, out _);
        var cycle = services.GetRequiredService<WatchCycle>();
        int Summaries() => vgac.Requests.Count(r => r.Path == "/api/cluster/summary");

        Assert.Empty((await cycle.RunOnceAsync(Ct)).Proposals);
        var quiet = Summaries();
        script.Confidence = 0.9;
        Assert.Single((await cycle.RunOnceAsync(Ct)).Proposals);

        Assert.Equal(quiet, Summaries() - quiet); // the proposal reused the cycle's read of the scheduler
    }

    [Fact]
    public async Task Cycle_Proposing_PredictsEachJobOnce()
    {
        await using var vgac = await new ScriptedVgac { Probability = 0.95, Confidence = 0.9 }.StartAsync(Ct);
        using var services = Build(vgac.BaseAddress, out _);

        var report = await services.GetRequiredService<WatchCycle>().RunOnceAsync(Ct);

        // Scored in the pending batch, then proposed on that same prediction: no second prediction of the job.
        var proposal = Assert.Single(report.Proposals);
        Assert.Single(vgac.Requests, r => r.Path == "/api/jobs/predict/batch");
        Assert.DoesNotContain(vgac.Requests, r => r.Path == "/api/jobs/predict");
        Assert.Equal(0.95, proposal.Prediction.ProbabilityLongWait);
    }

    [Fact]
    public async Task Cycle_LowConfidence_ProposesNothing()
    {
        await using var vgac = await Vgac(probability: 0.95, confidence: 0.4, ece: 0.02);
        using var services = Build(vgac.BaseAddress, out _);

        var report = await services.GetRequiredService<WatchCycle>().RunOnceAsync(Ct);

        Assert.Empty(report.Proposals);
        Assert.Equal(1, report.Predicted);
    }

    [Fact]
    public async Task Cycle_VgacDown_RecordsAnOutageAndProposesNothing()
    {
        using var services = Build(new Uri("http://127.0.0.1:1"), out var audit);

        var report = await services.GetRequiredService<WatchCycle>().RunOnceAsync(Ct);

        Assert.NotNull(report.Outage);
        Assert.Empty(report.Proposals);
        var outage = Assert.Single(await audit.QueryAsync(cancellationToken: Ct));
        Assert.Equal(AuditKind.Outage, outage.Kind);
    }

    [Fact]
    public async Task AuditTrail_IsAppendOnly()
    {
        await using var vgac = await Vgac(probability: 0.95, confidence: 0.9, ece: 0.02);
        using var services = Build(vgac.BaseAddress, out var audit);
        await services.GetRequiredService<WatchCycle>().RunOnceAsync(Ct);

        await using var connection = await ((Vgac.Copilot.Storage.Sqlite.SqliteAuditBackend)audit.Backend).OpenAsync(Ct);
        await using var update = connection.CreateCommand();
        update.CommandText = "UPDATE events SET summary = 'rewritten'";
        var ex = await Assert.ThrowsAsync<SqliteException>(() => update.ExecuteNonQueryAsync(Ct));

        Assert.Contains("append-only", ex.Message, StringComparison.Ordinal);
    }

    private static ServiceProvider Build(Uri vgac, out AuditStore audit) => WatchHarness.Build(vgac, out audit);

    private static Task<LoopbackServer> Vgac(double probability, double confidence, double ece) =>
        new ScriptedVgac { Probability = probability, Confidence = confidence, Ece = ece }.StartAsync(Ct);
}
