using k8s;
using k8s.Models;
using Microsoft.Extensions.Options;
using Vgac.Copilot.Actions.Executors;
using Vgac.Copilot.Core.Text;

namespace Vgac.Copilot.Actions.Kubernetes;

/// <summary>
/// Carries out Kubernetes effects through the API server with the official client (<c>Watch:Executor=kubernetes</c>),
/// with the kubeconfig user's rights: annotate sets the pod's <c>vgac.io/*</c> annotations; gate marks the pod and
/// suspends the Job that owns it (<c>spec.suspend</c>), or says there is none to suspend; release resumes the Job the
/// gate suspended. The preview a person saw is parsed back (<see cref="KubectlPatchLine.Parse"/>: only the patches
/// vgac writes, only on the proposal's pod) and sent as merge patches; a pod that left in between is reported, not
/// retried. The same steps run as a server-side dry run (<c>dryRun=All</c>) to check a preview before anyone approves it.
/// </summary>
public sealed class KubernetesExecutor(IOptions<ActionOptions> options) : IActionExecutor, IEffectReader, IPreviewChecker, ISchedulerProbe, IDisposable
{
    public ExecutorChoice Executor => ExecutorChoice.Kubernetes;

    private readonly KubernetesApi _api = new(options.Value.Kubernetes);

    public string Name => "kubernetes";

    public bool Handles(string previewKind) => previewKind == "kubernetes_patch" && options.Value.EffectiveExecutor == ExecutorChoice.Kubernetes;

    public bool Checks(string previewKind) => Handles(previewKind);

    public async Task<ExecutionOutcome> ExecuteAsync(ExecutionRequest request, CancellationToken cancellationToken)
    {
        var (done, problem, patches) = await RunAsync(request, dryRun: false, cancellationToken).ConfigureAwait(false);
        return problem is null
            ? new ExecutionOutcome(Name, true, false, $"applied through the Kubernetes API at {_api.Where}: {string.Join("; ", done)}", patches)
            : new ExecutionOutcome(Name, false, false, problem, Math.Max(1, patches));
    }

    /// <summary>The preview's steps as a server-side dry run: whether the API server would accept them now, and what they would do.</summary>
    public async Task<string> CheckPreviewAsync(ExecutionRequest request, CancellationToken cancellationToken)
    {
        // A check is advice beside a proposal: it never holds the proposal up for long.
        using var bounded = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        bounded.CancelAfter(CheckBudget);
        try
        {
            var (done, problem, _) = await RunAsync(request, dryRun: true, bounded.Token).ConfigureAwait(false);
            return problem is null ? $"the API server accepts it (server-side dry run): {string.Join("; ", done)}" : $"server-side dry run: {problem}";
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return $"not checked: the API server did not answer within {CheckBudget.TotalSeconds:0} s";
        }
    }

    /// <summary>How long a preview's server-side dry run may take.</summary>
    public static readonly TimeSpan CheckBudget = TimeSpan.FromSeconds(5);

