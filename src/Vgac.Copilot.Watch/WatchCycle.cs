using System.Globalization;
using Vgac.Copilot.Client;
using Vgac.Copilot.Contracts;
using Vgac.Copilot.Core.Predictions;
using Vgac.Copilot.Core.Calibration;
using Vgac.Copilot.Core.Guards;
using Vgac.Copilot.Actions;
using Vgac.Copilot.Core.Observation;
using Vgac.Copilot.Audit;
using Vgac.Copilot.Core.Settings;
using Vgac.Copilot.Core.Text;

namespace Vgac.Copilot.Watch;

/// <summary>
/// One cycle of the autonomous agents. Actor's checks of earlier executions come first (verify effects, find
/// interrupted ones); then Observer reads the cluster and flags anomalies, Calibrator audits the model against
/// outcomes (ECE, PSI, drift), Predictor scores the pending jobs, and Actor turns each job's highest allowed tier
/// into a proposal. Everything seen and proposed, and the start of whatever the autonomy setting lets run unattended,
/// is appended in one transaction; then those actions run and their outcomes are recorded. A VGAC outage is recorded
/// as such: nothing is proposed or run from a failed cycle.
/// </summary>
public sealed class WatchCycle(
    ClusterObserver observer,
    LiveAuditor auditor,
    CalibrationProvider calibrationProvider,
    GuardedPredictor predictor,
    GuardPolicy guards,
    ActionPlanner planner,
    ActionRunner runner,
    EffectVerifier verifier,
    AuditStore audit,
    WatchOptions options,
    ActionOptions actions,
    WatchClock clock)
{
    private readonly QueueBaseline _queue = new();

    /// <summary>The cluster this cycle watches (its audit trail view's).</summary>
    public string Cluster => audit.Cluster ?? AuditStore.DefaultCluster;

    /// <summary>What this cycle may run without a person.</summary>
    public Autonomy Autonomy => actions.Autonomy;

    /// <summary>
    /// What the cycle in progress (or the last one) has committed to the trail so far, for the loop to say when a cycle
    /// fails part-way; null while nothing is committed.
    /// </summary>
    public string? Committed { get; private set; }

    public async Task<CycleReport> RunOnceAsync(CancellationToken cancellationToken)
    {
        Committed = null;
        var draft = new CycleDraft(await audit.LastCycleAsync(cancellationToken).ConfigureAwait(false) + 1, clock.Now);

        var (verified, interrupted) = (0, 0);
        if (await draft.Agent("verifier", () => verifier.VerifyAsync(draft.Cycle, cancellationToken)).ConfigureAwait(false) is { } checks)
        {
            draft.Events.AddRange(checks);
            (verified, interrupted) = (checks.Count(e => e.Kind == AuditKind.Verification), checks.Count(e => e.Kind == AuditKind.Execution));
        }

        var observation = await draft.Agent("observer", () => ObserveAsync(draft.Failures, cancellationToken)).ConfigureAwait(false);
        if (observation is not null)
        {
            var cluster = observation.Cluster;
            draft.Record(AuditKind.Observation,
                $"{cluster.GpusAvailable}/{cluster.GpusTotal} GPUs free, {cluster.JobsPending} pending, {Core.Text.Words.Count(observation.Findings.Count, "finding")}", WatchJson.Records.Serialize(observation));
        }

        var (calibration, status) = await CalibrationOfAsync(draft, cancellationToken).ConfigureAwait(false);
        SchedulerType? scheduler = observation is not null && Enum.TryParse<SchedulerType>(observation.Cluster.Scheduler, ignoreCase: true, out var read) ? read : null;
        var (proposals, predicted, skipped) = status is null ? ([], 0, 0) : await ProposeAsync(draft, status, scheduler, cancellationToken).ConfigureAwait(false);
        var decidedBy = $"autonomy {actions.Autonomy.Wire()}";
        var (starting, executions) = StartUnattended(draft, proposals, decidedBy);

        var outage = draft.Failures.Count == 0 ? null : string.Join("; ", draft.Failures);
        if (outage is not null)
        {
            draft.Record(AuditKind.Outage, outage);
        }

        await CommitAndRunAsync(draft, proposals.Count, calibration, starting, executions, decidedBy, cancellationToken).ConfigureAwait(false);
        return new CycleReport(draft.Cycle, draft.Now, outage, observation, calibration, actions.Autonomy, predicted, [.. proposals.Select(p => p.Proposal)], skipped, executions, verified, interrupted)
        {
            Cluster = audit.Cluster ?? AuditStore.DefaultCluster,
        };
    }

    /// <summary>
    /// The Calibrator's turn: the audit recorded, and held for everything this cycle proposes and checks until the
    /// cycle's commit records it; the status the Predictor may judge on, or null when there is none to trust.
    /// </summary>
    private async Task<(CalibrationSnapshot? Snapshot, CalibrationStatus? Status)> CalibrationOfAsync(CycleDraft draft, CancellationToken cancellationToken)
    {
        var calibrated = await draft.Agent("calibrator", () => CalibrateAsync(cancellationToken)).ConfigureAwait(false);
        var calibration = calibrated?.Snapshot;
        if (calibration is not null)
        {
            draft.Record(AuditKind.Calibration, calibration.Reason, WatchJson.Records.Serialize(calibration));
            if (calibration is { AuditedEce: { } audited, AuditedSamples: > 0 })
            {
                // Recorded with the cycle at its end; until then every proposal and check this cycle makes weighs it.
                calibrationProvider.Hold(new Core.Calibration.AuditedCalibration(audited, calibration.AuditedSamples, draft.Now, calibration.AuditedEceLow, calibration.Source));
            }
        }

        var status = calibrated?.Status;
        if (status is { IsAvailable: false })
        {
            draft.Failures.Add($"calibrator: {status.Error}");
            status = null;
        }

        return (calibration, status);
    }

    /// <summary>
    /// The Predictor and the Actor: the pending jobs scored, and each job's highest allowed tier proposed (or, when
    /// none is allowed but a confident prediction wants one, that tier proposed blocked, so the trail shows what the
    /// guards held back), once per job and tier within the dedupe window.
    /// </summary>
    private async Task<(List<PlannedAction> Proposals, int Predicted, int Skipped)> ProposeAsync(
        CycleDraft draft, CalibrationStatus status, SchedulerType? scheduler, CancellationToken cancellationToken)
    {
        var proposals = new List<PlannedAction>();
        var pending = await draft.Agent("predictor", () => predictor.PredictPendingAsync(options.PendingJobsLimit, cancellationToken, status)).ConfigureAwait(false);
        if (pending is null)
        {
            draft.Failures.Add("actor: no predictions this cycle, nothing proposed");
            return (proposals, 0, 0);
        }

        var skipped = 0;
        var recent = await audit.QueryAsync(draft.Now.AddMinutes(-actions.DedupeMinutes), kind: AuditKind.Proposal, cancellationToken: cancellationToken).ConfigureAwait(false);
        foreach (var p in pending)
        {
            var verdicts = p.Guards;
            var tier = verdicts.HighestTier > 0 ? verdicts.HighestTier : WantedTier(p.Probability, verdicts.Gate.Passed);
            if (tier == 0)
            {
                continue;
            }

            if (recent.Any(r => r.JobId == p.JobId && r.Tier == tier))
            {
                skipped++;
                draft.Record(AuditKind.SkippedDuplicate, $"tier {tier} already proposed for {p.JobId} within {actions.DedupeMinutes:0} min", job: p.JobId, tier: tier);
                continue;
            }

            if (await ProposeOneAsync(draft, p, tier, scheduler, cancellationToken).ConfigureAwait(false) is { } proposal)
            {
                proposals.Add(proposal);
            }
        }

        return (proposals, pending.Count, skipped);
    }

    /// <summary>One job's proposal at one tier, recorded with what happens to it next; null (and a skipped record) when the job moved on.</summary>
    private async Task<PlannedAction?> ProposeOneAsync(CycleDraft draft, GuardedJobPrediction scored, int tier, SchedulerType? scheduler, CancellationToken cancellationToken)
    {
        PlannedAction planned;
        try
        {
            // The job's record is read again (it may have started); its prediction is the one just made.
            planned = await planner.PlanAsync(scored.JobId, tier, cancellationToken, scheduler, scored: scored).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is ActionInputException or VgacApiException)
        {
            // The job started or vanished between scoring and proposing, or VGAC could not tell: nothing to propose.
            draft.Record(AuditKind.SkippedDuplicate, $"no proposal for {scored.JobId}: {ex.Message}", job: scored.JobId, tier: tier);
            return null;
        }

        var proposal = planned.Proposal.Stamped(string.Create(CultureInfo.InvariantCulture, $"{draft.Cycle}"));
        var next = !proposal.Allowed ? "never runs"
            : AutonomyPolicy.MayRunUnattended(actions.Autonomy, proposal.Tier, proposal.Allowed) ? $"runs unattended (autonomy {actions.Autonomy.Wire()})"
            : "awaiting approval";
        draft.Record(AuditKind.Proposal, $"{proposal.Action} {proposal.JobId} (tier {proposal.Tier}): {(proposal.Allowed ? "allowed" : "blocked")} by {proposal.Rule}; {next}",
            WatchJson.Records.Serialize(proposal), proposal.JobId, proposal.Tier, proposal.ProposalId);
        return planned with { Proposal = proposal };
    }

    /// <summary>
    /// What runs unattended is judged on the cycle's own plan (its prediction and calibration were read this cycle,
    /// past every cache, so the job is not predicted a second time) and started in the same transaction as its
    /// proposal, reserving its job and tier, so a crash between the commit and the execution is visible next cycle
    /// (interrupted), never a silent "awaiting approval", and a concurrent approval cannot run it twice.
    /// </summary>
    private (List<ActionProposal> Starting, List<ExecutionRecord> Refused) StartUnattended(CycleDraft draft, List<PlannedAction> proposals, string decidedBy)
    {
        var executions = new List<ExecutionRecord>();
        var starting = new List<ActionProposal>();
        foreach (var planned in proposals.Where(p => AutonomyPolicy.MayRunUnattended(actions.Autonomy, p.Proposal.Tier, p.Proposal.Allowed)))
        {
            var (record, refused) = runner.Plan(ActionRunner.Judge(planned.Proposal, planned), draft.Cycle, decidedBy);
            draft.Events.Add(record);
            if (refused is null)
            {
                starting.Add(planned.Proposal);
            }
            else
            {
                executions.Add(refused);
            }
        }

        return (starting, executions);
    }

    /// <summary>Appends the cycle in one transaction (starts reserving their job and tier), then runs what started and records each outcome.</summary>
    private async Task CommitAndRunAsync(CycleDraft draft, int proposed, CalibrationSnapshot? calibration, List<ActionProposal> starting, List<ExecutionRecord> executions,
        string decidedBy, CancellationToken cancellationToken)
    {
        var conflicts = await audit.AppendAsync(draft.Events, runner.Reservations(decidedBy), cancellationToken).ConfigureAwait(false);
        var started = draft.Events.Count(e => e.Kind == AuditKind.ExecutionStarted) - conflicts.Count;
        var written = $"cycle {draft.Cycle}'s {Core.Text.Words.Count(draft.Events.Count, "record")} ({Core.Text.Words.Count(proposed, "proposal")}, {Core.Text.Words.Count(started, "start")})";
        Committed = written;
        if (calibration?.AuditedSamples > 0)
        {
            // This cycle's audit is in the trail now: no run may keep judging on a status read before it.
            calibrationProvider.Invalidate();
        }

        foreach (var conflict in conflicts)
        {
            starting.RemoveAll(p => p.ProposalId == conflict.Start.ProposalId);
            executions.Add(runner.Refusal(conflict, decidedBy));
        }

        foreach (var proposal in starting)
        {
            executions.Add(await runner.ExecuteStartedAsync(proposal, draft.Cycle, decidedBy).ConfigureAwait(false));
            Committed = $"{written} and {Core.Text.Words.Count(executions.Count(e => e.Outcome is not null), "outcome")}";
        }
    }

    /// <summary>
    /// What one cycle has gathered before its commit: its records, and what each agent could not do. Each agent
    /// degrades on its own: what one could not do is noted, the others go on; only what rests on data that arrived
    /// (calibration, then predictions) may lead to a proposal, and nothing acts on missing data.
    /// </summary>
    private sealed class CycleDraft(long cycle, DateTimeOffset now)
    {
        public long Cycle => cycle;

        public DateTimeOffset Now => now;

        public List<AuditEvent> Events { get; } = [];

        public List<string> Failures { get; } = [];

        public void Record(AuditKind kind, string summary, string? payload = null, string? job = null, int? tier = null, string? proposal = null) =>
            Events.Add(new AuditEvent(0, now, cycle, kind, job, tier, proposal, summary, payload));

        /// <summary>One agent's work; a VGAC failure is noted and gives null.</summary>
        public async Task<T?> Agent<T>(string name, Func<Task<T>> work) where T : class
        {
            try
            {
                return await work().ConfigureAwait(false);
            }
            catch (VgacApiException ex)
            {
                Failures.Add($"{name}: {ex.Message}");
                return null;
            }
        }
    }

    /// <summary>The Observer: the cluster summary, and the anomaly rules when their inputs arrive (the summary is kept without them).</summary>
    private async Task<ObservationSnapshot> ObserveAsync(List<string> failures, CancellationToken cancellationToken)
    {
        var cluster = await observer.SummaryAsync(cancellationToken).ConfigureAwait(false);
        IReadOnlyList<ObservedFinding> findings = [];
        try
        {
            findings = [.. (await observer.AnomaliesAsync(cancellationToken).ConfigureAwait(false)).Select(ObservedFinding.From)];
        }
        catch (VgacApiException ex)
        {
            failures.Add($"observer (anomaly rules skipped): {ex.Message}");
        }

        return new ObservationSnapshot(ClusterObservation.From(cluster), [.. findings, .. _queue.Observe(cluster.QueueDepth)]);
    }

    /// <summary>The Calibrator: VGAC's report and the copilot's own audit, and the drift verdict on them.</summary>
    private async Task<Calibrated> CalibrateAsync(CancellationToken cancellationToken)
    {
        CalibrationAudit? own = null;
        Core.Calibration.AuditSource? source = null;
        CalibrationStatus status;
        if (options.CalibrationAuditJobs > 0)
        {
            // Not persisted by the auditor: the calibration record below, in this cycle's transaction, is the persisted audit.
            var live = await auditor.AuditAsync(options.CalibrationAuditJobs, cancellationToken, persist: false).ConfigureAwait(false);
            (own, status, source) = (live.Audit, live.Reported, live.Source);
        }
        else
        {
            status = await calibrationProvider.GetAsync(cancellationToken, fresh: true).ConfigureAwait(false);
        }

        var drift = guards.Drift(status.ToFacts());
        var snapshot = new CalibrationSnapshot(status.ReportedEce, own?.Debiased.Estimate, own?.Metrics.N ?? 0, drift.EffectiveEce, drift.Ratio, drift.Level, own?.Psi,
            status.Error is { } error ? $"{drift.Reason} ({error})" : drift.Reason, own?.Debiased.Low, own?.Debiased.High, own?.Metrics.Ece, drift.JudgedEce)
        {
            Source = source,
        };
        return new Calibrated(snapshot, status);
    }

    private sealed record Calibrated(CalibrationSnapshot Snapshot, CalibrationStatus Status);

    /// <summary>The highest tier whose probability threshold a confident prediction meets (0: none, or not confident).</summary>
    private int WantedTier(double probability, bool gatePassed) =>
        gatePassed ? guards.Options.EffectiveTiers.Where(t => probability >= t.Epsilon).Select(t => t.Tier).DefaultIfEmpty(0).Max() : 0;

    /// <summary>Queue depth against its own recent baseline (the median of the last cycles).</summary>
    private sealed class QueueBaseline
    {
        private const int Window = 10;
        private readonly Queue<int> _depths = new();

        public IEnumerable<ObservedFinding> Observe(int depth)
        {
            ObservedFinding? finding = null;
            if (_depths.Count >= 3)
            {
                var median = _depths.Order().ElementAt(_depths.Count / 2);
                if (depth >= 5 && depth >= 2 * Math.Max(1, median))
                {
                    finding = new ObservedFinding("queue_depth_jump", "warning",
                        string.Create(CultureInfo.InvariantCulture, $"Queue depth {depth} is {depth / (double)Math.Max(1, median):0.0}x its recent baseline of {median} (median of the last {_depths.Count} cycles)."));
                }
            }

            _depths.Enqueue(depth);
            if (_depths.Count > Window)
            {
                _depths.Dequeue();
            }

            return finding is null ? [] : [finding];
        }
    }
}
