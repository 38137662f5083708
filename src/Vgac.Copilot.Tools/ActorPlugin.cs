using System.ComponentModel;
using System.Text;
using System.Text.Json;
using Vgac.Copilot.Client;
using Vgac.Copilot.Contracts;
using Vgac.Copilot.Core.Predictions;
using Docs = Vgac.Copilot.Core.Jobs.JobSpecInput.Docs;
using Vgac.Copilot.Core.Guards;
using Vgac.Copilot.Actions;
using Vgac.Copilot.Actions.Executors;
using Vgac.Copilot.Tools.Catalog;
using Vgac.Copilot.Tools.Results;
using Vgac.Copilot.Core.Text;

namespace Vgac.Copilot.Tools;

/// <summary>Actor: policy advice and action proposals — acting only where the guards and a person allow.</summary>
public sealed class ActorPlugin(
    IVgacClient vgac, GuardedPredictor predictor, GuardPolicy guards, ActionPlanner planner, IActionApprover approver, ActionQueue queue, IEnumerable<IPreviewChecker> checkers)
{
    [VgacTool(ToolNames.ActorRecommendPolicy, Title = "Scheduling policy advice")]
    [Description("VGAC's scheduling policy (priority class, preemption) for a job spec, shown only if confident.")]
    public async Task<PolicyResult> RecommendPolicyAsync(
        [Description(Docs.Gpus)] int gpus,
        [Description(Docs.MemoryGb)] double memory_gb = 1,
        [Description(Docs.Priority)] int priority = 0,
        [Description(Docs.Namespace)] string? @namespace = null,
        [Description(Docs.GpuType)] string? gpu_type = null,
        CancellationToken cancellationToken = default)
    {
        var spec = ToolArgs.Spec(gpus, 1000, memory_gb, priority, @namespace, null, gpu_type, false, null);
        var p = await predictor.PredictJobAsync(
            new JobPredictRequest { Gpus = spec.Gpus, MemoryGb = spec.MemoryGb, Priority = spec.Priority, Namespace = spec.Namespace, GpuType = spec.GpuType }, cancellationToken)
            .ConfigureAwait(false);
        var brief = PredictionBrief.From(p, ToolArgs.Describe(spec));
        var policy = p.Policy;
        return new PolicyResult(p.JobId, brief, policy?.PreemptionPolicy.ToString().ToLowerInvariant(), policy?.MemoryHintGb,
            policy?.Reason ?? $"withheld: the prediction is {p.ShownAs.Spoken()}", p.IsFallback ? null : p.Prediction?.ExpectedWaitRange);
    }

    [VgacTool(ToolNames.ActorAdmissionPreview, Title = "Admission webhook preview")]
    [Description("What VGAC's admission webhook would do to a GPU pod: allow or not, warnings, risk annotations.")]
    public async Task<AdmissionResult> AdmissionPreviewAsync(
        [Description(Docs.Gpus)] int gpus,
        [Description(Docs.Namespace)] string? @namespace = null,
        [Description(Docs.CpuMillicores)] double cpu_millicores = 1000,
        [Description(Docs.MemoryGb)] double memory_gb = 4,
        [Description(Docs.Priority)] int priority = 0,
        CancellationToken cancellationToken = default)
    {
        var spec = ToolArgs.Spec(gpus, cpu_millicores, memory_gb, priority, @namespace, null, null, false, null);
        var review = new AdmissionReview
        {
            Request = new AdmissionRequest
            {
                Uid = Guid.NewGuid().ToString(),
                Namespace = spec.Namespace,
                Object = new PodObject
                {
                    Metadata = new PodMetadata { Name = "vgac-preview", Namespace = spec.Namespace },
                    Spec = new PodSpecification
                    {
                        Priority = priority,
                        Containers =
                        [
                            new PodContainer
                            {
                                Name = "main",
                                Resources = new ContainerResources
                                {
                                    Requests = new Dictionary<string, string> { ["cpu"] = $"{spec.Cpu.ToString("0", System.Globalization.CultureInfo.InvariantCulture)}m", ["memory"] = $"{spec.MemoryGb.ToString(System.Globalization.CultureInfo.InvariantCulture)}G" },
                                    Limits = new Dictionary<string, string> { ["nvidia.com/gpu"] = gpus.ToString(System.Globalization.CultureInfo.InvariantCulture) },
                                },
                            },
                        ],
                    },
                },
            },
        };
        var response = (await vgac.ReviewAdmissionAsync(review, cancellationToken).ConfigureAwait(false)).Response
            ?? throw new ToolInputException("VGAC's webhook returned no response object.");
        return new AdmissionResult(response.Allowed, response.Warnings ?? [], DecodeAnnotations(response.Patch), response.Status?.Message);
    }

    [VgacTool(ToolNames.ActorProposeAction, Title = "Propose an action (dry run)")]
    [Description("Propose annotate/warn/suggest/gate for a pending job: guard verdict and exact preview. Changes nothing.")]
    public async Task<ProposalResult> ProposeActionAsync(
        [Description("Pending job id.")] string job_id,
        [Description("Tier 1-4, or 0 for the highest the guards allow.")] int tier = 0,
        CancellationToken cancellationToken = default)
    {
        var planned = await planner.PlanAsync(job_id, tier, cancellationToken).ConfigureAwait(false);
        var p = planned.Proposal;
        // An allowed preview the chosen executor can check is tried on the scheduler now (a server-side dry run).
        var check = p.Allowed && checkers.FirstOrDefault(c => c.Checks(p.PreviewKind)) is { } checker
            ? await checker.CheckPreviewAsync(new ExecutionRequest(p.ProposalId, p.JobId, p.Tier, p.Action, p.PreviewKind, p.Preview), cancellationToken).ConfigureAwait(false)
            : null;
        return ProposalResult.From(planned, check);
    }

    [VgacTool(ToolNames.ActorApplyAction, Title = "Apply an action", IsAction = true, Idempotent = false)]
    [Description("Carry out a tier's action for a pending job, only if the guards allow it and a person confirms.")]
    public async Task<ApplyResult> ApplyActionAsync(
        [Description("Pending job id.")] string job_id,
        [Description("Tier 1-4.")] int tier,
        IServiceProvider? services = null,
        CancellationToken cancellationToken = default)
    {
        if (tier < 1)
        {
            throw new ToolInputException($"tier must be 1-{guards.Options.EffectiveTiers.Count} to apply an action, got {tier}.");
        }

        var proposal = await planner.ProposeAsync(job_id, tier, cancellationToken).ConfigureAwait(false);
        if (!proposal.Allowed)
        {
            return Result(proposal, false, "blocked_by_guard", $"{proposal.Rule}: {proposal.Reason}");
        }

        var decision = await approver.ApproveAsync(proposal, services, cancellationToken).ConfigureAwait(false);
        if (decision.NoOneToAsk)
        {
            // Never run without a person's yes, never a dead end: the proposal waits where a person can decide it.
            var queued = await queue.QueueAsync(proposal, decision.Reason, cancellationToken).ConfigureAwait(false);
            var approve = $"vgac actions approve {queued.ProposalId} --reason \"...\"";
            return Result(queued, false, "queued_for_approval",
                $"Not run: {decision.Reason}. It waits in the approval queue as {queued.ProposalId}; a person approves it with: {approve} (the guards check it again then).") with
            {
                ApproveCommand = approve,
            };
        }

        if (!decision.Approved)
        {
            return Result(proposal, false, "not_approved", decision.Reason);
        }

        // The queue asks the guards again, past every cache: a person's yes does not outrank drift that arrived meanwhile.
        var approval = new ConfirmedApproval(proposal, decision.Reason);
        return ApplyResult.Of(await queue.ApproveAsync(approval, cancellationToken).ConfigureAwait(false), approval);
    }

    private static ApplyResult Result(ActionProposal p, bool executed, string outcome, string reason) =>
        new(p.ProposalId, p.JobId, p.Tier, p.Action, executed, outcome, reason, DryRun: true, p.Preview);

    private static Dictionary<string, string> DecodeAnnotations(string? patch)
    {
        var annotations = new Dictionary<string, string>();
        if (patch is null)
        {
            return annotations;
        }

        using var document = JsonDocument.Parse(Encoding.UTF8.GetString(Convert.FromBase64String(patch)));
        foreach (var op in document.RootElement.EnumerateArray())
        {
            var path = op.GetProperty("path").GetString() ?? "";
            const string prefix = "/metadata/annotations/";
            if (path.StartsWith(prefix, StringComparison.Ordinal) && op.TryGetProperty("value", out var value) && value.ValueKind == JsonValueKind.String)
            {
                annotations[path[prefix.Length..].Replace("~1", "/", StringComparison.Ordinal)] = value.GetString()!;
            }
        }

        return annotations;
    }
}
