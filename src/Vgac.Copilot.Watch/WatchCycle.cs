using System.Text.Json;
using Vgac.Copilot.Client;
using Vgac.Copilot.Core.Calibration;
using Vgac.Copilot.Core.Guards;
using Vgac.Copilot.Plugins;
using Vgac.Copilot.Plugins.Actions;
using Vgac.Copilot.Plugins.Catalog;
using Vgac.Copilot.Plugins.Results;

namespace Vgac.Copilot.Watch;

/// <summary>Settings of the watch loop (<c>Watch</c> section).</summary>
public sealed class WatchOptions
{
    public const string SectionName = "Watch";

    /// <summary>The SQLite audit file; default: the user's data folder.</summary>
    public string? AuditPath { get; set; }

    /// <summary>No second proposal for the same job and tier within this window.</summary>
    public double DedupeMinutes { get; set; } = 60;

    public int PendingJobsLimit { get; set; } = 20;
}

/// <summary>What one cycle saw and proposed.</summary>
public sealed record CycleReport(
    long Cycle,
    DateTimeOffset At,
    string? Outage,
    int GpusFree,
    int JobsPending,
    IReadOnlyList<Finding> Anomalies,
    string Drift,
    double? EffectiveEce,
    int Predicted,
    IReadOnlyList<ProposalResult> Proposals,
    int SkippedDuplicates);

/// <summary>
/// One cycle of the autonomous agents: Observer reads the cluster and flags anomalies, Calibrator judges the model,
/// Predictor scores the pending jobs, Actor turns each job's highest allowed tier into a proposal (dry run: nothing
/// is executed here). Everything it saw and proposed is appended to the audit trail in one transaction. A VGAC
/// outage is recorded as such and proposes nothing.
/// </summary>
public sealed class WatchCycle(
    IVgacClient vgac,
    ObserverPlugin observer,
    CalibrationProvider calibration,
    GuardPolicy guards,
    ActionPlanner planner,
    AuditStore audit,
    WatchOptions options,
    TimeProvider time)
{
    public async Task<CycleReport> RunOnceAsync(CancellationToken cancellationToken)
    {
        var cycle = await audit.LastCycleAsync(cancellationToken).ConfigureAwait(false) + 1;
        var now = time.GetUtcNow();
        var events = new List<AuditEvent>();
        void Record(string kind, string summary, object? payload = null, string? job = null, int? tier = null, string? proposal = null) =>
            events.Add(new AuditEvent(0, now, cycle, kind, job, tier, proposal, summary, payload is null ? null : JsonSerializer.Serialize(payload, PluginJson.Options.GetTypeInfo(payload.GetType()))));

        CycleReport report;
        try
        {
            var summary = await observer.ClusterSummaryAsync(cancellationToken).ConfigureAwait(false);
            var anomalies = await observer.AnomaliesAsync(cancellationToken).ConfigureAwait(false);
            Record(AuditKinds.Observation, $"{summary.GpusAvailable}/{summary.GpusTotal} GPUs free, {summary.JobsPending} pending, {anomalies.Findings.Count} findings", new { summary, anomalies.Findings });

            var status = await calibration.GetAsync(cancellationToken).ConfigureAwait(false);
            var drift = guards.Drift(status.ToFacts());
            Record(AuditKinds.Calibration, drift.Reason, new { status.ReportedEce, status.AuditedEce, drift.EffectiveEce, drift.Ratio, Level = drift.Level.ToString() });
            if (!status.IsAvailable)
            {
                throw new VgacUnavailableException(status.Error ?? "calibration unavailable", VgacEndpoints.JobsPredictCalibration);
            }

            var pending = await vgac.PredictPendingJobsAsync(options.PendingJobsLimit, cancellationToken).ConfigureAwait(false);
            var recent = await audit.QueryAsync(now.AddMinutes(-options.DedupeMinutes), kind: AuditKinds.Proposal, cancellationToken: cancellationToken).ConfigureAwait(false);
            var proposals = new List<ProposalResult>();
            var skipped = 0;
            foreach (var p in pending.Predictions)
            {
                var verdicts = guards.Evaluate(new PredictionFacts(p.PredictedProbabilityLongWait, p.Confidence, p.IsCalibrated, false), status.ToFacts());
                if (verdicts.HighestTier == 0)
                {
                    continue;
                }

                if (recent.Any(r => r.JobId == p.JobId && r.Tier == verdicts.HighestTier))
                {
                    skipped++;
                    Record(AuditKinds.Skipped, $"tier {verdicts.HighestTier} already proposed for {p.JobId} within {options.DedupeMinutes:0} min", job: p.JobId, tier: verdicts.HighestTier);
                    continue;
                }

                var proposal = await planner.ProposeAsync(p.JobId, verdicts.HighestTier, cancellationToken).ConfigureAwait(false);
                proposals.Add(proposal);
                Record(AuditKinds.Proposal, $"{proposal.Action} {proposal.JobId} (tier {proposal.Tier}): {(proposal.Allowed ? "allowed" : "blocked")} by {proposal.Rule}; awaiting approval", proposal, proposal.JobId, proposal.Tier, proposal.ProposalId);
            }

            report = new CycleReport(cycle, now, null, summary.GpusAvailable, summary.JobsPending, anomalies.Findings, drift.Level.ToString(), drift.EffectiveEce,
                pending.Predictions.Count, proposals, skipped);
        }
        catch (VgacApiException ex)
        {
            // Nothing from a failed cycle feeds an action; what was seen before the failure is kept with the outage.
            Record(AuditKinds.Outage, ex.Message);
            report = new CycleReport(cycle, now, ex.Message, 0, 0, [], "unknown", null, 0, [], 0);
        }

        await audit.AppendAsync(events, cancellationToken).ConfigureAwait(false);
        return report;
    }
}
