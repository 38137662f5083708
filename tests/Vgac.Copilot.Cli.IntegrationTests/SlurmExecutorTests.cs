using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;
using Vgac.Copilot.Actions;
using Vgac.Copilot.Actions.Executors;
using Vgac.Copilot.Testing;

namespace Vgac.Copilot.Cli.IntegrationTests;

/// <summary>
/// The built-in Slurm executor against the real slurmctld (<see cref="SlurmCluster"/>): the preview's steps run as
/// argument arrays, Slurm really holds, comments and releases the job, and a job that left the queue is reported.
/// </summary>
public sealed partial class SlurmExecutorTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Gate_HoldsTheJobAndComments_ThenRelease_LiftsIt()
    {
        var slurm = await Slurm.ClusterAsync();
        var executor = Executor(slurm);
        var job = await SubmitAsync(slurm);

        var gate = await executor.ExecuteAsync(Request(job, "gate", SlurmCommandLine.Gate(job, "vgac: gated, p_long_wait=0.81, confirm to release")), CancellationToken.None);

        Assert.True(gate.Delivered, gate.Detail);
        Assert.False(gate.DryRun);
        var held = await slurm.JobAsync(job);
        Assert.Equal("JobHeldAdmin", held["Reason"]);
        Assert.Contains("(JobHeldAdmin), comment 'vgac: gated, p_long_wait=0.81, confirm to release'", gate.Detail, StringComparison.Ordinal);

        var release = await executor.ExecuteAsync(Request(job, "release", SlurmCommandLine.Release(job, "vgac: released by ana")), CancellationToken.None);

        Assert.True(release.Delivered, release.Detail);
        Assert.NotEqual("JobHeldAdmin", (await slurm.JobAsync(job))["Reason"]);
        Assert.Contains("comment 'vgac: released by ana'", release.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Apply_GateFromSeveralProcessesAtOnce_HoldsTheRealJobOnce_ThenReleaseLiftsIt()
    {
        var slurm = await Slurm.ClusterAsync();
        var job = await SubmitAsync(slurm);
        await using var vgac = await new ScriptedVgac { JobId = job, Scheduler = "slurm", Probability = 0.9, Confidence = 0.95, Ece = 0.01 }.StartAsync(TestContext.Current.CancellationToken);
        var env = Chosen(slurm.Conf);
        env["VGAC_API_BASE_URL"] = vgac.BaseAddress.ToString();
        env["VGAC_AUDIT_DB"] = Path.Combine(TestPaths.NewFolder("slurm-apply-"), "audit.db");
        string[] apply = ["actions", "apply", job, "--tier", "4", "--reason", "queue is stuck"];

        var results = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => CliProcess.RunAsync(apply, env, TimeSpan.FromSeconds(90), TestContext.Current.CancellationToken)));

        Assert.True(results.Count(r => r.ExitCode == 0) == 1, string.Join("\n", results.Select(r => r.ToString())));
        Assert.All(results.Where(r => r.ExitCode != 0), r => Assert.Matches("already (running|done)", r.Out));
        var applied = results.Single(r => r.ExitCode == 0);
        output.WriteLine($"$ vgac actions apply {job} --tier 4 --reason \"queue is stuck\"  (four at once)\n{string.Join("\n", results.Select(r => $"exit {r.ExitCode}: {r.Out.Trim()}"))}");
        Assert.Contains("Slurm now shows PENDING (JobHeldAdmin)", applied.Out, StringComparison.Ordinal);
        var held = await slurm.JobAsync(job);
        Assert.Equal("JobHeldAdmin", held["Reason"]);
        Assert.StartsWith("vgac: gated, p_long_wait=0.9", held["Comment"], StringComparison.Ordinal);

        output.WriteLine($"$ scontrol show job {job}: JobState={held["JobState"]} Reason={held["Reason"]} Comment={held["Comment"]}");
        var release = await CliProcess.RunAsync(["actions", "release", job, "--reason", "checked with the owner"], env, cancellationToken: TestContext.Current.CancellationToken);
        var again = await CliProcess.RunAsync(["actions", "release", job], env, cancellationToken: TestContext.Current.CancellationToken);
        output.WriteLine($"$ vgac actions release {job} --reason \"checked with the owner\"\nexit {release.ExitCode}: {release.Out.Trim()}\n$ vgac actions release {job}\nexit {again.ExitCode}: {again.Error.Trim()}");

        Assert.True(release.ExitCode == 0, release.ToString());
        Assert.Contains("executed: Released by ", release.Out, StringComparison.Ordinal);
        var lifted = await slurm.JobAsync(job);
        output.WriteLine($"$ scontrol show job {job}: JobState={lifted["JobState"]} Reason={lifted["Reason"]} Comment={lifted["Comment"]}");
        Assert.NotEqual("JobHeldAdmin", lifted.GetValueOrDefault("Reason"));
        Assert.Contains("vgac: released by ", lifted["Comment"], StringComparison.Ordinal);
        Assert.Contains(": checked with the owner", lifted["Comment"], StringComparison.Ordinal);
        Assert.True(again.ExitCode == 8, again.ToString());
        Assert.Contains($"no gate by vgac is in force on job {job}", again.Error, StringComparison.Ordinal);
        var check = await CliProcess.RunAsync(["audit", "--check"], env, cancellationToken: TestContext.Current.CancellationToken);
        Assert.True(check.ExitCode == 0, check.ToString());
    }

    [Fact]
    public async Task Watch_CycleAfterAGate_VerifiesItFromSlurm_AndSeesItLifted()
    {
        var slurm = await Slurm.ClusterAsync();
        var job = await SubmitAsync(slurm);
        await using var vgac = await new ScriptedVgac { JobId = job, Scheduler = "slurm", Probability = 0.9, Confidence = 0.95, Ece = 0.01 }.StartAsync(TestContext.Current.CancellationToken);
        var env = Chosen(slurm.Conf);
        env["VGAC_API_BASE_URL"] = vgac.BaseAddress.ToString();
        env["VGAC_AUDIT_DB"] = Path.Combine(TestPaths.NewFolder("slurm-verify-"), "audit.db");
        var gate = await CliProcess.RunAsync(["actions", "apply", job, "--tier", "4"], env, cancellationToken: TestContext.Current.CancellationToken);
        Assert.True(gate.ExitCode == 0, gate.ToString());
        var proposal = gate.Out.Split(':')[0].Trim();
        // Someone lifts the hold behind vgac's back: the verification must say what Slurm shows, not what vgac did.
        Assert.Equal(0, (await slurm.RunAsync("scontrol", ["release", job])).ExitCode);

        var watch = await CliProcess.RunAsync(["watch", "--once"], env, cancellationToken: TestContext.Current.CancellationToken);
        var shown = await CliProcess.RunAsync(["actions", "show", proposal, "-o", "json"], env, cancellationToken: TestContext.Current.CancellationToken);

        Assert.True(watch.ExitCode == 0, watch.ToString());
        Assert.Contains("Slurm no longer shows the gate (released or changed since)", shown.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Release_JobVgacNeverGated_Exit8_NothingRuns()
    {
        var slurm = await Slurm.ClusterAsync();
        var job = await SubmitAsync(slurm);
        var env = Chosen(slurm.Conf);
        env["VGAC_AUDIT_DB"] = Path.Combine(TestPaths.NewFolder("slurm-release-"), "audit.db");

        var run = await CliProcess.RunAsync(["actions", "release", job], env, cancellationToken: TestContext.Current.CancellationToken);

        Assert.True(run.ExitCode == 8, run.ToString());
        Assert.Contains($"no gate by vgac is in force on job {job}: vgac lifts only the holds it made itself", run.Error, StringComparison.Ordinal);
        Assert.Equal("JobHeldUser", (await slurm.JobAsync(job))["Reason"]);
    }

    [Fact]
    public async Task Annotate_SetsTheComment_AndChangesNothingElse()
    {
        var slurm = await Slurm.ClusterAsync();
        var job = await SubmitAsync(slurm);
        var before = await slurm.JobAsync(job);

        var outcome = await Executor(slurm).ExecuteAsync(Request(job, "annotate", SlurmCommandLine.Annotate(job, "vgac: p_long_wait=0.4 confidence=0.9 tier=1")), CancellationToken.None);

        Assert.True(outcome.Delivered, outcome.Detail);
        var after = await slurm.JobAsync(job);
        Assert.Equal(before["Reason"], after["Reason"]);
        Assert.Equal(before["TimeLimit"], after["TimeLimit"]);
        Assert.Contains("comment 'vgac: p_long_wait=0.4 confidence=0.9 tier=1'", outcome.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Gate_JobThatLeftTheQueue_IsReportedGone_NotApplied()
    {
        var slurm = await Slurm.ClusterAsync();
        var job = await SubmitAsync(slurm);
        Assert.Equal(0, (await slurm.RunAsync("scancel", [job])).ExitCode);
        await WaitUntilGoneAsync(slurm, job);

        var outcome = await Executor(slurm).ExecuteAsync(Request(job, "gate", SlurmCommandLine.Gate(job, "vgac: gated")), CancellationToken.None);

        Assert.False(outcome.Delivered);
        Assert.Contains($"job {job} has left Slurm's queue or can no longer be changed", outcome.Detail, StringComparison.Ordinal);
        Assert.Contains("nothing was changed; not retried", outcome.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Execute_PreviewThatIsNotVgacs_RunsNothing()
    {
        var slurm = await Slurm.ClusterAsync();
        var job = await SubmitAsync(slurm);

        var outcome = await Executor(slurm).ExecuteAsync(new ExecutionRequest("p1", job, 4, "gate", "slurm_command", $"scontrol hold {job} && scontrol update JobId={job} TimeLimit=1"), CancellationToken.None);

        Assert.False(outcome.Delivered);
        Assert.Contains("not run: the preview is not a Slurm command vgac makes (an update may set only the comment)", outcome.Detail, StringComparison.Ordinal);
        Assert.Equal("JobHeldUser", (await slurm.JobAsync(job))["Reason"]);
    }

    [Fact]
    public async Task Execute_AnnotationWhosePreviewHolds_RunsNothing()
    {
        // A tier-1 proposal edited in the trail to hold the job: the preview runs as written only if its action does that.
        var slurm = await Slurm.ClusterAsync();
        var job = await SubmitAsync(slurm);

        var outcome = await Executor(slurm).ExecuteAsync(new ExecutionRequest("p1", job, 1, "annotate", "slurm_command", SlurmCommandLine.Render(SlurmCommandLine.Gate(job, "vgac: x"))), CancellationToken.None);

        Assert.False(outcome.Delivered);
        Assert.Contains("'annotate' may not hold the job", outcome.Detail, StringComparison.Ordinal);
        Assert.Equal("JobHeldUser", (await slurm.JobAsync(job))["Reason"]);
    }

    [Fact]
    public void Handles_OnlyWhenSlurmIsTheChosenExecutor()
    {
        var chosen = new SlurmExecutor(Options.Create(new ActionOptions { Executor = ExecutorChoice.Slurm }));
        var unset = new SlurmExecutor(Options.Create(new ActionOptions()));

        Assert.True(chosen.Handles("slurm_command"));
        Assert.False(chosen.Handles("kubernetes_patch"));
        Assert.False(chosen.Handles("notification"));
        Assert.False(unset.Handles("slurm_command"));
    }

    [Fact]
    public async Task Doctor_SlurmExecutor_SaysTheControllerIsUp()
    {
        var slurm = await Slurm.ClusterAsync();

        var run = await CliProcess.RunAsync(["doctor", "--demo", "--cluster", "slurm"], Chosen(slurm.Conf), cancellationToken: TestContext.Current.CancellationToken);

        Assert.Contains($"ok    executor     slurm: scontrol ping says 'Slurmctld(primary) at {slurm.Node} is UP'; acting as user ", run.Out, StringComparison.Ordinal);
        Assert.NotEqual(16, run.ExitCode);
    }

    [Fact]
    public async Task Doctor_ClusterEntryChoosesSlurm_OnlyThatClusterUsesIt()
    {
        var slurm = await Slurm.ClusterAsync();
        await using var a = await Vgac.Copilot.Simulator.Hosting.SimulatorHost.StartAsync(new Vgac.Copilot.Simulator.SimulatorOptions { Speed = 0 }, cancellationToken: TestContext.Current.CancellationToken);
        await using var b = await Vgac.Copilot.Simulator.Hosting.SimulatorHost.StartAsync(new Vgac.Copilot.Simulator.SimulatorOptions { Speed = 0 }, cancellationToken: TestContext.Current.CancellationToken);
        var home = TestPaths.NewFolder("slurm-clusters-home-");
        Directory.CreateDirectory(Path.Combine(home, "vgac"));
        await File.WriteAllTextAsync(Path.Combine(home, "vgac", "config.json"), $$"""
            {"Clusters": [{"Name": "hpc", "BaseUrl": "{{a.Url}}", "Executor": "slurm", "SlurmConf": "{{slurm.Conf}}"}, {"Name": "eks", "BaseUrl": "{{b.Url}}"}]}
            """, TestContext.Current.CancellationToken);

        var hpc = await CliProcess.RunAsync(["doctor", "--cluster", "hpc"], new Dictionary<string, string> { ["XDG_CONFIG_HOME"] = home }, cancellationToken: TestContext.Current.CancellationToken);
        var eks = await CliProcess.RunAsync(["doctor", "--cluster", "eks"], new Dictionary<string, string> { ["XDG_CONFIG_HOME"] = home }, cancellationToken: TestContext.Current.CancellationToken);

        Assert.Contains($"ok    executor     slurm: scontrol ping says 'Slurmctld(primary) at {slurm.Node} is UP'", hpc.Out, StringComparison.Ordinal);
        Assert.Contains("ok    executor     none: actions are recorded as previews for a person to run (a dry run)", eks.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Doctor_SlurmExecutor_ControllerDown_FailsWithExit16()
    {
        var slurm = await Slurm.ClusterAsync();
        var down = Path.Combine(TestPaths.NewFolder("slurm-down-"), "slurm.conf");
        await File.WriteAllTextAsync(down, $"ClusterName=down\nSlurmctldHost={slurm.Node}\nSlurmctldPort={LocalPorts.Free()}\nAuthType=auth/none\nNodeName={slurm.Node} CPUs=1\nPartitionName=p Nodes={slurm.Node}\n", TestContext.Current.CancellationToken);

        var run = await CliProcess.RunAsync(["doctor", "--demo", "--cluster", "slurm"], Chosen(down), cancellationToken: TestContext.Current.CancellationToken);

        Assert.True(run.ExitCode == 16, run.ToString());
        Assert.Contains($"FAIL  executor     slurm: scontrol ping did not reach the controller (Slurmctld(primary) at {slurm.Node} is DOWN)", run.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Config_UnknownExecutor_IsAUsageErrorNamingTheChoices()
    {
        var run = await CliProcess.RunAsync(["doctor", "--demo"], new Dictionary<string, string> { ["VGAC_EXECUTOR"] = "slurmm" }, cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("invalid configuration: Watch:Executor (VGAC_EXECUTOR) must be one of none, command, slurm, kubernetes, got 'slurmm'.", run.Error, StringComparison.Ordinal);
    }

    private static Dictionary<string, string> Chosen(string conf) => new() { ["VGAC_EXECUTOR"] = "slurm", ["Watch__Slurm__Conf"] = conf };

    private static SlurmExecutor Executor(SlurmCluster slurm) =>
        new(Options.Create(new ActionOptions { Executor = ExecutorChoice.Slurm, Slurm = new SlurmExecutorOptions { Conf = slurm.Conf } }));

    private static ExecutionRequest Request(string job, string action, IReadOnlyList<string[]> steps) =>
        new($"prop-{job}-{action}", job, action == "annotate" ? 1 : 4, action, "slurm_command", SlurmCommandLine.Render(steps));

    /// <summary>A pending GPU job, held by its user so that nothing runs on the machine.</summary>
    private static async Task<string> SubmitAsync(SlurmCluster slurm)
    {
        var run = await slurm.RunAsync("sbatch", ["--gres=gpu:1", "-t", "30", "-H", "--wrap", "true"], new Dictionary<string, string> { ["VGAC_SLURM_QUIET"] = "1" });
        Assert.True(run.ExitCode == 0, run.ToString());
        return Submitted().Match(run.Out).Groups[1].Value;
    }

    /// <summary>Waits on Slurm itself until the cancelled job is no longer pending.</summary>
    private static async Task WaitUntilGoneAsync(SlurmCluster slurm, string job)
    {
        for (var i = 0; i < 100; i++)
        {
            var show = await slurm.RunAsync("scontrol", ["show", "job", "-o", job]);
            if (show.ExitCode != 0 || !show.Out.Contains("JobState=PENDING", StringComparison.Ordinal))
            {
                return;
            }

            await Task.Delay(100);
        }
    }

    [GeneratedRegex(@"Submitted batch job (\d+)")]
    private static partial Regex Submitted();
}
