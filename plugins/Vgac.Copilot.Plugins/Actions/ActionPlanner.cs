using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Vgac.Copilot.Client;
using Vgac.Copilot.Contracts;
using Vgac.Copilot.Core.Calibration;
using Vgac.Copilot.Core.Guards;
using Vgac.Copilot.Plugins.Catalog;
using Vgac.Copilot.Plugins.Results;

namespace Vgac.Copilot.Plugins.Actions;

/// <summary>
/// Turns a job's current prediction into a proposal for one tier: the guard verdict and an exact preview of the
/// effect (Kubernetes annotation patch, Slurm command, or notification payload). Proposing changes nothing.
/// </summary>
public sealed class ActionPlanner(IVgacClient vgac, CalibrationProvider calibration, GuardPolicy guards)
{
    /// <param name="jobId">The pending job.</param>
    /// <param name="tier">1-4, or 0 for the highest the guards allow.</param>
    /// <param name="cancellationToken">Cancels the calls to VGAC.</param>
    /// <param name="scheduler">The cluster's scheduler when the caller already read it (the watch cycle); else it is read.</param>
    public async Task<ProposalResult> ProposeAsync(string jobId, int tier, CancellationToken cancellationToken, SchedulerType? scheduler = null)
    {
        var tiers = guards.Options.EffectiveTiers;
        if (tier < 0 || tier > tiers.Count)
        {
            throw new ToolInputException($"tier must be 0 (the highest allowed) or 1-{tiers.Count}, got {tier}.");
        }

        var job = await vgac.GetJobAsync(ToolArgs.JobId(jobId), cancellationToken).ConfigureAwait(false);
        if (job.State != JobState.Pending)
        {
            throw new ToolInputException($"Job {job.JobId} is {job.State.ToString().ToLowerInvariant()}; actions apply to pending jobs only.");
        }

        var flavorTask = scheduler is { } known ? Task.FromResult(known) : SchedulerAsync(cancellationToken);
        var predictionTask = vgac.PredictJobAsync(ToolArgs.RequestFor(job), cancellationToken);
        var status = await calibration.GetAsync(cancellationToken).ConfigureAwait(false);
        var prediction = await predictionTask.ConfigureAwait(false);
        var flavor = await flavorTask.ConfigureAwait(false);

        // Guards decide on VGAC's numbers only; nothing in the job's own fields (its name, say) is an instruction.
        var report = guards.Evaluate(
            new PredictionFacts(prediction.PredictedProbabilityLongWait, prediction.Confidence, prediction.IsCalibrated, false), status.ToFacts());
        var chosen = tier == 0 ? Math.Max(1, report.HighestTier) : tier;
        var verdict = report.Tiers[chosen - 1];
        var brief = PredictionBrief.From(report, status, false, prediction.PredictedProbabilityLongWait, prediction.Confidence, null,
            prediction.PredictedWaitSeconds, prediction.Recommendation, prediction.Policy?.PriorityClass.ToString(), null);
        var (kind, preview) = Preview(job, verdict, prediction, flavor);
        return new ProposalResult(ProposalId(job.JobId, chosen, prediction), job.JobId, chosen, verdict.Action, verdict.Allowed, verdict.Rule,
            verdict.Reason, kind, preview, brief, DryRun: true);
    }

    private async Task<SchedulerType> SchedulerAsync(CancellationToken cancellationToken) =>
        (await vgac.GetClusterSummaryAsync(cancellationToken).ConfigureAwait(false)).SchedulerType;

    private static (string Kind, string Preview) Preview(JobInfo job, TierVerdict verdict, WaitPrediction p, SchedulerType flavor)
    {
        var probability = p.PredictedProbabilityLongWait.ToString("0.###", CultureInfo.InvariantCulture);
        var confidence = p.Confidence.ToString("0.###", CultureInfo.InvariantCulture);
        var slurm = flavor == SchedulerType.Slurm;
        return verdict.Action switch
        {
            "warn" or "suggest" => ("notification", JsonSerializer.Serialize(new Dictionary<string, string>
            {
                ["text"] = string.Create(CultureInfo.InvariantCulture,
                    $"VGAC: job {job.JobId} ({job.Namespace}, {job.Gpus} GPU) is likely to wait long: P(long wait) {probability}, confidence {confidence}, about {p.PredictedWaitSeconds / 60:0} min.{(verdict.Action == "suggest" && p.Recommendation is { } r ? $" Suggestion: {r}." : "")}"),
            }, PluginJson.StringMap)),
            "gate" => slurm
                ? ("slurm_command", $"scontrol hold {job.JobId} && scontrol update JobId={job.JobId} Comment=\"vgac: gated, p_long_wait={probability}, confirm to release\"")
                : ("kubernetes_patch", Annotations(job, probability, confidence, verdict.Tier, ("vgac.io/gate", "confirmation-required"))),
            _ => slurm
                ? ("slurm_command", $"scontrol update JobId={job.JobId} Comment=\"vgac: p_long_wait={probability} confidence={confidence} tier={verdict.Tier}\"")
                : ("kubernetes_patch", Annotations(job, probability, confidence, verdict.Tier)),
        };
    }

    private static string Annotations(JobInfo job, string probability, string confidence, int tier, params (string Key, string Value)[] extra)
    {
        var annotations = new Dictionary<string, string>
        {
            ["vgac.io/probability-long-wait"] = probability,
            ["vgac.io/confidence"] = confidence,
            ["vgac.io/tier"] = tier.ToString(CultureInfo.InvariantCulture),
        };
        foreach (var (key, value) in extra)
        {
            annotations[key] = value;
        }

        var patch = JsonSerializer.Serialize(annotations, PluginJson.StringMap);
        return $"kubectl -n {job.Namespace} patch pod {job.JobId} --type merge -p '{{\"metadata\":{{\"annotations\":{patch}}}}}'";
    }

    private static string ProposalId(string jobId, int tier, WaitPrediction p)
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture, $"{jobId}|{tier}|{p.PredictedProbabilityLongWait}|{p.ModelVersion}")));
        return $"prop-{Convert.ToHexStringLower(hash)[..10]}";
    }
}
