using Vgac.Copilot.Calibration;
using Vgac.Copilot.Client;

namespace Vgac.Copilot.Core.Calibration;

/// <summary>The copilot's own audit of the model behind a VGAC, beside what VGAC reports about itself.</summary>
/// <param name="Audit">The audit of submit-time predictions against outcomes; null when there were none.</param>
/// <param name="Reported">What VGAC reports about its calibration.</param>
/// <param name="EffectiveEce">The worse of reported and audited.</param>
/// <param name="OutcomesUsed">History rows with a submit-time prediction and an outcome.</param>
/// <param name="HistoryRows">History rows read.</param>
/// <param name="Summary">One line for people.</param>
/// <param name="WaitCoverage">How the wait intervals at the configured level fared on the history, replayed; null when they could not be calibrated.</param>
/// <param name="Source">The VGAC audited: its canonical base URL, and the cluster id and model version it gave.</param>
public sealed record LiveAudit(CalibrationAudit? Audit, CalibrationStatus Reported, double? EffectiveEce, int OutcomesUsed, int HistoryRows, string Summary, CoverageMonitor? WaitCoverage = null, AuditSource? Source = null);

/// <summary>
/// Audits a live VGAC: pulls job history (the prediction made at submit beside the actual outcome), computes the
/// metrics, compares them with <c>/api/jobs/predict/calibration</c>, and records the audit so the guards use the
/// worse of the two from then on.
/// </summary>
public sealed class LiveAuditor(
    IVgacClient client, CalibrationAuditor auditor, CalibrationProvider calibration, Guards.GuardPolicy guards, WaitIntervals intervals,
    Microsoft.Extensions.Options.IOptions<VgacClientOptions> vgac)
{
    public const int HistoryLimit = 1000;

    /// <summary>
    /// Audits the submit-time predictions of the most recent <paramref name="historyLimit"/> finished jobs against
    /// their outcomes, and the PSI of the model's input feature (pending ratio at submit), older half against newer half.
    /// </summary>
    /// <param name="historyLimit">Finished jobs to read.</param>
    /// <param name="cancellationToken">Cancels the calls.</param>
    /// <param name="persist">Record the audit for every process's guards (the watch cycle records it in its own transaction instead).</param>
    public async Task<LiveAudit> AuditAsync(int historyLimit = HistoryLimit, CancellationToken cancellationToken = default, bool persist = true)
    {
        var waits = intervals.GetAsync(cancellationToken);
        var identity = ClusterIdAsync(cancellationToken);
        var history = await client.GetJobHistoryAsync(new JobHistoryQuery(Limit: historyLimit), cancellationToken).ConfigureAwait(false);
        // A submit-time probability outside [0, 1] breaks the contract: such rows are left out, never clamped into the audit.
        var outcomes = history.Jobs
            .Where(j => j.PredictionAtSubmit is not null && j.LongWait is not null && Guards.VgacValues.Unit(j.PredictionAtSubmit.ProbabilityLongWait, "p") is null)
            .OrderBy(j => j.SubmitTime)
            .ToList();
        // What the audited VGAC says it is: its cluster id, and the model version behind the newest audited prediction.
        var modelVersion = outcomes.LastOrDefault(j => j.PredictionAtSubmit!.ModelVersion is { Length: > 0 })?.PredictionAtSubmit!.ModelVersion;
        var source = new AuditSource(AuditSource.Canonical(vgac.Value.BaseUrl), await identity.ConfigureAwait(false), Text.UntrustedText.Clean(modelVersion, 64) is { Length: > 0 } m ? m : null);
        CalibrationAudit? audit = null;
        if (outcomes.Count > 0)
        {
            audit = auditor.Audit(
                [.. outcomes.Select(j => j.PredictionAtSubmit!.ProbabilityLongWait)],
                [.. outcomes.Select(j => j.LongWait == true ? 1 : 0)],
                psi: FeaturePsi(outcomes));
            if (persist)
            {
                await calibration.RecordAuditAsync(audit.Debiased.Estimate, audit.Metrics.N, audit.Debiased.Low, source, cancellationToken).ConfigureAwait(false);
            }
        }

        var reported = await calibration.GetAsync(cancellationToken, fresh: true).ConfigureAwait(false);
        if (!persist && audit is not null)
        {
            // The caller records this audit itself; the guards' view of this cycle weighs it with the audits in force.
            var mine = new AuditedCalibration(audit.Debiased.Estimate, audit.Metrics.N, reported.FetchedAt, audit.Debiased.Low, source);
            AuditedCalibration[] inForce = reported.AuditedEce is { } ece ? [new AuditedCalibration(ece, reported.AuditedSamples, reported.FetchedAt, reported.AuditedEceLow)] : [];
            var worst = AuditedCalibration.Worst([mine, .. inForce], guards.Options.LearningModeMinSamples) ?? mine;
            reported = reported with { AuditedEce = worst.Ece, AuditedSamples = worst.Samples, AuditedEceLow = worst.EceLow };
        }

        var effective = reported.ToFacts().EffectiveEce(guards.Options.LearningModeMinSamples);
        var summary = (audit, reported.ReportedEce) switch
        {
            (null, _) => $"No outcomes with a submit-time prediction in the last {history.Jobs.Count} jobs: nothing to audit.",
            ({ } a, { } r) => $"Audited {Figures(a)} vs reported {r:0.000} on {reported.ReportedSamples}; effective ECE {effective:0.000}.",
            ({ } a, null) => $"Audited {Figures(a)}; VGAC reported nothing ({reported.Error}).",
        };
        var coverage = (await waits.ConfigureAwait(false)).Model?.Monitors.GetValueOrDefault(intervals.Level);
        return new LiveAudit(audit, reported, effective, outcomes.Count, history.Jobs.Count, summary, coverage, source);
    }

    /// <summary>What the VGAC said it is, once it said it (a watch audits every cycle; the question is asked once per process).</summary>
    private string? _clusterId;

    /// <summary>The <c>cluster_id</c> the VGAC gives (its quick summary), or null when it does not answer: the source is recorded either way.</summary>
    private async Task<string?> ClusterIdAsync(CancellationToken cancellationToken)
    {
        if (_clusterId is { } known)
        {
            return known;
        }

        try
        {
            var summary = await client.GetQuickClusterSummaryAsync(cancellationToken).ConfigureAwait(false);
            return _clusterId = Text.UntrustedText.Clean(summary.ClusterId, 128) is { Length: > 0 } id ? id : null;
        }
        catch (VgacApiException)
        {
            return null;
        }
    }

    /// <summary>The audit's plain and debiased ECE with its interval, as one phrase.</summary>
    public static string Figures(CalibrationAudit a) => string.Create(
        System.Globalization.CultureInfo.InvariantCulture,
        $"ECE {a.Metrics.Ece:0.000} on {a.Metrics.N} outcomes (debiased {a.Debiased.Estimate:0.000}, {a.Debiased.Level:0%} interval {a.Debiased.Low:0.000}-{a.Debiased.High:0.000})");

    /// <summary>PSI of the pending ratio the model saw, older half (reference) against newer half; null when too few.</summary>
    private static double? FeaturePsi(List<Contracts.JobInfo> outcomes)
    {
        var ratios = outcomes.Where(j => j.PredictionAtSubmit!.PendingRatio is not null).Select(j => j.PredictionAtSubmit!.PendingRatio!.Value).ToArray();
        if (ratios.Length < 100)
        {
            return null;
        }

        var half = ratios.Length / 2;
        return Vgac.Copilot.Calibration.CalibrationExtras.Psi(ratios.AsSpan(0, half), ratios.AsSpan(half));
    }
}