    /// <summary>Runs (or dry-runs) the steps; what took effect, or why it stopped, and how many patches were sent.</summary>
    private async Task<(List<string> Done, string? Problem, int Patches)> RunAsync(ExecutionRequest request, bool dryRun, CancellationToken cancellationToken)
    {
        var (steps, notOurs) = KubectlPatchLine.Parse(request.Preview, request.JobId, request.Action, request.ProposalId);
        if (steps is null)
        {
            return ([], $"not run: the preview is not a Kubernetes patch vgac makes ({notOurs})", 0);
        }

        var dry = dryRun ? "All" : null;
        var done = new List<string>();
        var (patches, applied) = (0, 0); // patches sent; those the server took
        V1Pod? pod = null;
        foreach (var step in steps)
        {
            var what = step.Target == KubernetesTarget.Pod ? $"pod {step.Namespace}/{step.Name}" : $"the Job of gate {step.Name}";
            try
            {
                switch (step.Target)
                {
                    case KubernetesTarget.Pod:
                        patches++;
                        pod = await _api.CallAsync((k, ct) => k.CoreV1.PatchNamespacedPodAsync(Merge(step), step.Name, step.Namespace, dryRun: dry, cancellationToken: ct), cancellationToken)
                            .ConfigureAwait(false);
                        applied++;
                        done.Add($"pod {step.Namespace}/{step.Name} {(request.Action == ActionPlanner.ReleaseAction ? "unmarked" : "annotated")}");
                        break;
                    case KubernetesTarget.OwnerJob:
                        var (suspended, said) = await SuspendOwnerAsync(step, pod!, dry, cancellationToken).ConfigureAwait(false);
                        if (suspended)
                        {
                            patches++;
                            applied++;
                        }

                        done.Add(said);
                        break;
                    default:
                        var jobs = await _api.CallAsync((k, ct) => k.BatchV1.ListNamespacedJobAsync(step.Namespace, labelSelector: $"{KubectlPatchLine.GateKey}={step.Name}", cancellationToken: ct),
                            cancellationToken).ConfigureAwait(false);
                        if (jobs.Items.Count == 0)
                        {
                            done.Add($"no Job carries gate {step.Name} (the gate held only the pod's mark, or the label was removed)");
                        }

                        foreach (var job in jobs.Items.Take(8))
                        {
                            what = $"Job {step.Namespace}/{job.Name()}";
                            patches++;
                            await _api.CallAsync((k, ct) => k.BatchV1.PatchNamespacedJobAsync(Merge(step), job.Name(), step.Namespace, dryRun: dry, cancellationToken: ct), cancellationToken)
                                .ConfigureAwait(false);
                            applied++;
                            done.Add($"Job {step.Namespace}/{UntrustedText.Clean(job.Name(), 253)} {(dryRun ? "would be resumed" : "resumed")}");
                        }

                        break;
                }
            }
            catch (KubernetesCallException ex) when (ex.NotFound && request.Action == ActionPlanner.ReleaseAction && step.Target == KubernetesTarget.Pod)
            {
                done.Add($"pod {step.Namespace}/{step.Name} is gone (suspending its Job removed it; the Job makes a new one)");
            }
            catch (KubernetesCallException ex)
            {
                var after = done.Count == 0 ? "nothing was changed" : $"only this took effect: {string.Join("; ", done)}";
                return (done, ex.NotFound && step.Target == KubernetesTarget.Pod
                    ? $"pod {step.Namespace}/{step.Name} has left the cluster ({ex.Message}); {after}; not retried"
                    : ex.Status is null ? $"could not patch {what}: {ex.Message}; {after}"
                    : $"the API server refused the patch of {what}: {ex.Message}; {after}", patches);
            }
        }

        if (request.Action == ActionPlanner.ReleaseAction && applied == 0)
        {
            return (done, $"nothing was left to release: {string.Join("; ", done)}", patches);
        }

        return (done, null, patches);
    }

    /// <summary>
    /// A gate's second step: the Job that controls the pod is suspended and labelled with the gate's id, unless there
    /// is none, it is not a Job, or someone else had already suspended it (then it is left as it is, and a release
    /// will not resume it).
    /// </summary>
    private async Task<(bool Suspended, string Said)> SuspendOwnerAsync(KubernetesStep step, V1Pod pod, string? dry, CancellationToken cancellationToken)
    {
        var owner = pod.Metadata?.OwnerReferences?.FirstOrDefault(o => o.Controller == true);
        var where = $"pod {step.Namespace}/{step.Name}";
        if (owner is null)
        {
            return (false, $"{where} has no owner to suspend: it is only marked (Kubernetes cannot hold a bare pod; delete it or resubmit it as a Job)");
        }

        var name = UntrustedText.Clean(owner.Name, 253);
        if (owner.Kind != "Job" || owner.ApiVersion?.StartsWith("batch/", StringComparison.Ordinal) != true)
        {
            return (false, $"{where} is run by {UntrustedText.Clean(owner.Kind, 64)} {name}, not a Job: it is only marked (suspend it through its own controller)");
        }

        var job = await _api.CallAsync((k, ct) => k.BatchV1.ReadNamespacedJobAsync(owner.Name, step.Namespace, cancellationToken: ct), cancellationToken).ConfigureAwait(false);
        if (job.Spec?.Suspend == true)
        {
            return (false, $"Job {step.Namespace}/{name} was already suspended by someone else: left as it is, and a release will not resume it");
        }

        await _api.CallAsync((k, ct) => k.BatchV1.PatchNamespacedJobAsync(Merge(step), owner.Name, step.Namespace, dryRun: dry, cancellationToken: ct), cancellationToken).ConfigureAwait(false);
        return (true, dry is null ? $"Job {step.Namespace}/{name} suspended" : $"Job {step.Namespace}/{name} would be suspended");
    }

    private static V1Patch Merge(KubernetesStep step) => new(step.PatchText, V1Patch.PatchType.MergePatch);

