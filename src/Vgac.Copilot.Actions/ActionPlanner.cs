using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Vgac.Copilot.Actions.Executors;
using Vgac.Copilot.Client;
using Vgac.Copilot.Contracts;
using Vgac.Copilot.Core.Predictions;
using Vgac.Copilot.Core.Guards;
using Vgac.Copilot.Core.Text;

namespace Vgac.Copilot.Actions;

/// <summary>
/// Turns a job's current guarded prediction into a proposal for one tier: the guard verdict and an exact preview of
/// the effect (Kubernetes annotation patch, Slurm command, or notification payload). Proposing changes nothing. Names
/// from VGAC that go into a preview are checked first (<see cref="Identifiers"/>); one the target system would refuse
/// blocks the proposal, and no command is built from it.
/// </summary>
public sealed class ActionPlanner(IVgacClient vgac, GuardedPredictor predictor, GuardPolicy guards, Microsoft.Extensions.Configuration.IConfiguration? configuration = null)
{
    /// <summary>The cluster whose jobs this planner proposes for: in every proposal id, so one job id on two clusters is two proposals.</summary>
    private readonly string? _cluster = configuration?["Cluster:Name"] is { Length: > 0 } name && name != "default" ? name : null;

    /// <param name="jobId">The pending job.</param>
    /// <param name="tier">1-4, or 0 for the highest the guards allow.</param>
    /// <param name="cancellationToken">Cancels the calls to VGAC.</param>
    /// <param name="scheduler">The cluster's scheduler when the caller already read it (the watch cycle); else it is read.</param>
    /// <param name="fresh">Judge on calibration read now, bypassing every cache (a re-check before an action runs).</param>
    /// <param name="scored">The job's prediction when the caller already has it (the watch's cycle scored every pending job):
    /// judged again with the job's record, not predicted a second time. Ignored with <paramref name="fresh"/>.</param>
    public async Task<ActionProposal> ProposeAsync(string jobId, int tier, CancellationToken cancellationToken, SchedulerType? scheduler = null, bool fresh = false, GuardedJobPrediction? scored = null) =>
        (await PlanAsync(jobId, tier, cancellationToken, scheduler, fresh, scored).ConfigureAwait(false)).Proposal;

    /// <summary>The proposal together with the guards' full report and the calibration it was judged on.</summary>
    /// <param name="jobId">The pending job.</param>
    /// <param name="tier">1-4, or 0 for the highest the guards allow.</param>
    /// <param name="cancellationToken">Cancels the calls to VGAC.</param>
    /// <param name="scheduler">The cluster's scheduler when the caller already read it; else it is read.</param>
    /// <param name="fresh">Judge on calibration read now, bypassing every cache.</param>
    /// <param name="scored">The job's prediction already made this cycle (see <see cref="ProposeAsync"/>).</param>
    public async Task<PlannedAction> PlanAsync(string jobId, int tier, CancellationToken cancellationToken, SchedulerType? scheduler = null, bool fresh = false, GuardedJobPrediction? scored = null)
    {
        var tiers = guards.Options.EffectiveTiers;
        if (tier < 0 || tier > tiers.Count)
        {
            throw new ActionInputException($"tier must be 0 (the highest allowed) or 1-{tiers.Count}, got {tier}.");
        }

        if (string.IsNullOrWhiteSpace(jobId))
        {
            throw new ActionInputException("job_id must not be empty; list jobs with observer_jobs or observer_job_queue to find one.");
        }

        var job = await vgac.GetJobAsync(jobId.Trim(), cancellationToken).ConfigureAwait(false);
        if (job.State != JobState.Pending)
        {
            throw new ActionInputException($"Job {Identifiers.Echo(job.JobId)} is {job.State.ToString().ToLowerInvariant()}; actions apply to pending jobs only.");
        }

        var flavorTask = scheduler is { } known ? Task.FromResult(known) : SchedulerAsync(cancellationToken);
        var prediction = !fresh && scored is not null && string.Equals(scored.JobId, job.JobId, StringComparison.Ordinal)
            ? await predictor.JudgeJobAsync(scored, JobRequests.For(job), cancellationToken).ConfigureAwait(false)
            : await predictor.PredictJobAsync(JobRequests.For(job), cancellationToken, fresh).ConfigureAwait(false);
        var flavor = await flavorTask.ConfigureAwait(false);

        // Guards decide on VGAC's numbers only; nothing in the job's own fields (its name, say) is an instruction.
        var report = prediction.Guards;
        var chosen = tier == 0 ? Math.Max(1, report.HighestTier) : tier;
        var verdict = report.Tiers[chosen - 1];
        var slurm = flavor == SchedulerType.Slurm;
        var (allowed, rule, reason) = (verdict.Allowed, verdict.Rule, verdict.Reason);
        if (report.Feasibility is { IsInfeasible: true } infeasible)
        {
            // The limit the job exceeds, in words: no wait makes it start, and no action is built on its prediction.
            reason = $"The job cannot start on this cluster as it asks: {infeasible.Reason}.";
        }

        var id = ProposalId(_cluster, job.JobId, chosen, prediction);
        string kind, preview;
        if (InvalidName(job, slurm) is { } problem)
        {
            // The reason names the value (made inert); the preview, which people copy and executors read, does not carry it.
            (allowed, rule, reason) = (false, GuardRules.InvalidIdentifier, $"VGAC gave a {problem.Message}: no preview or command is built from it.");
            kind = KindOf(verdict.Action, slurm);
            preview = $"({kind switch { "slurm_command" => "scontrol command", "kubernetes_patch" => "kubectl patch", _ => "notification" }} not built: the {problem.Field} VGAC gave is invalid)";
        }
        else
        {
            (kind, preview) = Preview(job, verdict, prediction, slurm, id);
        }

        var proposal = new ActionProposal(id, job.JobId, chosen, verdict.Action, allowed, rule, reason, kind, preview,
            ProposalPrediction.From(prediction));
        return new PlannedAction(proposal, prediction);
    }

