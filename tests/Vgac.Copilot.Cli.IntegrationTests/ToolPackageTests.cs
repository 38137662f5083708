using System.IO.Compression;
using System.Text.Json;
using Vgac.Copilot.Testing;

namespace Vgac.Copilot.Cli.IntegrationTests;

/// <summary>
/// <c>vgac</c> as a user installs it: packed with <c>dotnet pack</c>, installed with <c>dotnet tool install</c> into
/// a folder of its own, and run from a folder that has nothing of the repository in it.
/// </summary>
public sealed class ToolPackageTests
{
    /// <summary>The most the package may weigh (the issue's budget).</summary>
    private const long MaxPackageBytes = 30L * 1024 * 1024;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Package_InstalledAsDotnetTool_RunsHelpDemoPredictionAndEvalsOutsideTheRepository()
    {
        var root = Vgac.Copilot.Testing.TestPaths.NewFolder("vgac-tool-");
        var packages = Path.Combine(root, "packages");
        var toolPath = Path.Combine(root, "tools");
        var elsewhere = Directory.CreateDirectory(Path.Combine(root, "somewhere-else")).FullName;
        // A NuGet cache of its own: the installed package is this build's, never one cached by an earlier run.
        var environment = new Dictionary<string, string>
        {
            ["NUGET_PACKAGES"] = Path.Combine(root, "nuget-cache"),
            ["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1",
            ["DOTNET_NOLOGO"] = "1",
        };
        var project = Path.Combine(TestPaths.RepoRoot, "src", "Vgac.Copilot.Cli.Full", "Vgac.Copilot.Cli.Full.csproj");

        var pack = await ProgramRun.RunAsync("dotnet", ["pack", project, "--no-build", "-c", TestPaths.Configuration, "-o", packages, "-p:PackageOutputPath=" + packages], root, TimeSpan.FromMinutes(5), Ct, environment);
        Assert.True(pack.ExitCode == 0, pack.ToString());
        var package = Assert.Single(Directory.GetFiles(packages, "vgac.*.nupkg"));
        Assert.InRange(new FileInfo(package).Length, 1, MaxPackageBytes);
        AssertCarriesWhatItNeeds(package);

        var install = await ProgramRun.RunAsync("dotnet", ["tool", "install", "vgac", "--tool-path", toolPath, "--add-source", packages, "--ignore-failed-sources"], root, TimeSpan.FromMinutes(5), Ct, environment);
        Assert.True(install.ExitCode == 0, install.ToString());
        var vgac = Path.Combine(toolPath, OperatingSystem.IsWindows() ? "vgac.exe" : "vgac");

        var help = await ProgramRun.RunAsync(vgac, ["--help"], elsewhere, TimeSpan.FromMinutes(1), Ct);
        Assert.True(help.ExitCode == 0, help.ToString());
        Assert.Contains("predict", help.Out, StringComparison.Ordinal);

        var predict = await ProgramRun.RunAsync(vgac, ["predict", "--demo", "--gpus", "2", "--format", "json"], elsewhere, TimeSpan.FromMinutes(2), Ct);
        Assert.True(predict.ExitCode == 0, predict.ToString());
        using (var json = JsonDocument.Parse(predict.Out))
        {
            Assert.Equal(2, json.RootElement.GetProperty("spec").GetProperty("gpus").GetInt32());
            Assert.InRange(json.RootElement.GetProperty("probability_long_wait").GetDouble(), 0, 1);
        }

        // The installed suites and cassettes, and the installed prompts and vocabulary behind the offline planner.
        var eval = await ProgramRun.RunAsync(vgac, ["eval", "--suite", "predictor"], elsewhere, TimeSpan.FromMinutes(3), Ct);
        Assert.True(eval.ExitCode == 0, eval.ToString());
        Assert.Matches(@"predictor\s+\d+/\d+\s+100 %", eval.Out);
        Assert.Empty(Directory.EnumerateFileSystemEntries(elsewhere));
    }

    private static void AssertCarriesWhatItNeeds(string package)
    {
        using var zip = ZipFile.OpenRead(package);
        var entries = zip.Entries.Select(e => e.FullName.Replace('\\', '/')).ToList();
        const string tool = "tools/net10.0/any/";
        Assert.Contains(tool + "vgac.dll", entries);
        Assert.Contains(tool + "prompts/offline/intents.json", entries);
        Assert.Contains(tool + "prompts/planner/system.md", entries);
        Assert.Contains(entries, e => e.StartsWith(tool + "evals/suites/", StringComparison.Ordinal) && e.EndsWith(".yaml", StringComparison.Ordinal));
        Assert.Contains(entries, e => e.StartsWith(tool + "evals/cassettes/calm/", StringComparison.Ordinal));

        // Native libraries only for the platforms the tool supports.
        var platforms = entries.Where(e => e.StartsWith(tool + "runtimes/", StringComparison.Ordinal))
            .Select(e => e[(tool.Length + "runtimes/".Length)..].Split('/')[0]).Distinct().Order().ToList();
        Assert.Subset(new HashSet<string>(["linux-x64", "linux-arm64", "osx", "osx-x64", "osx-arm64", "win-x64"]), platforms.ToHashSet());
    }
}