    /// <summary>
    /// Whether the API server answers (<c>/version</c>) and whether the kubeconfig's user may do what the executor
    /// does (a self-subject access review of patching pods and Jobs and listing Jobs, in the context's namespace or
    /// cluster-wide when it names none).
    /// </summary>
    public async Task<(bool Reached, string Detail)> PingAsync(CancellationToken cancellationToken)
    {
        try
        {
            var version = await _api.CallAsync((k, ct) => k.Version.GetCodeAsync(ct), cancellationToken).ConfigureAwait(false);
            var ns = _api.Namespace;
            var missing = new List<string>();
            foreach (var (verb, resource, group) in new[] { ("patch", "pods", ""), ("patch", "jobs", "batch"), ("list", "jobs", "batch") })
            {
                var review = await _api.CallAsync((k, ct) => k.AuthorizationV1.CreateSelfSubjectAccessReviewAsync(new V1SelfSubjectAccessReview
                {
                    Spec = new V1SelfSubjectAccessReviewSpec { ResourceAttributes = new V1ResourceAttributes { Verb = verb, Resource = resource, Group = group, NamespaceProperty = ns } },
                }, cancellationToken: ct), cancellationToken).ConfigureAwait(false);
                if (review.Status?.Allowed != true)
                {
                    missing.Add($"{verb} {resource}{(group.Length > 0 ? "." + group : "")}");
                }
            }

            var server = $"kubernetes: API server {UntrustedText.Clean(version.GitVersion, 64)} at {_api.Where}";
            var scope = ns is null ? "cluster-wide" : $"in namespace {ns}";
            return missing.Count == 0
                ? (true, $"{server}; may patch pods and Jobs and list Jobs {scope}")
                : (false, $"{server} answers, but its user may not {string.Join(", ", missing)} {scope} (a gate needs all three)");
        }
        catch (KubernetesCallException ex)
        {
            return (false, $"kubernetes: {ex.Message}");
        }
    }

    public bool Reads(string executor) => executor == Name;

    /// <summary>
    /// The cycle after: whether the API server still shows what the action did (the gated Job suspended, no Job
    /// carrying the gate after a release, vgac's annotations on the pod), read from the cluster rather than from VGAC.
    /// </summary>
    public async Task<string> VerifyAsync(ExecutionRequest effect, CancellationToken cancellationToken)
    {
        var (steps, problem) = KubectlPatchLine.Parse(effect.Preview, effect.JobId, effect.Action, effect.ProposalId);
        if (steps is null)
        {
            return $"Kubernetes not read back: the preview is not one vgac makes ({problem})";
        }

        var ns = steps[0].Namespace;
        var gate = KubectlPatchLine.GateId(effect.Action == ActionPlanner.ReleaseAction ? steps[0].Name : effect.ProposalId);
        try
        {
            if (effect.Action is "gate" or ActionPlanner.ReleaseAction)
            {
                var jobs = (await _api.CallAsync((k, ct) => k.BatchV1.ListNamespacedJobAsync(ns, labelSelector: $"{KubectlPatchLine.GateKey}={gate}", cancellationToken: ct), cancellationToken)
                    .ConfigureAwait(false)).Items;
                var suspended = jobs.Where(j => j.Spec?.Suspend == true).Select(j => UntrustedText.Clean(j.Name(), 253)).ToList();
                if (effect.Action == ActionPlanner.ReleaseAction)
                {
                    return jobs.Count == 0 ? $"Kubernetes confirms the release: no Job carries gate {gate}"
                        : $"Kubernetes shows gate {gate} on Job {ns}/{UntrustedText.Clean(jobs[0].Name(), 253)} again{(suspended.Count > 0 ? ", suspended" : "")}";
                }

                if (suspended.Count > 0)
                {
                    return $"Kubernetes confirms the gate: Job {ns}/{suspended[0]} is suspended";
                }

                if (jobs.Count > 0)
                {
                    return $"Kubernetes no longer shows the gate: Job {ns}/{UntrustedText.Clean(jobs[0].Name(), 253)} was resumed since";
                }
            }

            var pod = await _api.CallAsync((k, ct) => k.CoreV1.ReadNamespacedPodAsync(effect.JobId, ns, cancellationToken: ct), cancellationToken).ConfigureAwait(false);
            var annotations = pod.Metadata?.Annotations ?? new Dictionary<string, string>();
            return effect.Action == "gate"
                ? annotations.ContainsKey(KubectlPatchLine.GateKey) ? $"Kubernetes shows pod {ns}/{effect.JobId} marked gated (no Job was suspended)" : $"Kubernetes no longer shows the gate on pod {ns}/{effect.JobId}"
                : annotations.TryGetValue("vgac.io/tier", out var tier) ? $"Kubernetes confirms the annotation: pod {ns}/{effect.JobId} carries vgac.io/tier={UntrustedText.Clean(tier, 8)}"
                : $"Kubernetes shows pod {ns}/{effect.JobId} without vgac's annotations now";
        }
        catch (KubernetesCallException ex) when (ex.NotFound)
        {
            return $"Kubernetes no longer shows pod {ns}/{effect.JobId}";
        }
        catch (KubernetesCallException ex)
        {
            return $"Kubernetes not read back: {ex.Message}";
        }
    }

    public void Dispose() => _api.Dispose();
}
