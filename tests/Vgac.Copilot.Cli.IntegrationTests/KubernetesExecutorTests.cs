using Microsoft.Extensions.Options;
using Vgac.Copilot.Actions;
using Vgac.Copilot.Actions.Executors;
using Vgac.Copilot.Actions.Kubernetes;
using Vgac.Copilot.Testing;

namespace Vgac.Copilot.Cli.IntegrationTests;

/// <summary>
/// The built-in Kubernetes executor with the official client, against <see cref="FakeKubernetesApi"/> (no real API
/// server can run here; the fake speaks the API's merge-patch, dry-run, list-by-label and access-review wire): the
/// preview's patches are what is sent, a gate suspends the owning Job, a release resumes it, and a pod that left is
/// reported.
/// </summary>
public sealed class KubernetesExecutorTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const string Gate = "prop-0123456789";
    private static readonly (string, string)[] Seen = [("vgac.io/probability-long-wait", "0.81"), ("vgac.io/confidence", "0.9"), ("vgac.io/tier", "4")];
    private FakeKubernetesApi _api = null!;
    private string _kubeconfig = null!;

    public async ValueTask InitializeAsync()
    {
        _api = await FakeKubernetesApi.StartAsync(TestContext.Current.CancellationToken);
        _kubeconfig = _api.WriteKubeconfig(TestPaths.NewFolder("kube-"));
    }

    public async ValueTask DisposeAsync() => await _api.DisposeAsync();

    [Fact]
    public async Task Gate_PodOfAJob_MarksThePodAndSuspendsTheJob_ThenReleaseResumesIt()
    {
        _api.AddJob("ml", "train");
        _api.AddPod("ml", "train-x7k", owner: "train");
        using var executor = Executor();

        var gate = await executor.ExecuteAsync(GateRequest("train-x7k"), CancellationToken.None);

        Assert.True(gate.Delivered, gate.Detail);
        Assert.Contains("pod ml/train-x7k annotated; Job ml/train suspended", gate.Detail, StringComparison.Ordinal);
        var job = _api.Job("ml", "train")!;
        Assert.True(job["spec"]!["suspend"]!.GetValue<bool>());
        Assert.Equal(Gate, job["metadata"]!["labels"]!["vgac.io/gate"]!.GetValue<string>());
        Assert.Null(_api.Pod("ml", "train-x7k")); // the Job controller removed the suspended Job's pod
        Assert.All(_api.Patches, p => Assert.StartsWith("application/merge-patch+json", p.Headers["Content-Type"], StringComparison.Ordinal));

        var release = await executor.ExecuteAsync(ReleaseRequest("train-x7k", "ana: checked with the owner"), CancellationToken.None);

        output.WriteLine($"gate: {gate.Detail}\nrelease: {release.Detail}");
        Assert.True(release.Delivered, release.Detail);
        Assert.Contains("Job ml/train resumed; pod ml/train-x7k is gone (suspending its Job removed it; the Job makes a new one)", release.Detail, StringComparison.Ordinal);
        job = _api.Job("ml", "train")!;
        Assert.False(job["spec"]!["suspend"]!.GetValue<bool>());
        Assert.Null(job["metadata"]!["labels"]!["vgac.io/gate"]);
        Assert.Equal("ana: checked with the owner", job["metadata"]!["annotations"]!["vgac.io/released-by"]!.GetValue<string>());
    }

    [Fact]
    public async Task Gate_BarePod_IsOnlyMarked_AndSaysThereIsNothingToSuspend()
    {
        _api.AddPod("ml", "lone");
        using var executor = Executor();

        var gate = await executor.ExecuteAsync(GateRequest("lone"), CancellationToken.None);

        Assert.True(gate.Delivered, gate.Detail);
        Assert.Contains("pod ml/lone has no owner to suspend: it is only marked (Kubernetes cannot hold a bare pod", gate.Detail, StringComparison.Ordinal);
        Assert.Equal("confirmation-required", _api.Pod("ml", "lone")!["metadata"]!["annotations"]!["vgac.io/gate"]!.GetValue<string>());
        Assert.Single(_api.Patches);
    }

    [Fact]
    public async Task Gate_PodOfARayJob_IsOnlyMarked_AndNamesItsController()
    {
        _api.AddPod("ml", "ray-head", owner: "sweep", ownerKind: "RayJob");
        using var executor = Executor();

        var gate = await executor.ExecuteAsync(GateRequest("ray-head"), CancellationToken.None);

        Assert.Contains("is run by RayJob sweep, not a Job: it is only marked (suspend it through its own controller)", gate.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Gate_JobSuspendedBySomeoneElse_IsLeftAlone_AndReleaseDoesNotResumeIt()
    {
        _api.AddJob("ml", "queued", suspended: true); // as Kueue leaves a Job it has not admitted
        _api.AddPod("ml", "queued-abc", owner: "queued");
        using var executor = Executor();

        var gate = await executor.ExecuteAsync(GateRequest("queued-abc"), CancellationToken.None);
        var release = await executor.ExecuteAsync(ReleaseRequest("queued-abc", "ana"), CancellationToken.None);

        Assert.Contains("Job ml/queued was already suspended by someone else: left as it is, and a release will not resume it", gate.Detail, StringComparison.Ordinal);
        Assert.True(_api.Job("ml", "queued")!["spec"]!["suspend"]!.GetValue<bool>());
        Assert.Contains("no Job carries gate prop-0123456789", release.Detail, StringComparison.Ordinal);
        Assert.True(_api.Job("ml", "queued")!["spec"]!["suspend"]!.GetValue<bool>());
        Assert.Null(_api.Pod("ml", "queued-abc")!["metadata"]!["annotations"]!["vgac.io/gate"]);
    }

    [Fact]
    public async Task Release_PodGoneAndNoJobCarriesTheGate_IsNotDelivered_NothingLeftToRelease()
    {
        using var executor = Executor();

        var release = await executor.ExecuteAsync(ReleaseRequest("train-x7k", "ana"), CancellationToken.None);

        Assert.False(release.Delivered);
        Assert.StartsWith("nothing was left to release: no Job carries gate prop-0123456789", release.Detail, StringComparison.Ordinal);
        Assert.Contains("pod ml/train-x7k is gone", release.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Annotate_MergesVgacsAnnotations_AndKeepsTheOthers()
    {
        _api.AddPod("ml", "train-x7k", annotations: new Dictionary<string, string> { ["team"] = "vision" });
        using var executor = Executor();

        var outcome = await executor.ExecuteAsync(Request("train-x7k", "annotate", KubectlPatchLine.Annotate("ml", "train-x7k", Seen), Gate), CancellationToken.None);

        Assert.True(outcome.Delivered, outcome.Detail);
        var annotations = _api.Pod("ml", "train-x7k")!["metadata"]!["annotations"]!;
        Assert.Equal("vision", annotations["team"]!.GetValue<string>());
        Assert.Equal("0.81", annotations["vgac.io/probability-long-wait"]!.GetValue<string>());
    }

    [Fact]
    public async Task Gate_PodThatLeft_IsReportedGone_NothingChanged()
    {
        _api.AddJob("ml", "train");
        using var executor = Executor();

        var outcome = await executor.ExecuteAsync(GateRequest("train-x7k"), CancellationToken.None);

        Assert.False(outcome.Delivered);
        Assert.Contains("pod ml/train-x7k has left the cluster (404 pods \"train-x7k\" not found); nothing was changed; not retried", outcome.Detail, StringComparison.Ordinal);
        Assert.False(_api.Job("ml", "train")!["spec"]!["suspend"]!.GetValue<bool>());
    }

    [Fact]
    public async Task Execute_PreviewThatIsNotVgacs_SendsNothing()
    {
        _api.AddPod("ml", "train-x7k");
        using var executor = Executor();
        const string preview = "kubectl -n ml patch pod train-x7k --type merge -p '{\"spec\":{\"nodeName\":\"gpu-9\"}}'";

        var outcome = await executor.ExecuteAsync(new ExecutionRequest(Gate, "train-x7k", 1, "annotate", "kubernetes_patch", preview), CancellationToken.None);

        Assert.False(outcome.Delivered);
        Assert.Contains("not run: the preview is not a Kubernetes patch vgac makes (a pod patch may only set annotations)", outcome.Detail, StringComparison.Ordinal);
        Assert.Empty(_api.Requests);
    }

    [Fact]
    public async Task CheckPreview_ServerSideDryRun_ChangesNothing_AndSaysWhatWouldHappen()
    {
        _api.AddJob("ml", "train");
        _api.AddPod("ml", "train-x7k", owner: "train");
        using var executor = Executor();

        var check = await executor.CheckPreviewAsync(GateRequest("train-x7k"), CancellationToken.None);

        Assert.Equal("the API server accepts it (server-side dry run): pod ml/train-x7k annotated; Job ml/train would be suspended", check);
        Assert.Equal(2, _api.Patches.Count);
        Assert.All(_api.Patches, p => Assert.Contains("dryRun=All", p.Query, StringComparison.Ordinal));
        Assert.False(_api.Job("ml", "train")!["spec"]!["suspend"]!.GetValue<bool>());
        Assert.Null(_api.Pod("ml", "train-x7k")!["metadata"]!["annotations"]);
    }

    [Fact]
    public async Task CheckPreview_UserMayNotPatchJobs_SaysTheServerRefused()
    {
        _api.AddJob("ml", "train");
        _api.AddPod("ml", "train-x7k", owner: "train");
        _api.Forbid("patch", "jobs");
        using var executor = Executor();

        var check = await executor.CheckPreviewAsync(GateRequest("train-x7k"), CancellationToken.None);

        Assert.StartsWith("server-side dry run: the API server refused the patch of the Job of gate", check, StringComparison.Ordinal);
        Assert.Contains("403 jobs.batch \"train\" is forbidden: User \"vgac\" cannot patch resource \"jobs\"", check, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Verify_ReadsTheGateBackFromTheCluster_AndSeesItLiftedByHand()
    {
        _api.AddJob("ml", "train");
        _api.AddPod("ml", "train-x7k", owner: "train");
        using var executor = Executor();
        var request = GateRequest("train-x7k");
        await executor.ExecuteAsync(request, CancellationToken.None);

        var held = await executor.VerifyAsync(request, CancellationToken.None);
        _api.ResumeJob("ml", "train"); // someone resumed it by hand
        var lifted = await executor.VerifyAsync(request, CancellationToken.None);

        Assert.Equal("Kubernetes confirms the gate: Job ml/train is suspended", held);
        Assert.Equal("Kubernetes no longer shows the gate: Job ml/train was resumed since", lifted);
    }

    [Fact]
    public void Handles_OnlyWhenKubernetesIsTheChosenExecutor()
    {
        using var chosen = new KubernetesExecutor(Options.Create(new ActionOptions { Executor = ExecutorChoice.Kubernetes }));
        using var unset = new KubernetesExecutor(Options.Create(new ActionOptions()));

        Assert.True(chosen.Handles("kubernetes_patch"));
        Assert.False(chosen.Handles("slurm_command"));
        Assert.False(unset.Handles("kubernetes_patch"));
        Assert.False(unset.Checks("kubernetes_patch"));
    }

    private KubernetesExecutor Executor() =>
        new(Options.Create(new ActionOptions { Executor = ExecutorChoice.Kubernetes, Kubernetes = new KubernetesExecutorOptions { Kubeconfig = _kubeconfig, TimeoutSeconds = 10 } }));

    private static ExecutionRequest GateRequest(string pod) => Request(pod, "gate", KubectlPatchLine.Gate("ml", pod, Gate, Seen), $"{Gate}-3");

    private static ExecutionRequest ReleaseRequest(string pod, string who) =>
        Request(pod, "release", KubectlPatchLine.Release("ml", pod, Gate, who), KubectlPatchLine.ReleaseId(Gate) + "-i5");

    private static ExecutionRequest Request(string pod, string action, IReadOnlyList<KubernetesStep> steps, string id) =>
        new(id, pod, action == "release" ? 0 : action == "annotate" ? 1 : 4, action, "kubernetes_patch", KubectlPatchLine.Render(steps));
}
