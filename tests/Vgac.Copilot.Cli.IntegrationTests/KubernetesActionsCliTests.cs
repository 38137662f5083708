using Vgac.Copilot.Testing;

namespace Vgac.Copilot.Cli.IntegrationTests;

/// <summary>
/// <c>Executor: kubernetes</c> through the real vgac program: apply, release, the watch's read-back, the audit check
/// and <c>doctor</c>, against <see cref="FakeKubernetesApi"/> and a scripted VGAC, over loopback HTTP.
/// </summary>
public sealed class KubernetesActionsCliTests(ITestOutputHelper output) : IAsyncLifetime
{
    private FakeKubernetesApi _api = null!;
    private string _folder = null!;

    public async ValueTask InitializeAsync()
    {
        _api = await FakeKubernetesApi.StartAsync(TestContext.Current.CancellationToken);
        _folder = TestPaths.NewFolder("kube-cli-");
    }

    public async ValueTask DisposeAsync() => await _api.DisposeAsync();

    [Fact]
    public async Task ApplyGate_ThenWatch_ThenRelease_SuspendsAndResumesTheJob_AndTheTrailChecksClean()
    {
        _api.AddJob("ml", "train");
        _api.AddPod("ml", "train-x7k", owner: "train");
        await using var vgac = await new ScriptedVgac { JobId = "train-x7k", Namespace = "ml", Probability = 0.9, Confidence = 0.95, Ece = 0.01 }.StartAsync(TestContext.Current.CancellationToken);
        var env = Chosen(_api.WriteKubeconfig(_folder));
        env["VGAC_API_BASE_URL"] = vgac.BaseAddress.ToString();
        env["VGAC_AUDIT_DB"] = Path.Combine(_folder, "audit.db");

        var gate = await Vgac(["actions", "apply", "train-x7k", "--tier", "4", "--reason", "queue is stuck"], env);
        Assert.True(gate.ExitCode == 0, gate.ToString());
        Assert.Contains("applied through the Kubernetes API at http://127.0.0.1:", gate.Out, StringComparison.Ordinal);
        Assert.Contains("pod ml/train-x7k annotated; Job ml/train suspended", gate.Out, StringComparison.Ordinal);
        Assert.True(_api.Job("ml", "train")!["spec"]!["suspend"]!.GetValue<bool>());
        var proposal = gate.Out.Split(':')[0].Trim();

        var watch = await Vgac(["watch", "--once"], env);
        var shown = await Vgac(["actions", "show", proposal, "-o", "json"], env);
        Assert.True(watch.ExitCode == 0, watch.ToString());
        Assert.Contains("Kubernetes confirms the gate: Job ml/train is suspended", shown.Out, StringComparison.Ordinal);

        var release = await Vgac(["actions", "release", "train-x7k", "--reason", "checked with the owner"], env);
        var again = await Vgac(["actions", "release", "train-x7k"], env);
        var check = await Vgac(["audit", "--check"], env);

        output.WriteLine($"$ vgac actions apply train-x7k --tier 4\n{gate.Out}\n$ vgac actions release train-x7k\n{release.Out}{release.Error}\n$ vgac actions release train-x7k\n{again.Error}");
        Assert.True(release.ExitCode == 0, release.ToString());
        Assert.Contains("Job ml/train resumed", release.Out, StringComparison.Ordinal);
        var job = _api.Job("ml", "train")!;
        Assert.False(job["spec"]!["suspend"]!.GetValue<bool>());
        Assert.EndsWith(": checked with the owner", job["metadata"]!["annotations"]!["vgac.io/released-by"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.True(again.ExitCode == 8, again.ToString());
        Assert.True(check.ExitCode == 0, check.ToString());
        Assert.DoesNotContain(_api.Token, gate.Out + gate.Error + release.Out + release.Error + watch.Out + watch.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Doctor_KubernetesExecutor_SaysTheServerVersionAndRights()
    {
        var run = await Vgac(["doctor", "--demo", "--cluster", "eks"], Chosen(_api.WriteKubeconfig(_folder, ns: "ml")));

        Assert.Contains("ok    executor     kubernetes: API server v1.32.0-fake at http://127.0.0.1:", run.Out, StringComparison.Ordinal);
        Assert.Contains("(context fake); may patch pods and Jobs and list Jobs in namespace ml", run.Out, StringComparison.Ordinal);
        Assert.NotEqual(16, run.ExitCode);
        Assert.Contains(_api.Requests, r => r.Path.StartsWith("/version", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Doctor_UserMayNotPatchJobs_FailsWithExit16_NamingTheRight()
    {
        _api.Forbid("patch", "jobs");

        var run = await Vgac(["doctor", "--demo", "--cluster", "eks"], Chosen(_api.WriteKubeconfig(_folder)));

        Assert.True(run.ExitCode == 16, run.ToString());
        Assert.Contains("answers, but its user may not patch jobs.batch cluster-wide (a gate needs all three)", run.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Doctor_ServerDown_FailsWithExit16_AndNeverShowsTheToken()
    {
        var down = $"http://127.0.0.1:{LocalPorts.Free()}";
        var kubeconfig = _api.WriteKubeconfig(_folder, context: "fake", ns: null, ("down", down));
        var env = Chosen(kubeconfig);
        env["Watch__Kubernetes__Context"] = "down";

        var run = await Vgac(["doctor", "--demo", "--cluster", "eks"], env);

        Assert.True(run.ExitCode == 16, run.ToString());
        Assert.Contains($"FAIL  executor     kubernetes: {down} (context down) could not be reached", run.Out, StringComparison.Ordinal);
        Assert.DoesNotContain(_api.Token, run.Out + run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Doctor_ClusterEntryNamesTheKubeContext_EachClusterUsesItsOwn()
    {
        var down = $"http://127.0.0.1:{LocalPorts.Free()}";
        var kubeconfig = _api.WriteKubeconfig(_folder, context: "gpu-east", ns: null, ("gpu-west", down));
        await using var a = await global::Vgac.Copilot.Simulator.Hosting.SimulatorHost.StartAsync(new() { Speed = 0 }, cancellationToken: TestContext.Current.CancellationToken);
        await using var b = await global::Vgac.Copilot.Simulator.Hosting.SimulatorHost.StartAsync(new() { Speed = 0 }, cancellationToken: TestContext.Current.CancellationToken);
        var home = TestPaths.NewFolder("kube-clusters-home-");
        Directory.CreateDirectory(Path.Combine(home, "vgac"));
        await File.WriteAllTextAsync(Path.Combine(home, "vgac", "config.json"), $$"""
            {"Clusters": [
              {"Name": "east", "BaseUrl": "{{a.Url}}", "Executor": "kubernetes", "Kubeconfig": "{{kubeconfig}}", "KubeContext": "gpu-east"},
              {"Name": "west", "BaseUrl": "{{b.Url}}", "Executor": "kubernetes", "Kubeconfig": "{{kubeconfig}}", "KubeContext": "gpu-west"}]}
            """, TestContext.Current.CancellationToken);
        var env = new Dictionary<string, string> { ["XDG_CONFIG_HOME"] = home };

        var east = await Vgac(["doctor", "--cluster", "east"], env);
        var west = await Vgac(["doctor", "--cluster", "west"], env);

        Assert.Contains("ok    executor     kubernetes: API server v1.32.0-fake", east.Out, StringComparison.Ordinal);
        Assert.Contains("(context gpu-east)", east.Out, StringComparison.Ordinal);
        Assert.Contains($"FAIL  executor     kubernetes: {down} (context gpu-west) could not be reached", west.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Config_KubeconfigThatDoesNotExist_IsAUsageErrorNamingIt()
    {
        var missing = Path.Combine(_folder, "nope");

        var run = await Vgac(["doctor", "--demo", "--cluster", "eks"], Chosen(missing));

        Assert.Equal(2, run.ExitCode);
        Assert.Contains($"Watch:Kubernetes:Kubeconfig: file '{missing}' does not exist.", run.Error, StringComparison.Ordinal);
    }

    private static Dictionary<string, string> Chosen(string kubeconfig) => new() { ["VGAC_EXECUTOR"] = "kubernetes", ["Watch__Kubernetes__Kubeconfig"] = kubeconfig };

    private static Task<CliResult> Vgac(string[] args, Dictionary<string, string> env) =>
        CliProcess.RunAsync(args, env, TimeSpan.FromSeconds(90), TestContext.Current.CancellationToken);
}
