using System.Text.Json;
using Vgac.Copilot.Simulator;
using Vgac.Copilot.Simulator.Hosting;
using Vgac.Copilot.Testing;

namespace Vgac.Copilot.Cli.IntegrationTests;

/// <summary>
/// <c>kubectl vgac predict -f manifest.yaml</c> through the real kubectl's plugin mechanism: a <c>kubectl-vgac</c> on
/// <c>PATH</c> (a link to the native vgac when <c>.ci/run</c> built one, a launcher of the JIT build otherwise). No
/// Kubernetes API server is involved: kubectl runs a plugin before it would read any configuration.
/// </summary>
public sealed class KubectlPluginTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static string Manifest => Path.Combine(TestPaths.RepoRoot, "tests", "Vgac.Copilot.Cli.IntegrationTests", "Manifests", "workloads.yaml");

    [Fact]
    public async Task KubectlVgac_Manifest_OneGuardedRowPerGpuWorkload_TheRestNamed()
    {
        var kubectl = new[] { "/usr/bin/kubectl", "/usr/local/bin/kubectl" }.FirstOrDefault(File.Exists);
        Assert.SkipWhen(kubectl is null || !OperatingSystem.IsLinux(), "kubectl is not installed here");
        await using var sim = await SimulatorHost.StartAsync(new SimulatorOptions { Speed = 0 }, cancellationToken: Ct);
        var (bin, native) = Plugin();

        var run = await ProgramRun.RunAsync(kubectl!, ["vgac", "predict", "-f", Manifest, "--vgac-url", sim.Url.ToString(), "-o", "json"], TestPaths.NewFolder("kubectl-home-"),
            TimeSpan.FromMinutes(2), Ct, new Dictionary<string, string> { ["PATH"] = $"{bin}:{System.Environment.GetEnvironmentVariable("PATH")}", ["HOME"] = TestPaths.NewFolder("kubectl-home-"), ["KUBECONFIG"] = "/nonexistent" });

        Assert.True(run.ExitCode == 0, run.ToString());
        using var json = JsonDocument.Parse(run.Out);
        var predictions = json.RootElement.GetProperty("predictions").EnumerateArray().ToList();
        Assert.Equal(["Job/train", "PyTorchJob/ddp", "Pod/tiny"], predictions.Select(p => p.GetProperty("workload").GetString()));
        Assert.Equal([8, 4, 1], predictions.Select(p => p.GetProperty("spec").GetProperty("gpus").GetInt32()));
        var train = predictions[0].GetProperty("spec");
        Assert.Equal("ml-team", train.GetProperty("namespace").GetString());
        Assert.Equal("A100", train.GetProperty("gpu_type").GetString());
        Assert.Equal("gpu-queue", train.GetProperty("queue").GetString());
        Assert.Equal(60, train.GetProperty("duration_minutes").GetInt32());
        Assert.True(train.GetProperty("distributed").GetBoolean());
        Assert.All(predictions, p => Assert.True(p.TryGetProperty("shown_as", out _)));
        var skipped = Assert.Single(json.RootElement.GetProperty("not_estimated").EnumerateArray());
        Assert.Equal("Service/web", skipped.GetProperty("workload").GetString());

        if (native)
        {
            var help = await ProgramRun.RunAsync(kubectl!, ["vgac", "predict", "--help"], TestPaths.NewFolder("kubectl-home-"), TimeSpan.FromMinutes(1), Ct,
                new Dictionary<string, string> { ["PATH"] = $"{bin}:{System.Environment.GetEnvironmentVariable("PATH")}", ["HOME"] = TestPaths.NewFolder("kubectl-home-") });
            Assert.Contains("kubectl vgac predict [options]", help.Out, StringComparison.Ordinal);
        }
    }

    /// <summary>A folder holding <c>kubectl-vgac</c>, and whether it is the native program itself (a link) or a launcher.</summary>
    private static (string Bin, bool Native) Plugin()
    {
        var bin = TestPaths.NewFolder("kubectl-plugin-");
        var plugin = Path.Combine(bin, "kubectl-vgac");
        if (System.Environment.GetEnvironmentVariable(NativeBuildTests.Variable) is { Length: > 0 } native && File.Exists(Path.Combine(native, "vgac")))
        {
            File.CreateSymbolicLink(plugin, Path.Combine(native, "vgac"));
            return (bin, true);
        }

        File.WriteAllText(plugin, $"#!/bin/sh\nexec dotnet '{CliProcess.VgacDll}' \"$@\"\n");
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(plugin, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }

        return (bin, false);
    }
}
