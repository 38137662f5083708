using System.Text.Json;
using System.Text.Json.Nodes;
using System.Xml.Linq;
using Vgac.Copilot.Testing;

namespace Vgac.Copilot.Cli.IntegrationTests;

/// <summary>
/// The repository's <c>server.json</c> (its entry in the MCP registry) is valid against the registry's published
/// schema (checked by Ajv through <c>tests/mcp-client/validate-server-json.mjs</c>), and says what the product is:
/// the package users install, its version, the command and the settings it reads.
/// </summary>
public sealed class RegistryEntryTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static string ServerJson => Path.Combine(TestPaths.RepoRoot, "server.json");

    [Fact]
    public async Task ServerJson_IsValidAgainstTheRegistrySchema()
    {
        var run = await ValidateAsync(ServerJson);

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Equal("""{"valid":true,"errors":[]}""", run.Out.Trim());
    }

    [Fact]
    public async Task ServerJson_WithAFloatingVersion_IsRejectedBySchema()
    {
        // The check can fail: the registry refuses a package version of 'latest'.
        var entry = JsonNode.Parse(await File.ReadAllTextAsync(ServerJson, Ct))!;
        entry["packages"]![0]!["version"] = "latest";
        var broken = Path.Combine(TestPaths.NewFolder("server-json-"), "server.json");
        await File.WriteAllTextAsync(broken, entry.ToJsonString(), Ct);

        var run = await ValidateAsync(broken);

        Assert.Contains("\"valid\":false", run.Out, StringComparison.Ordinal);
        Assert.Contains("/packages/0/version must NOT be valid", run.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ServerJson_NamesThePackageVersionCommandAndSettingsTheProductHas()
    {
        using var entry = JsonDocument.Parse(await File.ReadAllTextAsync(ServerJson, Ct));
        var project = XDocument.Load(Path.Combine(TestPaths.RepoRoot, "src", "Vgac.Copilot.Cli.Full", "Vgac.Copilot.Cli.Full.csproj"));
        var props = XDocument.Load(Path.Combine(TestPaths.RepoRoot, "Directory.Build.props"));
        var packageId = project.Descendants("PackageId").Single().Value;
        var version = props.Descendants("Version").Single().Value;

        Assert.Equal(version, entry.RootElement.GetProperty("version").GetString());
        var packages = entry.RootElement.GetProperty("packages").EnumerateArray().ToList();
        Assert.Equal(["stdio", "streamable-http"], packages.Select(p => p.GetProperty("transport").GetProperty("type").GetString()));
        Assert.All(packages, p =>
        {
            Assert.Equal(packageId, p.GetProperty("identifier").GetString());
            Assert.Equal(version, p.GetProperty("version").GetString());
            Assert.Equal("mcp", p.GetProperty("packageArguments")[0].GetProperty("value").GetString());
            // Every variable it names is one the program reads.
            Assert.All(p.GetProperty("environmentVariables").EnumerateArray(), v =>
                Assert.True(Composition.SettingsCatalog.Variables.ContainsKey(v.GetProperty("name").GetString()!) || v.GetProperty("name").GetString() == "VGAC_MCP_TOKEN",
                    $"{v.GetProperty("name").GetString()} is not a setting vgac reads"));
        });
    }

    private static async Task<CliResult> ValidateAsync(string file)
    {
        var folder = Path.Combine(TestPaths.RepoRoot, "tests", "mcp-client");
        if (!Directory.Exists(Path.Combine(folder, "node_modules", "ajv")))
        {
            var install = await ProgramRun.RunAsync("npm", ["ci", "--no-audit", "--no-fund"], folder, TimeSpan.FromMinutes(5), Ct);
            Assert.True(install.ExitCode == 0, $"npm ci failed in {folder}:\n{install.Error}");
        }

        return await ProgramRun.RunAsync("node", ["validate-server-json.mjs", file], folder, TimeSpan.FromMinutes(1), Ct);
    }
}