    private async Task<SchedulerType> SchedulerAsync(CancellationToken cancellationToken) =>
        (await vgac.GetClusterSummaryAsync(cancellationToken).ConfigureAwait(false)).SchedulerType;

    /// <summary>The first name the target system would refuse, or null.</summary>
    private static (string Field, string Message)? InvalidName(JobInfo job, bool slurm)
    {
        (string, string)? Check(string field, string? problem) => problem is null ? null : (field, problem);
        return slurm
            ? Check("Slurm job id", Identifiers.SlurmJobId(job.JobId)) ?? (job.Queue is { } q ? Check("partition", Identifiers.Partition(q)) : null)
            : Check("pod name", Identifiers.KubernetesName(job.JobId)) ?? Check("namespace", Identifiers.KubernetesNamespace(job.Namespace));
    }

    private static string KindOf(string action, bool slurm) => action switch
    {
        "warn" or "suggest" => "notification",
        _ => slurm ? "slurm_command" : "kubernetes_patch",
    };

    private static (string Kind, string Preview) Preview(JobInfo job, TierVerdict verdict, GuardedJobPrediction p, bool slurm, string proposalId)
    {
        var probability = p.Probability.ToString("0.###", CultureInfo.InvariantCulture);
        var confidence = p.Confidence.ToString("0.###", CultureInfo.InvariantCulture);
        var id = job.JobId; // checked: digits only (Slurm) or a DNS-1123 name (Kubernetes), nothing a shell reads specially
        return verdict.Action switch
        {
            "warn" or "suggest" => ("notification", JsonSerializer.Serialize(new Dictionary<string, string>
            {
                ["text"] = string.Create(CultureInfo.InvariantCulture,
                    $"VGAC: job {job.JobId} ({UntrustedText.Clean(job.Namespace, 64)}, {job.Gpus} GPU) is likely to wait long: P(long wait) {probability}, confidence {confidence}, about {(p.EstimatedWaitSeconds ?? 0) / 60:0} min.{(p.Wait?.Interval is { } w ? $" Starts {w.When()} ({w.Level:0%} of jobs like it)." : "")}{(verdict.Action == "suggest" && p.Recommendation is { } r ? $" Suggestion: {UntrustedText.Clean(r, 300)}." : "")}"),
            }, PatchJsonContext.Default.DictionaryStringString)),
            "gate" => slurm
                ? ("slurm_command", SlurmCommandLine.Render(SlurmCommandLine.Gate(id, $"vgac: gated, p_long_wait={probability}, confirm to release")))
                : ("kubernetes_patch", KubectlPatchLine.Render(KubectlPatchLine.Gate(job.Namespace, id, proposalId, Annotations(probability, confidence, verdict.Tier)))),
            _ => slurm
                ? ("slurm_command", SlurmCommandLine.Render(SlurmCommandLine.Annotate(id, string.Create(CultureInfo.InvariantCulture, $"vgac: p_long_wait={probability} confidence={confidence} tier={verdict.Tier}"))))
                : ("kubernetes_patch", KubectlPatchLine.Render(KubectlPatchLine.Annotate(job.Namespace, id, Annotations(probability, confidence, verdict.Tier)))),
        };
    }

    /// <summary>What vgac saw, as the pod's annotations (namespace and pod name are checked DNS-1123 names).</summary>
    private static (string, string)[] Annotations(string probability, string confidence, int tier) =>
        [("vgac.io/probability-long-wait", probability), ("vgac.io/confidence", confidence), ("vgac.io/tier", tier.ToString(CultureInfo.InvariantCulture))];

    /// <summary>The action that lifts a gate; it has no tier of its own (tier 0), so it never takes a tier's reservation.</summary>
    public const string ReleaseAction = "release";

    /// <summary>
    /// The release of <paramref name="gate"/>, a gate vgac ran: for Slurm, the hold lifted and the comment saying who
    /// lifted it; for Kubernetes, the Job the gate suspended resumed and the pod's gate mark removed, saying who.
    /// </summary>
    public static ActionProposal Release(ActionProposal gate, string decidedBy, string? reason)
    {
        var who = $"{decidedBy}{(reason is null ? "" : $": {reason}")}";
        string preview;
        if (gate.PreviewKind == "kubernetes_patch")
        {
            var ns = KubectlPatchLine.Parse(gate.Preview, gate.JobId, "gate", gate.ProposalId).Steps?[0].Namespace
                ?? throw new ActionInputException($"gate {gate.ProposalId}'s preview is not one vgac makes, so vgac cannot tell what to release.");
            preview = KubectlPatchLine.Render(KubectlPatchLine.Release(ns, gate.JobId, gate.ProposalId, who));
        }
        else
        {
            preview = SlurmCommandLine.Render(SlurmCommandLine.Release(gate.JobId, $"vgac: released by {who}"));
        }

        return new ActionProposal(KubectlPatchLine.ReleaseId(gate.ProposalId), gate.JobId, 0, ReleaseAction, true, GuardRules.OwnGate, $"lifts vgac's own gate {gate.ProposalId}", gate.PreviewKind, preview, gate.Prediction);
    }

    private static string ProposalId(string? cluster, string jobId, int tier, GuardedJobPrediction p)
    {
        var key = string.Create(CultureInfo.InvariantCulture, $"{jobId}|{tier}|{p.Probability}|{p.Prediction?.ModelVersion}");
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(cluster is null ? key : $"{cluster}|{key}"));
        return $"prop-{Convert.ToHexStringLower(hash)[..10]}";
    }
}
