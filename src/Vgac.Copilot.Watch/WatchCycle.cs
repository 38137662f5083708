using System.Globalization;
using Vgac.Copilot.Client;
using Vgac.Copilot.Contracts;
using Vgac.Copilot.Core.Agents;
using Vgac.Copilot.Core.Calibration;
using Vgac.Copilot.Core.Guards;
using Vgac.Copilot.Actions;
using Vgac.Copilot.Core.Observation;
using Vgac.Copilot.Audit;
using Vgac.Copilot.Core.Settings;

namespace Vgac.Copilot.Watch;

/// <summary>What the Observer saw this cycle.</summary>
public sealed record ObservationSnapshot(ClusterObservation Cluster, IReadOnlyList<ObservedFinding> Findings);

/// <summary>The cluster as the Observer saw it (the trail's own record, not the tool's result).</summary>
public sealed record ClusterObservation(
    string ClusterId, string Scheduler, int NodesReady, int NodesTotal, int GpusTotal, int GpusAvailable, double GpuUtilization, int JobsPending, int JobsRunning, int QueueDepth)
{
    public static ClusterObservation From(ClusterSummary s) =>
        new(s.ClusterId, s.SchedulerType.ToString().ToLowerInvariant(), s.ReadyNodes, s.TotalNodes, s.TotalGpus, s.AvailableGpus,
            Math.Round(s.GpuUtilization, 3), s.PendingJobs, s.RunningJobs, s.QueueDepth);
}

/// <summary>An anomaly the Observer recorded.</summary>
public sealed record ObservedFinding(string Kind, string Severity, string Detail)
{
    public static ObservedFinding From(Finding f) => new(f.Kind, f.Severity, f.Detail);
}

