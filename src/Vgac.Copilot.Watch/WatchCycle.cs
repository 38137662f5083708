using System.Globalization;
using Vgac.Copilot.Client;
using Vgac.Copilot.Contracts;
using Vgac.Copilot.Core.Calibration;
using Vgac.Copilot.Core.Guards;
using Vgac.Copilot.Plugins;
using Vgac.Copilot.Plugins.Actions;
using Vgac.Copilot.Plugins.Catalog;
using Vgac.Copilot.Plugins.Results;
using Vgac.Copilot.Watch.Actions;

namespace Vgac.Copilot.Watch;

/// <summary>What the Calibrator found this cycle.</summary>
public sealed record CalibrationSnapshot(
    double? ReportedEce, double? AuditedEce, int AuditedSamples, double? EffectiveEce, double? DriftRatio, DriftLevel Drift, double? Psi, string Reason,
    double? AuditedEceNoiseFloor = null);

/// <summary>What the Observer saw this cycle.</summary>
public sealed record ObservationSnapshot(ClusterResult Cluster, IReadOnlyList<Finding> Findings);

/// <summary>What one cycle saw, proposed, ran and verified.</summary>
public sealed record CycleReport(
    long Cycle,
    DateTimeOffset At,
    string? Outage,
    ObservationSnapshot? Observation,
    CalibrationSnapshot? Calibration,
    Autonomy Autonomy,
    int Predicted,
    IReadOnlyList<ProposalResult> Proposals,
    int SkippedDuplicates,
    IReadOnlyList<ExecutionRecord> Executions,
    int Verified,
    int Interrupted,
    string? Failure = null)
{
    public DriftLevel Drift => Calibration?.Drift ?? DriftLevel.Unknown;

    /// <summary>A cycle that could not run at all for a reason other than VGAC (nothing of it was recorded).</summary>
    public static CycleReport Failed(DateTimeOffset at, Autonomy autonomy, string failure) =>
        new(0, at, null, null, null, autonomy, 0, [], 0, [], 0, 0, failure);
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
    IVgacClient vgac,
    ObserverPlugin observer,
    LiveAuditor auditor,
    CalibrationProvider calibrationProvider,
    GuardPolicy guards,
    ActionPlanner planner,
    ActionRunner runner,
    EffectVerifier verifier,
    AuditStore audit,
    WatchOptions options,
    WatchClock clock)
{
    private readonly QueueBaseline _queue = new();

    public async Task<CycleReport> RunOnceAsync(CancellationToken cancellationToken)
    {
        var cycle = await audit.LastCycleAsync(cancellationToken).ConfigureAwait(false) + 1;
        var now = clock.Now;
        var events = new List<AuditEvent>();
        void Record(string kind, string summary, string? payload = null, string? job = null, int? tier = null, string? proposal = null) =>
            events.Add(new AuditEvent(0, now, cycle, kind, job, tier, proposal, summary, payload));

        ObservationSnapshot? observation = null;
        CalibrationSnapshot? calibration = null;
        var proposals = new List<ProposalResult>();
        var (predicted, skipped, verified, interrupted) = (0, 0, 0, 0);
        string? outage = null;
        try
        {
            var checks = await verifier.VerifyAsync(cycle, cancellationToken).ConfigureAwait(false);
            events.AddRange(checks);
            (verified, interrupted) = (checks.Count(e => e.Kind == AuditKinds.Verification), checks.Count(e => e.Kind == AuditKinds.Execution));

            var cluster = await observer.ClusterSummaryAsync(cancellationToken).ConfigureAwait(false);
            var anomalies = await observer.AnomaliesAsync(cancellationToken).ConfigureAwait(false);
            observation = new ObservationSnapshot(cluster, [.. anomalies.Findings, .. _queue.Observe(cluster.QueueDepth)]);
            Record(AuditKinds.Observation,
                $"{cluster.GpusAvailable}/{cluster.GpusTotal} GPUs free, {cluster.JobsPending} pending, {observation.Findings.Count} findings", WatchJson.Serialize(observation));

            CalibrationAudit? own = null;
            CalibrationStatus status;
            if (options.CalibrationAuditJobs > 0)
            {
                var live = await auditor.AuditAsync(options.CalibrationAuditJobs, cancellationToken).ConfigureAwait(false);
                (own, status) = (live.Audit, live.Reported);
            }
            else
            {
                calibrationProvider.Invalidate();
                status = await calibrationProvider.GetAsync(cancellationToken).ConfigureAwait(false);
            }

            var drift = guards.Drift(status.ToFacts());
            calibration = new CalibrationSnapshot(status.ReportedEce, own?.Metrics.Ece, own?.Metrics.N ?? 0, drift.EffectiveEce, drift.Ratio, drift.Level, own?.Psi, drift.Reason, own?.EceNoiseFloor);
            Record(AuditKinds.Calibration, drift.Reason, WatchJson.Serialize(calibration));
            if (!status.IsAvailable)
            {
                throw new VgacUnavailableException(status.Error ?? "calibration unavailable", VgacEndpoints.JobsPredictCalibration);
            }

            var pending = await vgac.PredictPendingJobsAsync(options.PendingJobsLimit, cancellationToken).ConfigureAwait(false);
            SchedulerType? scheduler = Enum.TryParse<SchedulerType>(cluster.Scheduler, ignoreCase: true, out var read) ? read : null;
            predicted = pending.Predictions.Count;
            var recent = await audit.QueryAsync(now.AddMinutes(-options.DedupeMinutes), kind: AuditKinds.Proposal, cancellationToken: cancellationToken).ConfigureAwait(false);
            foreach (var p in pending.Predictions)
            {
                var verdicts = guards.Evaluate(new PredictionFacts(p.PredictedProbabilityLongWait, p.Confidence, p.IsCalibrated, false), status.ToFacts());

                // The highest allowed tier; if none is allowed but the prediction is confident and high enough for
                // one, that tier is proposed anyway, blocked, so the trail shows what the guards held back and why.
                var tier = verdicts.HighestTier > 0 ? verdicts.HighestTier : WantedTier(p.PredictedProbabilityLongWait, verdicts.Gate.Passed);
                if (tier == 0)
                {
                    continue;
                }

                if (recent.Any(r => r.JobId == p.JobId && r.Tier == tier))
                {
                    skipped++;
                    Record(AuditKinds.Skipped, $"tier {tier} already proposed for {p.JobId} within {options.DedupeMinutes:0} min", job: p.JobId, tier: tier);
                    continue;
                }

                ProposalResult proposal;
                try
                {
                    proposal = await planner.ProposeAsync(p.JobId, tier, cancellationToken, scheduler).ConfigureAwait(false);
                }
                catch (ToolInputException ex)
                {
                    // The job started (or vanished) between scoring and proposing: nothing to propose.
                    Record(AuditKinds.Skipped, $"no proposal for {p.JobId}: {ex.Message}", job: p.JobId, tier: tier);
                    continue;
                }

                proposal = proposal.Stamped(string.Create(CultureInfo.InvariantCulture, $"{cycle}"));
                proposals.Add(proposal);
                var next = !proposal.Allowed ? "never runs"
                    : AutonomyPolicy.MayRunUnattended(options.Autonomy, proposal.Tier, proposal.Allowed) ? $"runs unattended (autonomy {Name(options.Autonomy)})"
                    : "awaiting approval";
                Record(AuditKinds.Proposal, $"{proposal.Action} {proposal.JobId} (tier {proposal.Tier}): {(proposal.Allowed ? "allowed" : "blocked")} by {proposal.Rule}; {next}",
                    WatchJson.Serialize(proposal), proposal.JobId, proposal.Tier, proposal.ProposalId);
            }
        }
        catch (VgacApiException ex)
        {
            // Nothing from a failed cycle feeds an action; what was seen before the failure is kept with the outage.
            outage = ex.Message;
            proposals.Clear();
            events.RemoveAll(e => e.Kind is AuditKinds.Proposal or AuditKinds.Skipped);
            Record(AuditKinds.Outage, ex.Message);
        }

        // What runs unattended is started in the same transaction as its proposal, so a crash between the commit and
        // the execution is visible next cycle (interrupted), never a silent "awaiting approval".
        var decidedBy = $"autonomy {Name(options.Autonomy)}";
        var executions = new List<ExecutionRecord>();
        var starting = new List<ProposalResult>();
        foreach (var proposal in proposals.Where(p => AutonomyPolicy.MayRunUnattended(options.Autonomy, p.Tier, p.Allowed)))
        {
            var (record, refused) = await runner.PlanAsync(proposal, cycle, decidedBy, cancellationToken).ConfigureAwait(false);
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

        await audit.AppendAsync(events, cancellationToken).ConfigureAwait(false);
        foreach (var proposal in starting)
        {
            executions.Add(await runner.ExecuteStartedAsync(proposal, cycle, decidedBy).ConfigureAwait(false));
        }

        return new CycleReport(cycle, now, outage, observation, calibration, options.Autonomy, predicted, proposals, skipped, executions, verified, interrupted);
    }

    /// <summary>The highest tier whose probability threshold a confident prediction meets (0: none, or not confident).</summary>
    private int WantedTier(double probability, bool gatePassed) =>
        gatePassed ? guards.Options.EffectiveTiers.Where(t => probability >= t.Epsilon).Select(t => t.Tier).DefaultIfEmpty(0).Max() : 0;

    private static string Name(Autonomy autonomy) => autonomy.ToString().ToLowerInvariant();

    /// <summary>Queue depth against its own recent baseline (the median of the last cycles).</summary>
    private sealed class QueueBaseline
    {
        private const int Window = 10;
        private readonly Queue<int> _depths = new();

        public IEnumerable<Finding> Observe(int depth)
        {
            Finding? finding = null;
            if (_depths.Count >= 3)
            {
                var median = _depths.Order().ElementAt(_depths.Count / 2);
                if (depth >= 5 && depth >= 2 * Math.Max(1, median))
                {
                    finding = new Finding("queue_depth_jump", "warning",
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
