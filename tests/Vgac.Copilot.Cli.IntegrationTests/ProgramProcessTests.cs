using System.Diagnostics;
using System.Text.Json;
using System.Text.RegularExpressions;
using Vgac.Copilot.Testing;
using Vgac.Copilot.Cli.Tests;

namespace Vgac.Copilot.Cli.IntegrationTests;

/// <summary>The program as a process: the tests of the command line, predict, the simulator, the REPL's store and completion that need one (or PostgreSQL, or a shell).</summary>
public sealed partial class ProgramProcessTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task RealProcess_BadConfiguration_ExitCode2AndOneLine()
    {
        var result = await CliProcess.RunAsync(["doctor"], new Dictionary<string, string> { ["VGAC_TIMEOUT_SECONDS"] = "-1", ["VGAC_LOG_DIR"] = TestPaths.Logs },
            cancellationToken: TestContext.Current.CancellationToken);

        Assert.True(result.ExitCode == ExitCodes.UsageError, result.ToString());
        Assert.Single(result.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Equal(string.Empty, result.Out);
    }

    [Fact]
    public async Task RealProcess_Version_PrintsVersion()
    {
        var result = await CliProcess.RunAsync(["--version"], cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal(ExitCodes.Success, result.ExitCode);
        Assert.Matches(@"^vgac \d+\.\d+\.\d+", result.Out);
    }

    [Fact]
    public async Task Predict_BatchFromTheRealStdin_ReadsEveryLine()
    {
        // A real process: the console's reader is opened only when a command reads it.
        var result = await CliProcess.RunAsync(
            ["predict", "--demo", "--batch", "-", "-o", "json"], cancellationToken: Ct, timeout: TimeSpan.FromMinutes(2),
            input: "{\"gpus\": 1}\n{\"gpus\": 4, \"gpu_type\": \"A100\"}\n");

        Assert.True(result.ExitCode == ExitCodes.Success, result.ToString());
        using var json = JsonDocument.Parse(result.Out);
        Assert.Equal([1, 4], json.RootElement.EnumerateArray().Select(p => p.GetProperty("spec").GetProperty("gpus").GetInt32()));
    }

    [Fact]
    public async Task Sim_RealProcess_ServesTheApiAndStopsCleanlyOnSigint()
    {
        var ct = TestContext.Current.CancellationToken;
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in new[] { CliProcess.VgacDll, "sim", "--port", "0", "--speed", "0", "--warmup-hours", "24" })
        {
            info.ArgumentList.Add(arg);
        }

        TestEnvironment.Apply(info);
        using var process = Process.Start(info)!;
        // Read stderr from the start: a child blocked on a full pipe would never see the signal through.
        var stderr = process.StandardError.ReadToEndAsync(ct);
        try
        {
            string? url = null;
            while (url is null && await process.StandardOutput.ReadLineAsync(ct) is { } line)
            {
                url = UrlLine().Match(line) is { Success: true } m ? m.Groups[1].Value : null;
            }

            Assert.NotNull(url);
            var stdout = process.StandardOutput.ReadToEndAsync(ct);
            await using var harness = ClientHarness.Create(new Uri(url));
            var summary = await harness.Client.GetClusterSummaryAsync(ct);
            Assert.Equal(104, summary.TotalGpus);

            using (var kill = Process.Start("kill", ["-INT", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
            {
                await kill.WaitForExitAsync(ct);
            }

            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
            timeout.CancelAfter(TimeSpan.FromSeconds(30));
            try
            {
                await process.WaitForExitAsync(timeout.Token);
            }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested)
            {
                process.Kill(entireProcessTree: true);
                Assert.Fail($"the simulator did not stop within 30 s of SIGINT; its stderr:\n{await stderr}");
            }

            Assert.Equal(ExitCodes.Success, process.ExitCode);
            Assert.Contains("Simulator stopped.", await stderr, StringComparison.Ordinal);
            await stdout;
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }
        }
    }

    [Fact]
    public async Task Session_SavedInAPostgresStore_ResumesOnAnotherMachine()
    {
        var (postgres, unavailable) = await Vgac.Copilot.Testing.PostgresServer.SharedAsync();
        if (postgres is null)
        {
            Assert.Skip(unavailable!);
        }

        var store = new Dictionary<string, string> { ["VGAC_STORAGE_PROVIDER"] = "postgres", ["VGAC_STORAGE_CONNECTION"] = await postgres!.CreateDatabaseAsync("vgac_sessions") };

        // Two runs with nothing local in common (each its own data folder): only the store carries the session.
        var saved = await CliHarness.RunAsync(["chat", "--demo"], store, Ct, input: "how busy is the cluster?\n/save handover\nexit\n");
        var resumed = await CliHarness.RunAsync(["chat", "--demo", "--resume", "handover"], store, Ct, input: "/history\n/exit\n");

        Assert.True(saved.ExitCode == ExitCodes.Success, saved.ToString());
        Assert.True(resumed.ExitCode == ExitCodes.Success, resumed.ToString());
        Assert.Contains("Resumed session 'handover' (1 question", resumed.Out, StringComparison.Ordinal);
        Assert.Matches(@"1\s+how busy is the cluster\?", resumed.Out);
    }

    [Fact]
    public async Task Completion_Bash_RealShellCompletesCommandsAndOptionsFromTheProgram()
    {
        Assert.SkipUnless(File.Exists("/bin/bash") && !OperatingSystem.IsWindows(), "needs bash");
        var folder = Vgac.Copilot.Testing.TestPaths.NewFolder("vgac-completion-");
        var script = await CliHarness.RunAsync(["completion", "bash"], cancellationToken: Ct);
        Assert.Equal(ExitCodes.Success, script.ExitCode);
        await File.WriteAllTextAsync(Path.Combine(folder, "vgac-completion.bash"), script.Out, Ct);
        // 'vgac' on the PATH is the real program, as an installed tool would be.
        var shim = Path.Combine(folder, "vgac");
        await File.WriteAllTextAsync(shim, $"#!/bin/sh\nexec dotnet \"{CliProcess.VgacDll}\" \"$@\"\n", Ct);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(shim, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }

        const string Probe = """
            set -e
            source ./vgac-completion.bash
            complete_line() { COMP_LINE="$1"; COMP_POINT=${#1}; read -ra COMP_WORDS <<< "$1"; [[ "$1" == *" " ]] && COMP_WORDS+=(""); COMP_CWORD=$((${#COMP_WORDS[@]} - 1)); _vgac_complete; echo "$1 => ${COMPREPLY[*]}"; }
            complete_line "vgac pre"
            complete_line "vgac predict --gpu"
            complete_line "vgac completion "
            """;
        await File.WriteAllTextAsync(Path.Combine(folder, "probe.sh"), Probe, Ct);

        var run = await ProgramRun.RunAsync("/bin/bash", ["probe.sh"], folder, TimeSpan.FromMinutes(1), Ct,
            new Dictionary<string, string> { ["PATH"] = folder + ":" + Environment.GetEnvironmentVariable("PATH") });

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains("vgac pre => predict", run.Out, StringComparison.Ordinal);
        var options = run.Out.Split('\n').Single(l => l.StartsWith("vgac predict --gpu =>", StringComparison.Ordinal)).Split(' ');
        Assert.Contains("--gpus", options);
        Assert.Contains("--gpu-type", options);
        Assert.DoesNotContain("--batch", options);
        Assert.Matches(@"vgac completion  => .*bash.*powershell.*zsh|vgac completion  => .*bash.*zsh", run.Out);
    }

    [GeneratedRegex(@"listening on (http://\S+)")]
    private static partial Regex UrlLine();
}
