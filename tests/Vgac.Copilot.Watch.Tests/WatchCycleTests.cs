using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Vgac.Copilot.Testing;

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
        Assert.True(proposal.DryRun);
        Assert.Empty(second.Proposals);
        Assert.Equal(1, second.SkippedDuplicates);
        var events = await audit.QueryAsync(cancellationToken: Ct);
        Assert.Equal(["observation", "calibration", "proposal", "observation", "calibration", "skipped_duplicate"], events.Select(e => e.Kind));
        Assert.Equal(proposal.ProposalId, events.Single(e => e.Kind == AuditKinds.Proposal).ProposalId);
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
        Assert.Equal(AuditKinds.Outage, outage.Kind);
    }

    [Fact]
    public async Task AuditTrail_IsAppendOnly()
    {
        await using var vgac = await Vgac(probability: 0.95, confidence: 0.9, ece: 0.02);
        using var services = Build(vgac.BaseAddress, out var audit);
        await services.GetRequiredService<WatchCycle>().RunOnceAsync(Ct);

        await using var connection = await audit.OpenAsync(Ct);
        await using var update = connection.CreateCommand();
        update.CommandText = "UPDATE events SET summary = 'rewritten'";
        var ex = await Assert.ThrowsAsync<SqliteException>(() => update.ExecuteNonQueryAsync(Ct));

        Assert.Contains("append-only", ex.Message, StringComparison.Ordinal);
    }

    private static ServiceProvider Build(Uri vgac, out AuditStore audit) => WatchHarness.Build(vgac, out audit);

    private static Task<LoopbackServer> Vgac(double probability, double confidence, double ece) => LoopbackServer.StartAsync(r => r.Path switch
    {
        "/api/cluster/summary" => ScriptedResponse.Json("""{"cluster_id":"c","scheduler_type":"kubernetes","total_nodes":1,"ready_nodes":1,"total_gpus":8,"available_gpus":0,"gpu_utilization":1,"pending_jobs":1,"running_jobs":2,"queue_depth":1}"""),
        "/api/cluster/nodes" => ScriptedResponse.Json("""{"nodes":[{"name":"n1","status":"ready","gpu_type":"A100","total_gpus":8,"allocated_gpus":8,"available_gpus":0}],"total":1}"""),
        "/api/jobs/queue" => ScriptedResponse.Json("""{"timestamp":"2026-01-12T14:00:00Z","queue_depth":1,"pending_jobs":1,"running_jobs":2,"oldest_pending_seconds":120,"jobs":[{"job_id":"job-1","namespace":"ml","state":"pending","gpus":4,"submit_time":"2026-01-12T13:58:00Z"}]}"""),
        "/api/predict/cluster-state" => ScriptedResponse.Json("""{"total_gpus":8,"available_gpus":0,"pending_jobs":1,"pending_gpu_jobs":1,"running_jobs":2,"gpu_utilization":1,"pending_ratio":0.33,"bifurcation_ratio":0.2,"avg_wait_last_hour":60,"p95_wait_last_hour":300}"""),
        "/api/jobs/history/stats" => ScriptedResponse.Json("""{"window_hours":24,"total_jobs":100,"succeeded":90,"failed":8,"cancelled":2,"avg_wait_seconds":60,"p50_wait_seconds":5,"p90_wait_seconds":200,"p95_wait_seconds":400,"long_wait_threshold_seconds":600,"long_wait_rate":0.05}"""),
        "/api/cluster/bifurcation" => ScriptedResponse.Json("""{"bifurcation_ratio":0.2,"is_bifurcated":false,"fast_start_fraction":0.8,"long_wait_fraction":0.05,"long_wait_threshold_seconds":600,"sample_count":100}"""),
        "/api/jobs/predict/calibration" => ScriptedResponse.Json($$"""{"ece":{{ece}},"brier_score":0.1,"sample_count":900,"recalibration_needed":false}"""),
        "/api/jobs/predict/batch" => ScriptedResponse.Json($$"""{"predictions":[{"job_id":"job-1","predicted_wait_seconds":4000,"predicted_probability_long_wait":{{probability}},"confidence":{{confidence}},"is_calibrated":true,"model_version":"v3","top_factors":[]}],"count":1}"""),
        "/api/jobs/history" => ScriptedResponse.Json("""{"jobs":[],"total":0}"""),
        "/api/jobs/job-1" => ScriptedResponse.Json("""{"job_id":"job-1","namespace":"ml","state":"pending","gpus":4,"cpu":8000,"memory_gb":64,"priority":0,"submit_time":"2026-01-12T13:58:00Z"}"""),
        "/api/jobs/predict" => ScriptedResponse.Json($$"""{"job_id":"job-1","predicted_wait_seconds":4000,"predicted_probability_long_wait":{{probability}},"confidence":{{confidence}},"is_calibrated":true,"model_version":"v3","top_factors":[],"recommendation":"Consider lower priority queue"}"""),
        _ => new ScriptedResponse(404, """{"detail":"Not Found"}"""),
    }, Ct);
}
