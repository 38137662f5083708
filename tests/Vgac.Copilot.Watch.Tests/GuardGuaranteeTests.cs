using Microsoft.Extensions.DependencyInjection;
using Vgac.Copilot.Core.Calibration;
using Vgac.Copilot.Core.Guards;
using Vgac.Copilot.Tools;
using Vgac.Copilot.Actions;
using Vgac.Copilot.Testing;
using Vgac.Copilot.Audit;

namespace Vgac.Copilot.Watch.Tests;

/// <summary>
/// The guards across processes, races and hostile values: an audit recorded by another process counts, a job and
/// tier run once however many ask at the same moment, out-of-range numbers and hostile names never lead to an action.
/// </summary>
public sealed class GuardGuaranteeTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Approve_AuditRecordedByAnotherProcessSinceTheProposal_RefusedAndNothingRuns()
    {
        await using var vgac = await new ScriptedVgac { Probability = 0.6 }.StartAsync(Ct);
        await using var receiver = await LoopbackServer.StartAsync(_ => new ScriptedResponse(200, "ok"), Ct);
        using var watch = Build(vgac, receiver, out var audit);
        var proposal = Assert.Single((await watch.GetRequiredService<WatchCycle>().RunOnceAsync(Ct)).Proposals);
        Assert.True(proposal.Allowed);

        // Another process (a second watch, or 'calibration audit --live') audits the model and finds it broken.
        using (var other = WatchHarness.Build(vgac.BaseAddress, out _, new() { ["Watch:AuditPath"] = audit.Path }))
        {
            await other.GetRequiredService<CalibrationProvider>().RecordAuditAsync(0.918, 1000, null, Source(vgac), Ct);
        }

        var run = await watch.GetRequiredService<ActionQueue>().ApproveAsync(new QueuedApproval(proposal.ProposalId, "ana", null), Ct);

        Assert.Equal(ProposalState.Refused, run.State);
        Assert.Contains(GuardRules.DriftRecalibrationRequired, run.Detail, StringComparison.Ordinal);
        Assert.Empty(receiver.Requests);
    }

    [Fact]
    public async Task ActorApply_AuditRecordedByAnotherProcess_BlockedByGuardAndNothingStarts()
    {
        await using var vgac = await new ScriptedVgac { Probability = 0.95, Confidence = 0.95 }.StartAsync(Ct);
        await using var receiver = await LoopbackServer.StartAsync(_ => new ScriptedResponse(200, "ok"), Ct);
        using var mcp = Build(vgac, receiver, out var audit, s => s.AddSingleton<IActionApprover>(new YesApprover()));

        // The MCP server's calibration is cached; the audit arrives from elsewhere while it is.
        _ = await mcp.GetRequiredService<CalibrationProvider>().GetAsync(Ct);
        using (var other = WatchHarness.Build(vgac.BaseAddress, out _, new() { ["Watch:AuditPath"] = audit.Path }))
        {
            await other.GetRequiredService<CalibrationProvider>().RecordAuditAsync(0.06, 1000, null, Source(vgac), Ct); // ratio 3.3: reduce autonomy
        }

        var result = await mcp.GetRequiredService<ActorPlugin>().ApplyActionAsync("job-1", 4, cancellationToken: Ct);

        Assert.Equal((false, "blocked_by_guard"), (result.Executed, result.Outcome));
        Assert.Contains(GuardRules.DriftReduceAutonomy, result.Reason, StringComparison.Ordinal);
        Assert.False(audit.Exists && (await audit.QueryAsync(kind: AuditKind.ExecutionStarted, cancellationToken: Ct)).Count > 0);
    }

    [Fact]
    public async Task AuditCheck_ExecutionStartedUnderStaleCalibration_IsAViolation()
    {
        await using var vgac = await new ScriptedVgac { Probability = 0.6 }.StartAsync(Ct);
        await using var receiver = await LoopbackServer.StartAsync(_ => new ScriptedResponse(200, "ok"), Ct);
        using var watch = Build(vgac, receiver, out var audit);
        var proposal = Assert.Single((await watch.GetRequiredService<WatchCycle>().RunOnceAsync(Ct)).Proposals);
        await watch.GetRequiredService<CalibrationProvider>().RecordAuditAsync(0.918, 1000, null, Source(vgac), Ct);

        // A start written by code that ignored the audit: it records the calibration it believed, ECE 0.02, stable.
        await ExecutedAsync(audit, watch, proposal, new CalibrationInForce(0.02, 900, null, 0, 0.02, DriftLevel.Stable, 1.1, null), "approved by mallory");

        var check = await watch.GetRequiredService<AuditCheck>().RunAsync(cancellationToken: Ct);

        Assert.Contains(check.Violations, v => v.Contains("started under stale calibration: the trail's audit", StringComparison.Ordinal) && v.Contains("ECE 0.918", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(false, true)] // a drifting audit of this VGAC, then a calm one: the worst in force counts, not the latest
    [InlineData(true, false)] // a drifting audit of another VGAC: says nothing about this one
    public async Task AuditCheck_WorstAuditOfThisVgacInForce_JudgesTheStart(bool driftingAuditIsForeign, bool violation)
    {
        await using var vgac = await new ScriptedVgac { Probability = 0.6 }.StartAsync(Ct);
        await using var receiver = await LoopbackServer.StartAsync(_ => new ScriptedResponse(200, "ok"), Ct);
        using var watch = Build(vgac, receiver, out var audit);
        var proposal = Assert.Single((await watch.GetRequiredService<WatchCycle>().RunOnceAsync(Ct)).Proposals);
        var calibration = watch.GetRequiredService<CalibrationProvider>();
        await calibration.RecordAuditAsync(0.918, 1000, null, driftingAuditIsForeign ? new AuditSource("http://other-vgac:8000") : Source(vgac), Ct);
        await calibration.RecordAuditAsync(0.02, 1000, null, Source(vgac), Ct);

        // A start that believed the calm audit.
        await ExecutedAsync(audit, watch, proposal, new CalibrationInForce(0.02, 900, 0.02, 1000, 0.02, DriftLevel.Stable, 1.1, null), "approved by ana");

        var check = await watch.GetRequiredService<AuditCheck>().RunAsync(cancellationToken: Ct);
        var guardsNow = await calibration.GetAsync(Ct, fresh: true);

        Assert.Equal(violation, check.Violations.Any(v => v.Contains("ECE 0.918", StringComparison.Ordinal)));
        Assert.Equal(driftingAuditIsForeign ? 0.02 : 0.918, guardsNow.AuditedEce);
    }

    [Fact]
    public async Task AuditCheck_GateRunAsTierOne_IsAViolation()
    {
        await using var vgac = await new ScriptedVgac { Probability = 0.95, Confidence = 0.95 }.StartAsync(Ct);
        await using var receiver = await LoopbackServer.StartAsync(_ => new ScriptedResponse(200, "ok"), Ct);
        using var watch = Build(vgac, receiver, out var audit);
        var real = Assert.Single((await watch.GetRequiredService<WatchCycle>().RunOnceAsync(Ct)).Proposals);

        // A trail written by code that let configuration rename tier 1's action: a gate, filed as tier 1.
        var forged = real with { ProposalId = "forged-1", Tier = 1, Action = "gate", Allowed = true };
        var clock = watch.GetRequiredService<WatchClock>();
        await audit.AppendAsync([new AuditEvent(0, clock.Now, 1, AuditKind.Proposal, forged.JobId, 1, forged.ProposalId, "proposed", WatchJson.Records.Serialize(forged))], Ct);
        await ExecutedAsync(audit, watch, forged, new CalibrationInForce(0.02, 900, null, 0, 0.02, DriftLevel.Stable, 1.1, null), "autonomy notify");

        var check = await watch.GetRequiredService<AuditCheck>().RunAsync(cancellationToken: Ct);

        Assert.Contains(check.Violations, v => v.Contains("ran action 'gate' as tier 1, whose action is annotate", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(true, false)]
    [InlineData(false, true)]
    public async Task AuditCheck_ReleaseThatHoldsTheJob_IsAViolation_ARealReleaseIsNot(bool forged, bool clean)
    {
        await using var vgac = await new ScriptedVgac { Probability = 0.95, Confidence = 0.95, JobId = "4211", Scheduler = "slurm" }.StartAsync(Ct);
        await using var receiver = await LoopbackServer.StartAsync(_ => new ScriptedResponse(200, "ok"), Ct);
        using var watch = Build(vgac, receiver, out var audit);
        var real = Assert.Single((await watch.GetRequiredService<WatchCycle>().RunOnceAsync(Ct)).Proposals);

        // A release is tier 0 and judged on what it does: lifting the hold is fine under any calibration, holding is not.
        var release = ActionPlanner.Release(real with { ProposalId = "gate-1" }, "ana", null);
        if (forged)
        {
            release = release with { Preview = Actions.Executors.SlurmCommandLine.Render(Actions.Executors.SlurmCommandLine.Gate("4211", "vgac: released")) };
        }

        var clock = watch.GetRequiredService<WatchClock>();
        await audit.AppendAsync([new AuditEvent(0, clock.Now, 1, AuditKind.Proposal, release.JobId, 0, release.ProposalId, "proposed", WatchJson.Records.Serialize(release))], Ct);
        await ExecutedAsync(audit, watch, release, new CalibrationInForce(0.9, 900, null, 0, 0.9, DriftLevel.RecalibrationRequired, 9, null), "released by ana");

        var check = await watch.GetRequiredService<AuditCheck>().RunAsync(cancellationToken: Ct);

        Assert.Equal(clean, !check.Violations.Any(v => v.Contains(release.ProposalId, StringComparison.Ordinal)));
        Assert.Equal(forged, check.Violations.Any(v => v.Contains("a release may only lift vgac's gate and say who did", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task AuditCheck_InfeasibleRequestExecuted_IsAViolationNamedAsSuch()
    {
        await using var vgac = await new ScriptedVgac { Probability = 0.95, Confidence = 0.95 }.StartAsync(Ct);
        await using var receiver = await LoopbackServer.StartAsync(_ => new ScriptedResponse(200, "ok"), Ct);
        using var watch = Build(vgac, receiver, out var audit);
        var real = Assert.Single((await watch.GetRequiredService<WatchCycle>().RunOnceAsync(Ct)).Proposals);

        // A trail whose proposal says the request exceeded the cluster, yet marked allowed and run.
        var forged = real with { ProposalId = "forged-infeasible", Allowed = true, Prediction = real.Prediction with { ShownAs = ShownAs.Infeasible } };
        var clock = watch.GetRequiredService<WatchClock>();
        await audit.AppendAsync([new AuditEvent(0, clock.Now, 1, AuditKind.Proposal, forged.JobId, forged.Tier, forged.ProposalId, "proposed", WatchJson.Records.Serialize(forged))], Ct);
        await ExecutedAsync(audit, watch, forged, new CalibrationInForce(0.02, 900, null, 0, 0.02, DriftLevel.Stable, 1.1, null), "approved by ana");

        var check = await watch.GetRequiredService<AuditCheck>().RunAsync(cancellationToken: Ct);

        Assert.Contains(check.Violations, v => v.StartsWith("forged-infeasible", StringComparison.Ordinal) && v.Contains("(infeasible): nothing may act on it", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ActorApply_TwentyAtOnceWithASlowReceiver_OneExecutionOneDeliveryOneKey()
    {
        await using var vgac = await new ScriptedVgac { Probability = 0.6 }.StartAsync(Ct);
        await using var receiver = await LoopbackServer.StartAsync(_ => new ScriptedResponse(200, "ok", Delay: TimeSpan.FromMilliseconds(500)), Ct);
        using var mcp = Build(vgac, receiver, out var audit, s => s.AddSingleton<IActionApprover>(new YesApprover()));
        var actor = mcp.GetRequiredService<ActorPlugin>();

        var results = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => Task.Run(() => actor.ApplyActionAsync("job-1", 2, cancellationToken: Ct), Ct)));

        var executed = Assert.Single(results, r => r.Executed);
        Assert.All(results.Where(r => !r.Executed), r => Assert.Matches("already (running|done)", r.Reason));
        var delivery = Assert.Single(receiver.Requests);
        Assert.Equal(executed.ProposalId, delivery.Headers["Idempotency-Key"]);
        Assert.Single(await audit.QueryAsync(kind: AuditKind.ExecutionStarted, cancellationToken: Ct));
        var check = await mcp.GetRequiredService<AuditCheck>().RunAsync(cancellationToken: Ct);
        Assert.True(check.Clean, string.Join("; ", check.Violations));
    }

    [Fact]
    public async Task ActorApply_TheLoopRanTheSameJobAndTierWhileThePersonDecided_RefusedAsAlreadyDone()
    {
        await using var vgac = await new ScriptedVgac { Probability = 0.6 }.StartAsync(Ct);
        await using var receiver = await LoopbackServer.StartAsync(_ => new ScriptedResponse(200, "ok"), Ct);
        using var loop = Build(vgac, receiver, out var audit, autonomy: "notify");
        CycleReport? report = null;
        using var person = WatchHarness.Build(vgac.BaseAddress, out _, new()
        {
            ["Watch:AuditPath"] = audit.Path,
            ["Watch:Webhook:Url"] = new Uri(receiver.BaseAddress, "/hook").ToString(),
        }, s => s.AddSingleton<IActionApprover>(new YesApprover(async () => report = await loop.GetRequiredService<WatchCycle>().RunOnceAsync(Ct))));

        var applied = await person.GetRequiredService<ActorPlugin>().ApplyActionAsync("job-1", 2, cancellationToken: Ct);

        var ran = Assert.Single(report!.Executions);
        Assert.Equal(ProposalState.Executed, ran.State);
        Assert.False(applied.Executed);
        Assert.Contains($"already done: job-1 tier 2 ran as {ran.ProposalId}", applied.Reason, StringComparison.Ordinal);
        Assert.Single(receiver.Requests);
    }

    [Theory]
    [InlineData(7.5, 0.9, 0.02)]
    [InlineData(0.95, 42, 0.02)]
    [InlineData(-0.3, 0.9, 0.02)]
    [InlineData(0.95, 0.95, -1)]
    [InlineData(0.95, 0.95, 3.5)]
    public async Task Cycle_OutOfRangeValuesWithFullAutonomy_NothingAllowedNothingRuns(double probability, double confidence, double ece)
    {
        await using var vgac = await new ScriptedVgac { Probability = probability, Confidence = confidence, Ece = ece }.StartAsync(Ct);
        await using var receiver = await LoopbackServer.StartAsync(_ => new ScriptedResponse(200, "ok"), Ct);
        using var watch = Build(vgac, receiver, out _, autonomy: "full");

        var reports = new List<CycleReport>();
        for (var i = 0; i < 3; i++)
        {
            reports.Add(await watch.GetRequiredService<WatchCycle>().RunOnceAsync(Ct));
        }

        Assert.All(reports, r => Assert.DoesNotContain(r.Executions, e => e.State == ProposalState.Executed));
        Assert.All(reports.SelectMany(r => r.Proposals), p => Assert.False(p.Allowed));
        Assert.Empty(receiver.Requests);
        if (ece is < 0 or > 1)
        {
            Assert.All(reports, r => Assert.Equal(DriftLevel.Unknown, r.Drift));
            Assert.Contains("contract violation", reports[0].Outage, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Propose_NamespaceCarryingShellCommand_BlockedAndNoCommandBuiltFromIt()
    {
        const string hostile = "ml-prod $(touch $HOME/vgac-pwned) ;";
        await using var vgac = await new ScriptedVgac { Probability = 0.95, Confidence = 0.95, Namespace = hostile }.StartAsync(Ct);
        await using var receiver = await LoopbackServer.StartAsync(_ => new ScriptedResponse(200, "ok"), Ct);
        using var watch = Build(vgac, receiver, out _, autonomy: "full");

        var report = await watch.GetRequiredService<WatchCycle>().RunOnceAsync(Ct);

        var proposal = Assert.Single(report.Proposals);
        Assert.Equal((false, GuardRules.InvalidIdentifier), (proposal.Allowed, proposal.Rule));
        Assert.DoesNotContain("$(", proposal.Preview, StringComparison.Ordinal);
        Assert.Equal("(kubectl patch not built: the namespace VGAC gave is invalid)", proposal.Preview);
        Assert.Contains("namespace 'ml-prod $(touch $HOME/vgac-pwned) ;' is not a DNS-1123 label", proposal.Reason, StringComparison.Ordinal);
        Assert.Empty(report.Executions);
        Assert.Empty(receiver.Requests);
    }

    [Fact]
    public async Task Propose_AQueuedJobLargerThanTheCluster_BlockedAsInfeasible_WithTheLimit()
    {
        // A confident, calibrated, high prediction for a job of 16 GPUs on a cluster of 8: no wait makes it start.
        await using var vgac = await new ScriptedVgac { Probability = 0.95, Confidence = 0.95, JobGpus = 16 }.StartAsync(Ct);
        await using var receiver = await LoopbackServer.StartAsync(_ => new ScriptedResponse(200, "ok"), Ct);
        using var watch = Build(vgac, receiver, out _, autonomy: "full");

        var report = await watch.GetRequiredService<WatchCycle>().RunOnceAsync(Ct);

        Assert.NotEmpty(report.Proposals);
        Assert.All(report.Proposals, p => Assert.Equal((false, GuardRules.Infeasible), (p.Allowed, p.Rule)));
        Assert.Contains("asks 16 GPUs; the cluster has 8", report.Proposals[0].Reason, StringComparison.Ordinal);
        Assert.Empty(report.Executions);
        Assert.Empty(receiver.Requests);
    }

    [Fact]
    public async Task Propose_SlurmJobIdThatIsNotDigits_BlockedWithItsOwnRule()
    {
        await using var vgac = await new ScriptedVgac { Probability = 0.95, Confidence = 0.95, Scheduler = "slurm" }.StartAsync(Ct);
        await using var receiver = await LoopbackServer.StartAsync(_ => new ScriptedResponse(200, "ok"), Ct);
        using var watch = Build(vgac, receiver, out _);

        var proposal = await watch.GetRequiredService<ActionPlanner>().ProposeAsync("job-1", 1, Ct);

        Assert.Equal((false, GuardRules.InvalidIdentifier, "slurm_command"), (proposal.Allowed, proposal.Rule, proposal.PreviewKind));
        Assert.Contains("Slurm job id 'job-1' is not digits", proposal.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Propose_RecommendationWithEscapeSequences_PreviewCarriesNoControlCharacters()
    {
        await using var vgac = await new ScriptedVgac { Probability = 0.8, Confidence = 0.95, Recommendation = "move\u001b]0;owned\u0007 to \u001b[2Jqueue b\u009b" }.StartAsync(Ct);
        await using var receiver = await LoopbackServer.StartAsync(_ => new ScriptedResponse(200, "ok"), Ct);
        using var watch = Build(vgac, receiver, out _);

        var proposal = await watch.GetRequiredService<ActionPlanner>().ProposeAsync("job-1", 3, Ct);

        Assert.Equal("suggest", proposal.Action);
        var text = System.Text.Json.JsonDocument.Parse(proposal.Preview).RootElement.GetProperty("text").GetString()!;
        Assert.Contains("Suggestion: move]0;owned to [2Jqueue b.", text, StringComparison.Ordinal);
        Assert.DoesNotContain(text, char.IsControl);
    }

    private static ServiceProvider Build(LoopbackServer vgac, LoopbackServer receiver, out AuditStore audit, Action<IServiceCollection>? configure = null, string autonomy = "off") =>
        WatchHarness.Build(vgac.BaseAddress, out audit, new()
        {
            ["Watch:Autonomy"] = autonomy,
            ["Watch:CalibrationAuditJobs"] = "0",
            ["Watch:Webhook:Url"] = new Uri(receiver.BaseAddress, "/hook").ToString(),
            ["Watch:Webhook:RetryDelaySeconds"] = "0.01",
        }, configure);

    /// <summary>A person who says yes (after <paramref name="whileDeciding"/> happens, if given).</summary>
    private sealed class YesApprover(Func<Task>? whileDeciding = null) : IActionApprover
    {
        public async Task<ApprovalDecision> ApproveAsync(ActionProposal proposal, IServiceProvider? requestServices, CancellationToken cancellationToken)
        {
            if (whileDeciding is not null)
            {
                await whileDeciding();
            }

            return new ApprovalDecision(true, "confirmed");
        }
    }

    /// <summary>A start and its executed outcome for <paramref name="proposal"/>, written as code that ignored the guards could write them.</summary>
    private static Task ExecutedAsync(AuditStore audit, IServiceProvider watch, ActionProposal proposal, CalibrationInForce believed, string decidedBy)
    {
        var now = watch.GetRequiredService<WatchClock>().Now;
        var p = proposal.Prediction;
        var start = new ExecutionStart(proposal.ProposalId, proposal.JobId, proposal.Tier, proposal.Action, decidedBy, "dry-run", p.ProbabilityLongWait, p.Confidence, believed);
        var done = new ExecutionRecord(proposal.ProposalId, proposal.JobId, proposal.Tier, proposal.Action, ProposalState.Executed, decidedBy, "dry run", null,
            proposal.PreviewKind, proposal.Preview);
        return audit.AppendAsync(
            [
                new AuditEvent(0, now, 1, AuditKind.ExecutionStarted, proposal.JobId, proposal.Tier, proposal.ProposalId, "started", WatchJson.Records.Serialize(start)),
                new AuditEvent(0, now, 1, AuditKind.Execution, proposal.JobId, proposal.Tier, proposal.ProposalId, "done", WatchJson.Records.Serialize(done)),
            ],
            Ct);
    }

    /// <summary>The source of an audit of <paramref name="vgac"/>.</summary>
    private static AuditSource Source(LoopbackServer vgac) => new(AuditSource.Canonical(vgac.BaseAddress.ToString()));
}