/// <summary>What one cycle saw, proposed, ran and verified.</summary>
public sealed record CycleReport(
    long Cycle,
    DateTimeOffset At,
    string? Outage,
    ObservationSnapshot? Observation,
    CalibrationSnapshot? Calibration,
    Autonomy Autonomy,
    int Predicted,
    IReadOnlyList<ActionProposal> Proposals,
    int SkippedDuplicates,
    IReadOnlyList<ExecutionRecord> Executions,
    int Verified,
    int Interrupted,
    string? Failure = null)
{
    public DriftLevel Drift => Calibration?.Drift ?? DriftLevel.Unknown;

    /// <summary>The cluster the cycle watched.</summary>
    public string Cluster { get; init; } = AuditStore.DefaultCluster;

    /// <summary>What a failed cycle had committed before it failed (null: nothing).</summary>
    public string? Recorded { get; init; }

    /// <summary>A cycle that failed for a reason other than VGAC, with what it had recorded by then (<paramref name="recorded"/>; null: nothing).</summary>
    public static CycleReport Failed(DateTimeOffset at, Autonomy autonomy, string failure, string? recorded = null) =>
        new(0, at, null, null, null, autonomy, 0, [], 0, [], 0, 0, failure) { Recorded = recorded };
}

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
    PredictorAgent predictor,
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
        var cycle = await audit.LastCycleAsync(cancellationToken).ConfigureAwait(false) + 1;
        var now = clock.Now;
        var events = new List<AuditEvent>();
        void Record(string kind, string summary, string? payload = null, string? job = null, int? tier = null, string? proposal = null) =>
            events.Add(new AuditEvent(0, now, cycle, kind, job, tier, proposal, summary, payload));

        // Each agent degrades on its own: what one could not do is noted, the others go on; only what rests on data
        // that arrived (calibration, then predictions) may lead to a proposal, and nothing acts on missing data.
        var failures = new List<string>();
        async Task<T?> Agent<T>(string name, Func<Task<T>> work) where T : class
        {
            try
            {
                return await work().ConfigureAwait(false);
            }
            catch (VgacApiException ex)
            {
                failures.Add($"{name}: {ex.Message}");
                return null;
            }
        }

        var (verified, interrupted) = (0, 0);
        if (await Agent("verifier", () => verifier.VerifyAsync(cycle, cancellationToken)).ConfigureAwait(false) is { } checks)
        {
            events.AddRange(checks);
            (verified, interrupted) = (checks.Count(e => e.Kind == AuditKinds.Verification), checks.Count(e => e.Kind == AuditKinds.Execution));
        }

        var observation = await Agent("observer", () => ObserveAsync(failures, cancellationToken)).ConfigureAwait(false);
        if (observation is not null)
        {
            var cluster = observation.Cluster;
            Record(AuditKinds.Observation,
                $"{cluster.GpusAvailable}/{cluster.GpusTotal} GPUs free, {cluster.JobsPending} pending, {Core.Text.Words.Count(observation.Findings.Count, "finding")}", WatchJson.Serialize(observation));
        }

        var calibrated = await Agent("calibrator", () => CalibrateAsync(cancellationToken)).ConfigureAwait(false);
        var calibration = calibrated?.Snapshot;
        if (calibration is not null)
        {
            Record(AuditKinds.Calibration, calibration.Reason, WatchJson.Serialize(calibration));
            if (calibration is { AuditedEce: { } audited, AuditedSamples: > 0 })
            {
                // Recorded with the cycle at its end; until then every proposal and check this cycle makes weighs it.
                calibrationProvider.Hold(new Core.Calibration.AuditedCalibration(audited, calibration.AuditedSamples, now, calibration.AuditedEceLow, calibration.Source));
            }
        }

        var status = calibrated?.Status;
        if (status is { IsAvailable: false })
        {
            failures.Add($"calibrator: {status.Error}");
            status = null;
        }

        var proposals = new List<ActionProposal>();
        var (predicted, skipped) = (0, 0);
        var pending = status is null ? null
            : await Agent("predictor", () => predictor.PredictPendingAsync(options.PendingJobsLimit, cancellationToken, status)).ConfigureAwait(false);
        SchedulerType? scheduler = observation is not null && Enum.TryParse<SchedulerType>(observation.Cluster.Scheduler, ignoreCase: true, out var read) ? read : null;
        if (pending is not null)
        {
            predicted = pending.Count;
            var recent = await audit.QueryAsync(now.AddMinutes(-actions.DedupeMinutes), kind: AuditKinds.Proposal, cancellationToken: cancellationToken).ConfigureAwait(false);
            foreach (var p in pending)
            {
                // The highest allowed tier; if none is allowed but the prediction is confident and high enough for
                // one, that tier is proposed anyway, blocked, so the trail shows what the guards held back and why.
                var verdicts = p.Guards;
                var tier = verdicts.HighestTier > 0 ? verdicts.HighestTier : WantedTier(p.Probability, verdicts.Gate.Passed);
                if (tier == 0)
                {
                    continue;
                }

                if (recent.Any(r => r.JobId == p.JobId && r.Tier == tier))
                {
                    skipped++;
                    Record(AuditKinds.Skipped, $"tier {tier} already proposed for {p.JobId} within {actions.DedupeMinutes:0} min", job: p.JobId, tier: tier);
                    continue;
                }

                ActionProposal proposal;
                try
                {
                    // The job's record is read again (it may have started); its prediction is the one just made.
                    proposal = await planner.ProposeAsync(p.JobId, tier, cancellationToken, scheduler, scored: p).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is ActionInputException or VgacApiException)
                {
                    // The job started or vanished between scoring and proposing, or VGAC could not tell: nothing to propose.
                    Record(AuditKinds.Skipped, $"no proposal for {p.JobId}: {ex.Message}", job: p.JobId, tier: tier);
                    continue;
                }

                proposal = proposal.Stamped(string.Create(CultureInfo.InvariantCulture, $"{cycle}"));
                proposals.Add(proposal);
                var next = !proposal.Allowed ? "never runs"
                    : AutonomyPolicy.MayRunUnattended(actions.Autonomy, proposal.Tier, proposal.Allowed) ? $"runs unattended (autonomy {Name(actions.Autonomy)})"
                    : "awaiting approval";
                Record(AuditKinds.Proposal, $"{proposal.Action} {proposal.JobId} (tier {proposal.Tier}): {(proposal.Allowed ? "allowed" : "blocked")} by {proposal.Rule}; {next}",
                    WatchJson.Serialize(proposal), proposal.JobId, proposal.Tier, proposal.ProposalId);
            }
        }
        else if (status is not null)
        {
            failures.Add("actor: no predictions this cycle, nothing proposed");
        }

        // What runs unattended is checked again (fresh prediction and calibration) and started in the same transaction
        // as its proposal, reserving its job and tier, so a crash between the commit and the execution is visible next
        // cycle (interrupted), never a silent "awaiting approval", and a concurrent approval cannot run it twice.
        var decidedBy = $"autonomy {Name(actions.Autonomy)}";
        var executions = new List<ExecutionRecord>();
        var starting = new List<ActionProposal>();
        foreach (var proposal in proposals.Where(p => AutonomyPolicy.MayRunUnattended(actions.Autonomy, p.Tier, p.Allowed)))
        {
            CheckedAction check;
            try
            {
                check = await runner.CheckAsync(proposal, cancellationToken, scheduler).ConfigureAwait(false);
            }
            catch (VgacApiException ex)
            {
                failures.Add($"actor: VGAC could not confirm {proposal.JobId} before running it ({ex.Message})");
                continue; // left awaiting approval: a person can decide later, with fresh checks of their own
            }

            var (record, refused) = runner.Plan(check, cycle, decidedBy);
            events.Add(record);
            if (refused is null)
            {
                starting.Add(proposal);
            }
            else
            {
                executions.Add(refused);
            }
        }

        var outage = failures.Count == 0 ? null : string.Join("; ", failures);
        if (outage is not null)
        {
            Record(AuditKinds.Outage, outage);
        }

        var conflicts = await audit.AppendAsync(events, runner.Reservations(decidedBy), cancellationToken).ConfigureAwait(false);
        var started = events.Count(e => e.Kind == AuditKinds.ExecutionStarted) - conflicts.Count;
        var written = $"cycle {cycle}'s {Core.Text.Words.Count(events.Count, "record")} ({Core.Text.Words.Count(proposals.Count, "proposal")}, {Core.Text.Words.Count(started, "start")})";
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
            executions.Add(await runner.ExecuteStartedAsync(proposal, cycle, decidedBy).ConfigureAwait(false));
            Committed = $"{written} and {Core.Text.Words.Count(executions.Count(e => e.Outcome is not null), "outcome")}";
        }

        return new CycleReport(cycle, now, outage, observation, calibration, actions.Autonomy, predicted, proposals, skipped, executions, verified, interrupted)
        {
            Cluster = audit.Cluster ?? AuditStore.DefaultCluster,
        };
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

    private static string Name(Autonomy autonomy) => autonomy.ToString().ToLowerInvariant();

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
