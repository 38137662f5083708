using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using Vgac.Copilot.Simulator;
using Vgac.Copilot.Simulator.Hosting;
using Vgac.Copilot.Testing;

namespace Vgac.Copilot.Cli.IntegrationTests;

/// <summary>
/// <c>integrations/slurm/cli_filter.lua</c> in a real Slurm's <c>sbatch</c> (<see cref="SlurmCluster"/>): the guarded
/// line at submission, a submission that never waits on vgac beyond the budget or breaks with it, and the job left
/// exactly as the user asked. Jobs are submitted held (<c>-H</c>), so nothing runs on the machine.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed partial class SlurmSubmissionTests
{
    /// <summary>Room for a JIT-started vgac on a busy machine; the budget itself is tried with a VGAC that never answers.</summary>
    private const string Generous = "60000";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Sbatch_GpuJob_PrintsTheGuardedLine_AndSubmitsTheJobAsAsked()
    {
        var slurm = await Slurm.ClusterAsync();
        await using var sim = await SimulatorHost.StartAsync(new SimulatorOptions { Speed = 0 }, cancellationToken: Ct);

        var run = await slurm.RunAsync("sbatch", ["--gres=gpu:2", "-t", "60", "-H", "--wrap", "true"], Filter(Vgac(), sim.Url.ToString(), Generous));

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Matches(@"(?m)^vgac: likely to start (within|in) [0-9.\-]+ min \(90% of jobs like it\); P\(long wait\) 0\.\d\d, confident$", run.Error);
        var job = await slurm.JobAsync(JobId(run));
        Assert.Equal("01:00:00", job["TimeLimit"]);
        Assert.Equal("gres:gpu:2", job["TresPerNode"]);
        Assert.Equal("JobHeldUser", job["Reason"]);
    }

    [Fact]
    public async Task Sbatch_VgacHangs_IsStoppedAtTheBudget_AndSubmits()
    {
        var slurm = await Slurm.ClusterAsync();
        var (bin, _) = Recorder("vgac: never printed", hang: true);

        var run = await slurm.RunAsync("sbatch", ["--gpus=1", "-H", "--wrap", "true"], Filter(bin, "http://127.0.0.1:1/", "300"));

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains("vgac: no estimate (no answer within 300 ms)", run.Error, StringComparison.Ordinal);
        // The shell that ran it says nothing of its own (a stopped child is otherwise reported as "Killed").
        Assert.DoesNotContain("Killed", run.Error, StringComparison.Ordinal);
        Assert.Equal("gres:gpu:1", (await slurm.JobAsync(JobId(run)))["TresPerJob"]);
    }

    [Fact]
    public async Task Sbatch_VgacServerNeverAnswers_NoEstimateEitherWay_AndSubmits()
    {
        var slurm = await Slurm.ClusterAsync();
        // Accepts connections into its backlog and never answers one: a VGAC that hangs. vgac's own timeout (inside the
        // budget) or the budget itself ends the wait, whichever comes first on this machine.
        using var hanging = new TcpListener(IPAddress.Loopback, 0);
        hanging.Start();

        var run = await slurm.RunAsync("sbatch", ["--gres=gpu:1", "-H", "--wrap", "true"], Filter(Vgac(), $"http://127.0.0.1:{((IPEndPoint)hanging.LocalEndpoint).Port}/", "2000"));

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Matches(@"(?m)^vgac: no estimate(: VGAC gave no prediction| \(no answer within 2000 ms\))$", run.Error);
        Assert.Matches(@"Submitted batch job \d+", run.Out);
    }

    [Fact]
    public async Task Sbatch_VgacDown_SaysThereIsNoEstimate_AndSubmits()
    {
        var slurm = await Slurm.ClusterAsync();

        var run = await slurm.RunAsync("sbatch", ["--gres=gpu:1", "-H", "--wrap", "true"], Filter(Vgac(), $"http://127.0.0.1:{LocalPorts.Free()}/", Generous));

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains("vgac: no estimate: VGAC gave no prediction", run.Error, StringComparison.Ordinal);
        Assert.Matches(@"Submitted batch job \d+", run.Out);
    }

    [Fact]
    public async Task Sbatch_VgacMissing_SaysSoInOneLine_AndSubmits()
    {
        var slurm = await Slurm.ClusterAsync();

        var run = await slurm.RunAsync("sbatch", ["--gres=gpu:1", "-H", "--wrap", "true"], Filter(Path.Combine(slurm.Folder, "no-such-vgac"), "http://127.0.0.1:1/", Generous));

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Equal(["vgac: no estimate (vgac is not installed here)"], run.Error.Split('\n').Where(l => l.StartsWith("vgac", StringComparison.Ordinal)));
        Assert.Matches(@"Submitted batch job \d+", run.Out);
    }

    [Fact]
    public async Task Sbatch_Options_MapToTheJobSpec()
    {
        var slurm = await Slurm.ClusterAsync();
        var (bin, args) = Recorder("vgac: recorded");

        // Two nodes on a one-node cluster: Slurm refuses the job after the filter has run, which is all this asks.
        await slurm.RunAsync("sbatch", ["--gpus-per-node=2", "-N", "2", "-t", "1-00:00", "--mem=4G", "-p", "gpu", "-A", "ml-team", "--qos=high", "-H", "--wrap", "true"],
            Filter(bin, "http://vgac.example:8000/", Generous));

        Assert.Equal(
            ["predict", "--gpus", "4", "--format", "line", "--timeout", "48.00", "--queue", "gpu", "--namespace", "ml-team", "--duration-minutes", "1440", "--memory-gb", "4.00", "--priority", "10",
                "--distributed", "--vgac-url", "http://vgac.example:8000/"],
            await File.ReadAllLinesAsync(args, Ct));
    }

    [Fact]
    public async Task Sbatch_HostileValues_AreLeftOutOrCleaned_AndTheJobStillSubmits()
    {
        var slurm = await Slurm.ClusterAsync();
        var (bin, args) = Recorder("vgac: \u001b[31mred\u0007 text");
        var marker = Path.Combine(slurm.Folder, "pwned");

        var run = await slurm.RunAsync("sbatch", ["--gres=gpu:1", "-A", $"x';touch {marker};'", "-p", "gpu", "-t", "garbage-ish", "-H", "--wrap", "true"],
            Filter(bin, "http://127.0.0.1:1/", Generous));
        if (run.ExitCode != 0)
        {
            // Slurm's own check of -t: the same job without it must submit, with the filter's line cleaned.
            run = await slurm.RunAsync("sbatch", ["--gres=gpu:1", "-A", $"x';touch {marker};'", "-p", "gpu", "-H", "--wrap", "true"], Filter(bin, "http://127.0.0.1:1/", Generous));
        }

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.False(File.Exists(marker), "a value from the job's options reached a shell");
        Assert.DoesNotContain("--namespace", await File.ReadAllLinesAsync(args, Ct));
        Assert.Contains("vgac:  [31mred  text", run.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("\u001b", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Sbatch_WithARecordFile_AppendsTheJobIdAndTheLineShown()
    {
        var slurm = await Slurm.ClusterAsync();
        var (bin, _) = Recorder("vgac: a \"quoted\" \\ line");
        var record = Path.Combine(TestPaths.NewFolder("slurm-record-"), "shown.jsonl");
        var settings = Filter(bin, "http://127.0.0.1:1/", Generous);
        settings["VGAC_SLURM_RECORD"] = record;

        var run = await slurm.RunAsync("sbatch", ["--gres=gpu:1", "-H", "--wrap", "true"], settings);

        Assert.True(run.ExitCode == 0, run.ToString());
        using var line = System.Text.Json.JsonDocument.Parse(Assert.Single(await File.ReadAllLinesAsync(record, Ct)));
        Assert.Equal(JobId(run), line.RootElement.GetProperty("job_id").GetString());
        Assert.Equal("vgac: a \"quoted\" \\ line", line.RootElement.GetProperty("shown").GetString());
        Assert.True(line.RootElement.GetProperty("at").GetInt64() > 1_700_000_000);
    }

    [Fact]
    public async Task Sbatch_JobWithoutGpus_IsNotEstimated()
    {
        var slurm = await Slurm.ClusterAsync();
        var (bin, args) = Recorder("vgac: recorded");

        var run = await slurm.RunAsync("sbatch", ["-t", "5", "-H", "--wrap", "true"], Filter(bin, "http://127.0.0.1:1/", Generous));

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.False(File.Exists(args), "vgac was asked about a job without GPUs");
        Assert.DoesNotContain("vgac:", run.Error, StringComparison.Ordinal);
    }

    /// <summary>The cli_filter's settings for one submission.</summary>
    private static Dictionary<string, string> Filter(string bin, string vgacUrl, string budgetMs) => new(StringComparer.Ordinal)
    {
        ["VGAC_SLURM_BIN"] = bin,
        ["VGAC_SLURM_VGAC_URL"] = vgacUrl,
        ["VGAC_SLURM_BUDGET_MS"] = budgetMs,
    };

    /// <summary>The native vgac when <c>.ci/run</c> built one, otherwise a launcher for the JIT build.</summary>
    private static string Vgac()
    {
        if (System.Environment.GetEnvironmentVariable(NativeBuildTests.Variable) is { Length: > 0 } native && File.Exists(Path.Combine(native, "vgac")))
        {
            return Path.Combine(native, "vgac");
        }

        var launcher = Path.Combine(TestPaths.NewFolder("slurm-vgac-"), "vgac");
        File.WriteAllText(launcher, $"#!/bin/sh\nexec dotnet '{CliProcess.VgacDll}' \"$@\"\n");
        File.SetUnixFileMode(launcher, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        return launcher;
    }

    /// <summary>A stand-in vgac that writes its arguments, one per line, to a file and prints <paramref name="line"/> (after a long sleep, when it <paramref name="hang"/>s).</summary>
    private static (string Bin, string Args) Recorder(string line, bool hang = false)
    {
        var folder = TestPaths.NewFolder("slurm-recorder-");
        var args = Path.Combine(folder, "args");
        var bin = Path.Combine(folder, "vgac");
        File.WriteAllText(Path.Combine(folder, "line"), line);
        File.WriteAllText(bin, $"#!/bin/sh\nprintf '%s\\n' \"$@\" > '{args}'\n{(hang ? "sleep 30\n" : "")}cat '{Path.Combine(folder, "line")}'\n");
        File.SetUnixFileMode(bin, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        return (bin, args);
    }

    private static string JobId(CliResult run) => SubmittedJob().Match(run.Out) is { Success: true } m ? m.Groups[1].Value : throw new InvalidOperationException($"no job id: {run}");

    [GeneratedRegex(@"Submitted batch job (\d+)")]
    private static partial Regex SubmittedJob();
}
