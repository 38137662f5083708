using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Vgac.Copilot.Tools;
using Vgac.Copilot.Actions;
using Vgac.Copilot.Testing;
using Vgac.Copilot.Actions.Executors;
using Vgac.Copilot.Actions.Kubernetes;
using Vgac.Copilot.Audit;

namespace Vgac.Copilot.Watch.Tests;

/// <summary>What runs, what is sent, and what is recorded once a proposal may run.</summary>
public sealed class ExecutionTests
{
    private const string Secret = "T0K3N-do-not-leak";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Webhook_ReceiverFailsTwiceWith503_DeliversThePreviewOnceRetriedAndVerifiesNextCycle()
    {
        var vgac = new ScriptedVgac { Probability = 0.6 };
        await using var server = await vgac.StartAsync(Ct);
        var calls = 0;
        await using var receiver = await LoopbackServer.StartAsync(_ => Interlocked.Increment(ref calls) <= 2 ? new ScriptedResponse(503, "busy") : new ScriptedResponse(200, "ok", ContentType: "text/plain"), Ct);
        using var services = Build(server, receiver, "notify");
        var cycle = services.GetRequiredService<WatchCycle>();

        var first = await cycle.RunOnceAsync(Ct);
        var second = await cycle.RunOnceAsync(Ct);

        var proposal = Assert.Single(first.Proposals);
        Assert.Equal(("warn", "notification"), (proposal.Action, proposal.PreviewKind));
        var run = Assert.Single(first.Executions);
        Assert.Equal((ProposalState.Executed, "webhook", 3, 200), (run.State, run.Outcome!.Executor, run.Outcome.Attempts, run.Outcome.StatusCode));
        Assert.Equal(3, receiver.Requests.Count);
        Assert.All(receiver.Requests, r =>
        {
            Assert.Equal(proposal.Preview, r.Body);
            Assert.Equal(proposal.ProposalId, r.Headers["Idempotency-Key"]);
        });

        // Next cycle: same job and tier within the window - nothing new is sent; the delivery is verified.
        Assert.Empty(second.Proposals);
        Assert.Empty(second.Executions);
        Assert.Equal(1, second.Verified);
        Assert.Equal(3, receiver.Requests.Count);
        var events = await services.GetRequiredService<AuditStore>().QueryAsync(cancellationToken: Ct);
        Assert.Contains(events, e => e.Kind == AuditKind.Verification && e.Summary.Contains("HTTP 200", StringComparison.Ordinal));
        Assert.DoesNotContain(events, e => (e.Summary + e.Payload).Contains(Secret, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Webhook_ConfidentPredictionWithHistory_NotificationSaysWhenTheJobShouldStart()
    {
        // A history whose outcomes bear its predictions out: the cycle's own audit finds no drift to hold the tier back.
        await using var server = await new ScriptedVgac { Probability = 0.6, FinishedJobs = 200, CalibratedHistory = true }.StartAsync(Ct);
        await using var receiver = await LoopbackServer.StartAsync(_ => new ScriptedResponse(200, "ok", ContentType: "text/plain"), Ct);
        using var services = Build(server, receiver, "notify");

        var report = await services.GetRequiredService<WatchCycle>().RunOnceAsync(Ct);

        var proposal = Assert.Single(report.Proposals);
        Assert.True(proposal.Allowed, $"{proposal.Reason} / {WatchJson.Records.Serialize(report.Calibration!)}");
        var interval = proposal.Prediction.WaitInterval;
        Assert.NotNull(interval);
        var text = System.Text.Json.JsonDocument.Parse(Assert.Single(receiver.Requests).Body).RootElement.GetProperty("text").GetString();
        Assert.Contains($"Starts {interval.When()} (90% of jobs like it).", text, StringComparison.Ordinal);
        Assert.Matches(@"Starts in \d+(\.\d)?-\d+(\.\d)? min", text);
    }

    [Fact]
    public async Task Cycle_ItsOwnAuditFindsDrift_NothingItProposesRunsAndItsTrailChecksClean()
    {
        // VGAC reports ECE 0.02, but every job in its history waited long where it said 0.6: the cycle's own audit, not
        // yet in the trail while the cycle proposes and checks, must hold everything back all the same.
        await using var server = await new ScriptedVgac { Probability = 0.6, FinishedJobs = 200 }.StartAsync(Ct);
        await using var receiver = await LoopbackServer.StartAsync(_ => new ScriptedResponse(200, "ok", ContentType: "text/plain"), Ct);
        using var services = Build(server, receiver, "full");

        var report = await services.GetRequiredService<WatchCycle>().RunOnceAsync(Ct);
        var check = await services.GetRequiredService<AuditCheck>().RunAsync(cancellationToken: Ct);

        Assert.Equal(Core.Guards.DriftLevel.RecalibrationRequired, report.Calibration!.Drift);
        Assert.All(report.Proposals, p => Assert.False(p.Allowed, p.Reason));
        Assert.Empty(report.Executions);
        Assert.Empty(receiver.Requests);
        Assert.True(check.Clean, string.Join("; ", check.Violations));
    }

    [Fact]
    public async Task Cycle_RecordsItsAudit_OtherRunsNoLongerJudgeOnTheStatusReadBeforeIt()
    {
        await using var server = await new ScriptedVgac { Probability = 0.2, FinishedJobs = 200 }.StartAsync(Ct);
        var shared = new MemorySharedCache();
        using var services = WatchHarness.Build(server.BaseAddress, out _, configure: s => s.Replace(ServiceDescriptor.Singleton<Core.Caching.ISharedCache>(shared)));

        var report = await services.GetRequiredService<WatchCycle>().RunOnceAsync(Ct);

        Assert.Equal(200, report.Calibration!.AuditedSamples);
        // The cycle read the calibration fresh (and shared it) before its audit was in the trail; once recorded, that
        // status is forgotten for every run, so the next one reads the trail and sees this audit.
        var writes = shared.Writes.Where(w => w.Key == Core.Calibration.CalibrationProvider.SharedKey).ToList();
        Assert.True(writes.Count >= 2 && writes[0].Bytes > 0, string.Join(", ", writes));
        Assert.Equal(0, writes[^1].Bytes);
        Assert.Empty(shared.Read(Core.Calibration.CalibrationProvider.SharedKey)!);
    }

    [Fact]
    public async Task Webhook_Receiver400_NotRetriedAndRecordedAsFailed()
    {
        await using var server = await new ScriptedVgac { Probability = 0.6 }.StartAsync(Ct);
        await using var receiver = await LoopbackServer.StartAsync(_ => new ScriptedResponse(400, "no such channel", ContentType: "text/plain"), Ct);
        using var services = Build(server, receiver, "notify");

        var report = await services.GetRequiredService<WatchCycle>().RunOnceAsync(Ct);

        var run = Assert.Single(report.Executions);
        Assert.Equal((ProposalState.Failed, 1), (run.State, run.Outcome!.Attempts));
        Assert.Single(receiver.Requests);
        Assert.DoesNotContain(Secret, run.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Webhook_Receiver307ToAnotherPath_NotFollowedAndRecordedAsNotDelivered()
    {
        await using var server = await new ScriptedVgac { Probability = 0.6 }.StartAsync(Ct);
        await using var receiver = await LoopbackServer.StartAsync(r => r.Path == "/elsewhere" ? new ScriptedResponse(200, "ok") : ScriptedResponse.Redirect("/elsewhere"), Ct);
        using var services = Build(server, receiver, "notify");

        var report = await services.GetRequiredService<WatchCycle>().RunOnceAsync(Ct);

        var run = Assert.Single(report.Executions);
        Assert.Equal(ProposalState.Failed, run.State);
        Assert.Contains($"a redirect to http://127.0.0.1:{receiver.BaseAddress.Port}, which is not followed", run.Detail, StringComparison.Ordinal);
        Assert.DoesNotContain(receiver.Requests, r => r.Path == "/elsewhere");
        Assert.DoesNotContain(Secret, run.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Cycle_RunsAnActionUnattended_PredictsTheJobOnceInTheBatchNeverAgain()
    {
        await using var server = await new ScriptedVgac { Probability = 0.6 }.StartAsync(Ct);
        await using var receiver = await LoopbackServer.StartAsync(_ => new ScriptedResponse(200, "ok", ContentType: "text/plain"), Ct);
        using var services = Build(server, receiver, "notify");

        var report = await services.GetRequiredService<WatchCycle>().RunOnceAsync(Ct);

        Assert.Equal(ProposalState.Executed, Assert.Single(report.Executions).State);
        Assert.Equal(1, server.Requests.Count(r => r.Path == "/api/jobs/predict/batch"));
        Assert.Equal(0, server.Requests.Count(r => r.Path == "/api/jobs/predict"));
    }

    [Fact]
    public async Task Autonomy_Notify_RunsTierTwoButLeavesGateForApproval()
    {
        await using var server = await new ScriptedVgac { Probability = 0.95, Confidence = 0.95, Ece = 0.02 }.StartAsync(Ct);
        await using var receiver = await LoopbackServer.StartAsync(_ => new ScriptedResponse(200, "ok"), Ct);
        using var services = Build(server, receiver, "notify");

        var report = await services.GetRequiredService<WatchCycle>().RunOnceAsync(Ct);

        var proposal = Assert.Single(report.Proposals);
        Assert.Equal((4, true), (proposal.Tier, proposal.Allowed));
        Assert.Empty(report.Executions);
        var queued = Assert.Single(await services.GetRequiredService<ActionQueue>().ListAsync(cancellationToken: Ct));
        Assert.Equal(ProposalState.AwaitingApproval, queued.State);
        Assert.Empty(receiver.Requests);
    }

    [Theory]
    [InlineData("command")]
    [InlineData("confirmed")]
    public async Task ApproveAsync_ApprovalMadeAsProposed_RecordsProposalAndWhoApprovedThenRunsOnceOutsideTheLoop(string kind)
    {
        await using var server = await new ScriptedVgac { Probability = 0.6 }.StartAsync(Ct);
        await using var receiver = await LoopbackServer.StartAsync(_ => new ScriptedResponse(200, "ok", ContentType: "text/plain"), Ct);
        using var services = Build(server, receiver, "notify");
        var queue = services.GetRequiredService<ActionQueue>();
        Approval approval = kind == "command"
            ? new CommandApproval("job-1", 2, "ana", "queue is stuck")
            : new ConfirmedApproval(await services.GetRequiredService<ActionPlanner>().ProposeAsync("job-1", 2, Ct), "confirmed by ana in the REPL");

        var run = await queue.ApproveAsync(approval, Ct);
        var again = await queue.ApproveAsync(approval, Ct);

        Assert.Equal(ProposalState.Executed, run.State);
        Assert.Equal(ProposalState.Refused, again.State);
        Assert.Single(receiver.Requests);
        var record = await queue.FindAsync(run.ProposalId, Ct);
        Assert.Equal(ActionQueue.OutsideTheLoop, record.Cycle);
        Assert.Equal([AuditKind.Approval, AuditKind.ExecutionStarted, AuditKind.Execution], record.History.Select(e => e.Kind));
        Assert.Equal(kind == "command" ? "applied by ana: queue is stuck" : "approved: confirmed by ana in the REPL", record.History[0].Summary);
    }

    [Fact]
    public async Task ApproveAsync_CommandOnATierTheGuardsBlock_BlockedAndNothingRecorded()
    {
        await using var server = await new ScriptedVgac { Probability = 0.6, Confidence = 0.4 }.StartAsync(Ct);
        await using var receiver = await LoopbackServer.StartAsync(_ => new ScriptedResponse(200, "ok", ContentType: "text/plain"), Ct);
        using var services = Build(server, receiver, "notify");

        var run = await services.GetRequiredService<ActionQueue>().ApproveAsync(new CommandApproval("job-1", 1, "ana", null), Ct);
        var result = ApplyResult.Of(run, new CommandApproval("job-1", 1, "ana", null));

        Assert.Equal((ProposalState.Blocked, "blocked_by_guard", false), (run.State, result.Outcome, result.Executed));
        Assert.StartsWith("confidence_gate: ", run.Detail, StringComparison.Ordinal);
        Assert.False(services.GetRequiredService<AuditStore>().Exists);
        Assert.Empty(receiver.Requests);
    }

    [Fact]
    public async Task Approve_DriftArrivedSinceProposal_FreshGuardsRefuseAndNothingRuns()
    {
        await using var awaiting = await AwaitingApprovalAsync();
        var (vgac, receiver, queue, proposal) = (awaiting.Vgac, awaiting.Receiver, awaiting.Queue, awaiting.Proposal);

        vgac.Ece = 0.2; // ratio 11: recalibration required
        var run = await queue.ApproveAsync(new QueuedApproval(proposal.ProposalId, "ana", "looks right"), Ct);

        Assert.Equal(ProposalState.Refused, run.State);
        Assert.Contains("drift_recalibration_required", run.Detail, StringComparison.Ordinal);
        Assert.Empty(receiver.Requests);
        var record = await queue.FindAsync(proposal.ProposalId, Ct);
        Assert.Equal(ProposalState.Refused, record.State);
        Assert.Equal([AuditKind.Approval, AuditKind.Execution], record.History.Select(e => e.Kind));
    }

    [Fact]
    public async Task Approve_VgacCannotConfirmPrediction_NothingDecidedOrRunAndRetryWorksLater()
    {
        await using var awaiting = await AwaitingApprovalAsync();
        var (vgac, receiver, queue, proposal) = (awaiting.Vgac, awaiting.Receiver, awaiting.Queue, awaiting.Proposal);

        vgac.Failing.Add("/api/jobs/predict");
        var down = await Assert.ThrowsAsync<ActionQueueException>(() => queue.ApproveAsync(new QueuedApproval(proposal.ProposalId, "ana", null), Ct));

        Assert.True(down.VgacUnavailable);
        Assert.Contains("Nothing was recorded or run", down.Message, StringComparison.Ordinal);
        Assert.Empty(receiver.Requests);
        Assert.Equal(ProposalState.AwaitingApproval, (await queue.FindAsync(proposal.ProposalId, Ct)).State);

        vgac.Failing.Clear();
        var run = await queue.ApproveAsync(new QueuedApproval(proposal.ProposalId, "ana", null), Ct);

        Assert.Equal(ProposalState.Executed, run.State);
        Assert.Single(receiver.Requests);
    }

    [Fact]
    public async Task Decisions_SecondDecisionOrBlockedProposal_RefusedWithReason()
    {
        await using var awaiting = await AwaitingApprovalAsync();
        var (vgac, receiver, queue, proposal) = (awaiting.Vgac, awaiting.Receiver, awaiting.Queue, awaiting.Proposal);

        var rejected = await queue.RejectAsync(proposal.ProposalId, "ana", "not now", Ct);
        var again = await Assert.ThrowsAsync<ActionQueueException>(() => queue.ApproveAsync(new QueuedApproval(proposal.ProposalId, "bo", null), Ct));
        var unknown = await Assert.ThrowsAsync<ActionQueueException>(() => queue.FindAsync("prop-nope", Ct));

        Assert.Equal(ProposalState.Rejected, rejected.State);
        Assert.Contains("already rejected", again.Message, StringComparison.Ordinal);
        Assert.True(unknown.NotFound);
        Assert.Empty(receiver.Requests);
    }

    [Fact]
    public async Task Cycle_OutageMidCycle_KeepsWhatWasSeenProposesNothingAndTrailStaysConsistent()
    {
        var vgac = new ScriptedVgac { Probability = 0.95, Confidence = 0.95 };
        vgac.Failing.Add("/api/jobs/predict/batch");
        await using var server = await vgac.StartAsync(Ct);
        await using var receiver = await LoopbackServer.StartAsync(_ => new ScriptedResponse(200, "ok"), Ct);
        using var services = Build(server, receiver, "full");
        var cycle = services.GetRequiredService<WatchCycle>();

        var down = await cycle.RunOnceAsync(Ct);
        vgac.Failing.Clear();
        var back = await cycle.RunOnceAsync(Ct);

        Assert.NotNull(down.Outage);
        Assert.Empty(down.Proposals);
        Assert.Empty(down.Executions);
        var events = await services.GetRequiredService<AuditStore>().QueryAsync(cancellationToken: Ct);
        Assert.Equal([AuditKind.Observation, AuditKind.Calibration, AuditKind.Outage], events.Where(e => e.Cycle == 1).Select(e => e.Kind));
        Assert.Null(back.Outage);
        Assert.Single(back.Executions);
        var check = await services.GetRequiredService<AuditCheck>().RunAsync(cancellationToken: Ct);
        Assert.True(check.Clean, string.Join("; ", check.Violations));
        Assert.Equal((2L, 1, 1), (check.Cycles, check.Outages, check.Executed));
    }

    [Fact]
    public async Task Cycle_FallbackConfidenceZero_ProposesAndRunsNothing()
    {
        await using var server = await new ScriptedVgac { Probability = 0.99, Confidence = 0 }.StartAsync(Ct);
        await using var receiver = await LoopbackServer.StartAsync(_ => new ScriptedResponse(200, "ok"), Ct);
        using var services = Build(server, receiver, "full");

        var report = await services.GetRequiredService<WatchCycle>().RunOnceAsync(Ct);

        Assert.Equal(1, report.Predicted);
        Assert.Empty(report.Proposals);
        Assert.Empty(report.Executions);
        Assert.Empty(receiver.Requests);
    }

    [Fact]
    public async Task Command_ConfiguredForKubernetes_GetsTheRequestOnStdinAndItsExitCodeDecides()
    {
        var received = Path.Combine(TestPaths.NewFolder("command-"), "received.json");
        var script = await ScriptAsync($"cat > '{received}'\necho patched pod");
        await using var server = await new ScriptedVgac { Probability = 0.35, Confidence = 0.9 }.StartAsync(Ct);
        using var services = WatchHarness.Build(server.BaseAddress, out _, new() { ["Watch:Autonomy"] = "notify", ["Watch:Command:Path"] = script });

        var report = await services.GetRequiredService<WatchCycle>().RunOnceAsync(Ct);

        var proposal = Assert.Single(report.Proposals);
        Assert.Equal(("annotate", "kubernetes_patch"), (proposal.Action, proposal.PreviewKind));
        var run = Assert.Single(report.Executions);
        Assert.Equal((ProposalState.Executed, "command", false), (run.State, run.Outcome!.Executor, run.Outcome.DryRun));
        Assert.Contains("patched pod", run.Detail, StringComparison.Ordinal);
        using var request = System.Text.Json.JsonDocument.Parse(await File.ReadAllTextAsync(received, Ct));
        Assert.Equal(proposal.Preview, request.RootElement.GetProperty("preview").GetString());
        Assert.Equal(proposal.ProposalId, request.RootElement.GetProperty("proposal_id").GetString());
    }

    [Fact]
    public async Task Command_ExitsNonZero_RecordedAsFailedWithItsMessage()
    {
        var script = await ScriptAsync("echo 'forbidden: cannot patch pods' >&2\nexit 3");
        await using var server = await new ScriptedVgac { Probability = 0.35, Confidence = 0.9 }.StartAsync(Ct);
        using var services = WatchHarness.Build(server.BaseAddress, out _, new() { ["Watch:Autonomy"] = "notify", ["Watch:Command:Path"] = script });

        var run = Assert.Single((await services.GetRequiredService<WatchCycle>().RunOnceAsync(Ct)).Executions);

        Assert.Equal(ProposalState.Failed, run.State);
        Assert.Contains("exit code 3: forbidden: cannot patch pods", run.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Command_AppliesThenLeavesABackgroundChildHoldingItsOutput_OutcomeRecorded_ChildStopped()
    {
        var folder = TestPaths.NewFolder("command-bg-");
        var pid = Path.Combine(folder, "child.pid");
        var script = await ScriptAsync($"cat > /dev/null\necho patched pod\nsleep 20 &\necho $! > '{pid}'");
        await using var server = await new ScriptedVgac { Probability = 0.35, Confidence = 0.9 }.StartAsync(Ct);
        using var services = WatchHarness.Build(server.BaseAddress, out var audit, new() { ["Watch:Autonomy"] = "notify", ["Watch:Command:Path"] = script });

        var run = Assert.Single((await services.GetRequiredService<WatchCycle>().RunOnceAsync(Ct)).Executions);

        Assert.Equal(ProposalState.Executed, run.State);
        Assert.Contains("applied by the configured command (exit code 0): patched pod; it left a background process holding its output, which was stopped", run.Detail, StringComparison.Ordinal);
        Assert.False(Alive(int.Parse(await File.ReadAllTextAsync(pid, Ct), System.Globalization.CultureInfo.InvariantCulture)));
        var trail = await audit.QueryAsync(proposal: run.ProposalId, cancellationToken: Ct);
        Assert.Equal([AuditKind.ExecutionStarted, AuditKind.Execution], trail.Where(e => e.Kind is AuditKind.ExecutionStarted or AuditKind.Execution).Select(e => e.Kind));
    }

    [Fact]
    public async Task Command_RunsPastItsTimeout_ItAndItsBackgroundChildStopped_RecordedAsFailed()
    {
        var folder = TestPaths.NewFolder("command-slow-");
        var pid = Path.Combine(folder, "child.pid");
        var script = await ScriptAsync($"cat > /dev/null\nsleep 30 &\necho $! > '{pid}'\nsleep 30");
        await using var server = await new ScriptedVgac { Probability = 0.35, Confidence = 0.9 }.StartAsync(Ct);
        using var services = WatchHarness.Build(server.BaseAddress, out _, new() { ["Watch:Autonomy"] = "notify", ["Watch:Command:Path"] = script, ["Watch:Command:TimeoutSeconds"] = "1" });

        var run = Assert.Single((await services.GetRequiredService<WatchCycle>().RunOnceAsync(Ct)).Executions);

        Assert.Equal(ProposalState.Failed, run.State);
        Assert.Contains("did not finish within 1 s; it and everything it started were stopped", run.Detail, StringComparison.Ordinal);
        Assert.False(Alive(int.Parse(await File.ReadAllTextAsync(pid, Ct), System.Globalization.CultureInfo.InvariantCulture)));
    }

    [Fact]
    public async Task Executor_ThrowsAfterItsStartIsRecorded_AnOutcomeIsRecordedAllTheSame()
    {
        await using var server = await new ScriptedVgac { Probability = 0.35, Confidence = 0.9 }.StartAsync(Ct);
        using var services = WatchHarness.Build(server.BaseAddress, out var audit, new() { ["Watch:Autonomy"] = "notify" },
            s => s.AddSingleton<IActionExecutor>(new ThrowingExecutor()));

        var run = Assert.Single((await services.GetRequiredService<WatchCycle>().RunOnceAsync(Ct)).Executions);

        Assert.Equal(ProposalState.Failed, run.State);
        Assert.Contains("the broken executor failed before it could say what happened: the cluster API went away", run.Detail, StringComparison.Ordinal);
        Assert.Single(await audit.QueryAsync(proposal: run.ProposalId, kind: AuditKind.Execution, cancellationToken: Ct));
    }

    /// <summary>An executor that fails with an exception of its own (a bug, a library's surprise), after the start is in the trail.</summary>
    private sealed class ThrowingExecutor : IActionExecutor
    {
        public string Name => "broken";

        public bool Handles(string previewKind) => true;

        public Task<ExecutionOutcome> ExecuteAsync(ExecutionRequest request, CancellationToken cancellationToken) =>
            throw new InvalidOperationException("the cluster API went away");
    }

    /// <summary>Whether a process still runs (a killed orphan is reaped by init at once).</summary>
    private static bool Alive(int pid)
    {
        for (var i = 0; i < 100 && Directory.Exists($"/proc/{pid}"); i++)
        {
            // A process killed a moment ago may still be on its way out; wait on the thing itself, briefly.
            if (File.ReadAllText($"/proc/{pid}/stat").Split(' ')[2] == "Z")
            {
                return false;
            }

            Thread.Sleep(20);
        }

        return Directory.Exists($"/proc/{pid}");
    }

    [Fact]
    public async Task ProposeTool_KubernetesExecutorChosen_ChecksTheGateWithAServerSideDryRun_ChangingNothing()
    {
        await using var vgac = await new ScriptedVgac { JobId = "train-x7k", Namespace = "ml", Probability = 0.9, Confidence = 0.95, Ece = 0.01 }.StartAsync(Ct);
        await using var api = await FakeKubernetesApi.StartAsync(Ct);
        api.AddJob("ml", "train");
        api.AddPod("ml", "train-x7k", owner: "train");
        using var services = WatchHarness.Build(vgac.BaseAddress, out _, new()
        {
            ["Watch:Executor"] = "kubernetes",
            ["Watch:Kubernetes:Kubeconfig"] = api.WriteKubeconfig(TestPaths.NewFolder("kube-propose-")),
        }, s => s.AddKubernetesExecutor());

        var gate = await services.GetRequiredService<ActorPlugin>().ProposeActionAsync("train-x7k", 4, Ct);
        var annotate = await services.GetRequiredService<ActorPlugin>().ProposeActionAsync("train-x7k", 1, Ct);

        Assert.True(gate.Allowed, gate.Reason);
        Assert.Equal("the API server accepts it (server-side dry run): pod ml/train-x7k annotated; Job ml/train would be suspended", gate.SchedulerCheck);
        Assert.StartsWith("the API server accepts it (server-side dry run): pod ml/train-x7k annotated", annotate.SchedulerCheck, StringComparison.Ordinal);
        Assert.All(api.Patches, p => Assert.Contains("dryRun=All", p.Query, StringComparison.Ordinal));
        Assert.False(api.Job("ml", "train")!["spec"]!["suspend"]!.GetValue<bool>());
    }

    [Fact]
    public async Task Start_KubernetesChosenInAProgramWithoutItsExecutor_IsRefused_NotDryRunUnnoticed()
    {
        await using var vgac = await new ScriptedVgac().StartAsync(Ct);
        using var services = WatchHarness.Build(vgac.BaseAddress, out _, new() { ["Watch:Executor"] = "kubernetes" });

        var refused = Assert.Throws<Microsoft.Extensions.Options.OptionsValidationException>(() => services.GetRequiredService<Microsoft.Extensions.Options.IOptions<ActionOptions>>().Value);

        Assert.Contains("Watch:Executor is kubernetes, but this program does not carry that executor", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ProposeTool_NoSchedulerExecutor_HasNoSchedulerCheck()
    {
        await using var vgac = await new ScriptedVgac { Probability = 0.9, Confidence = 0.95, Ece = 0.01 }.StartAsync(Ct);
        using var services = WatchHarness.Build(vgac.BaseAddress, out _);

        var gate = await services.GetRequiredService<ActorPlugin>().ProposeActionAsync("job-1", 4, Ct);

        Assert.Null(gate.SchedulerCheck);
        Assert.StartsWith("kubectl -n ml patch pod job-1 --type merge", gate.Preview, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Interactive_ApprovedThroughTheActorTool_RunsThroughTheLoopsExecutorsAndTrail()
    {
        await using var server = await new ScriptedVgac { Probability = 0.6 }.StartAsync(Ct);
        await using var receiver = await LoopbackServer.StartAsync(_ => new ScriptedResponse(200, "ok"), Ct);
        using var services = WatchHarness.Build(server.BaseAddress, out var audit, new() { ["Watch:Webhook:Url"] = new Uri(receiver.BaseAddress, "/hook").ToString() },
            s => s.AddSingleton<IActionApprover>(new ApprovingApprover()));

        var result = await services.GetRequiredService<ActorPlugin>().ApplyActionAsync("job-1", 2, cancellationToken: Ct);
        var next = await services.GetRequiredService<WatchCycle>().RunOnceAsync(Ct);

        Assert.Equal((true, "executed", false), (result.Executed, result.Outcome, result.DryRun));
        Assert.Equal(result.Preview, Assert.Single(receiver.Requests).Body);
        var trail = await audit.QueryAsync(proposal: result.ProposalId, cancellationToken: Ct);
        Assert.Equal([AuditKind.Proposal, AuditKind.Approval, AuditKind.ExecutionStarted, AuditKind.Execution, AuditKind.Verification], trail.Select(e => e.Kind));
        Assert.Equal(0L, trail[0].Cycle);
        Assert.Empty(next.Proposals); // the loop does not propose again what a person just did
        var check = await services.GetRequiredService<AuditCheck>().RunAsync(cancellationToken: Ct);
        Assert.True(check.Clean, string.Join("; ", check.Violations));
    }

    [Fact]
    public async Task Interactive_DriftArrivesWhileThePersonDecides_BlockedAfterTheApprovalAndNothingRuns()
    {
        var vgac = new ScriptedVgac { Probability = 0.6 };
        await using var server = await vgac.StartAsync(Ct);
        await using var receiver = await LoopbackServer.StartAsync(_ => new ScriptedResponse(200, "ok"), Ct);
        using var services = WatchHarness.Build(server.BaseAddress, out var audit, new() { ["Watch:Webhook:Url"] = new Uri(receiver.BaseAddress, "/hook").ToString() },
            s => s.AddSingleton<IActionApprover>(new ApprovingApprover(() => vgac.Ece = 0.2)));

        var result = await services.GetRequiredService<ActorPlugin>().ApplyActionAsync("job-1", 2, cancellationToken: Ct);

        Assert.Equal((false, "blocked_by_guard"), (result.Executed, result.Outcome));
        Assert.Contains("drift_recalibration_required", result.Reason, StringComparison.Ordinal);
        Assert.Empty(receiver.Requests);
        Assert.False(audit.Exists && (await audit.QueryAsync(kind: AuditKind.ExecutionStarted, cancellationToken: Ct)).Count > 0);
    }

    /// <summary>A person who says yes to everything (the guards have already decided).</summary>
    private sealed class ApprovingApprover(Action? whileDeciding = null) : IActionApprover
    {
        public Task<ApprovalDecision> ApproveAsync(ActionProposal proposal, IServiceProvider? requestServices, CancellationToken cancellationToken)
        {
            whileDeciding?.Invoke();
            return Task.FromResult(new ApprovalDecision(true, "confirmed by the on-call engineer"));
        }
    }

    /// <summary>One warn-level proposal awaiting approval (autonomy off), with its VGAC and webhook receiver.</summary>
    private static async Task<AwaitingApproval> AwaitingApprovalAsync()
    {
        var vgac = new ScriptedVgac { Probability = 0.6 };
        var server = await vgac.StartAsync(Ct);
        var receiver = await LoopbackServer.StartAsync(_ => new ScriptedResponse(200, "ok"), Ct);
        var services = Build(server, receiver, "off");
        var proposal = Assert.Single((await services.GetRequiredService<WatchCycle>().RunOnceAsync(Ct)).Proposals);
        return new AwaitingApproval(vgac, server, receiver, services, proposal);
    }

    private sealed record AwaitingApproval(ScriptedVgac Vgac, LoopbackServer Server, LoopbackServer Receiver, ServiceProvider Services, ActionProposal Proposal)
        : IAsyncDisposable
    {
        public ActionQueue Queue => Services.GetRequiredService<ActionQueue>();

        public async ValueTask DisposeAsync()
        {
            await Services.DisposeAsync();
            await Receiver.DisposeAsync();
            await Server.DisposeAsync();
        }
    }

    /// <summary>An executable shell script (the tests that use one are skipped on Windows).</summary>
    private static async Task<string> ScriptAsync(string body)
    {
        Assert.SkipWhen(OperatingSystem.IsWindows(), "needs /bin/sh");
        var path = Path.Combine(TestPaths.NewFolder("command-"), "apply.sh");
        await File.WriteAllTextAsync(path, $"#!/bin/sh\n{body}\n", Ct);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }

        return path;
    }

    private static ServiceProvider Build(LoopbackServer vgac, LoopbackServer receiver, string autonomy) => WatchHarness.Build(vgac.BaseAddress, out _, new()
    {
        ["Watch:Autonomy"] = autonomy,
        ["Watch:Webhook:Url"] = new Uri(receiver.BaseAddress, $"/hooks/{Secret}").ToString(),
        ["Watch:Webhook:RetryDelaySeconds"] = "0.01",
    });
}
