using System.Text.Json;
using System.Text.Json.Nodes;
using Vgac.Copilot.Testing;

namespace Vgac.Copilot.Cli.IntegrationTests;

/// <summary>
/// The real <c>vgac mcp --demo</c> process over stdio, driven by a client nobody here wrote: the official MCP
/// TypeScript SDK from npm (<c>tests/mcp-client</c>).
/// </summary>
public sealed class McpProcessTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task TypeScriptSdkClient_ListsToolsAndCallsOnePerPlugin()
    {
        var folder = Path.Combine(TestPaths.RepoRoot, "tests", "mcp-client");
        if (!Directory.Exists(Path.Combine(folder, "node_modules", "@modelcontextprotocol", "sdk")))
        {
            var install = await RunAsync("npm", ["ci", "--no-audit", "--no-fund"], folder, TimeSpan.FromMinutes(5));
            Assert.True(install.ExitCode == 0, $"npm ci failed in {folder}:\n{install.Error}");
        }

        var run = await RunAsync("node", ["check.mjs", "dotnet", CliProcess.VgacDll], folder, TimeSpan.FromMinutes(3));

        Assert.True(run.ExitCode == 0, run.ToString());
        using var json = JsonDocument.Parse(run.Out);
        var root = json.RootElement;
        Assert.Equal("vgac-copilot", root.GetProperty("server").GetProperty("name").GetString());
        var tools = root.GetProperty("tools").EnumerateArray().ToList();
        Assert.Equal(27, tools.Count);
        Assert.All(tools, t => Assert.True(t.GetProperty("read_only").GetBoolean()));
        foreach (var plugin in new[] { "observer", "predictor", "calibrator", "actor" })
        {
            var call = root.GetProperty("calls").GetProperty(plugin);
            Assert.False(call.GetProperty("is_error").GetBoolean(), call.GetProperty("text").GetString());
            using var result = JsonDocument.Parse(call.GetProperty("text").GetString()!);
            Assert.Equal(JsonValueKind.Object, result.RootElement.ValueKind);
            // The same result as structured content, validated by the SDK against the tool's output schema.
            Assert.Equal(JsonValueKind.Object, call.GetProperty("structured").ValueKind);
            Assert.True(JsonNode.DeepEquals(JsonNode.Parse(result.RootElement.GetRawText()), JsonNode.Parse(call.GetProperty("structured").GetRawText())), plugin);
        }

        var bad = root.GetProperty("calls").GetProperty("bad_argument");
        Assert.True(bad.GetProperty("is_error").GetBoolean());
        Assert.Contains("gpus must be between 0 and 1024", bad.GetProperty("text").GetString(), StringComparison.Ordinal);
        // The demo serves two clusters: the current one's four resources, and each cluster's own four.
        Assert.Equal(12, root.GetProperty("resources").GetArrayLength());
        Assert.Contains(root.GetProperty("resources").EnumerateArray(), r => r.GetString() == "vgac://slurm/calibration/status");
        using (var slurm = JsonDocument.Parse(root.GetProperty("slurm_summary").GetString()!))
        {
            Assert.Equal("slurm", slurm.RootElement.GetProperty("cluster_id").GetString());
        }

        // Two clusters' catalogue stays within the budget a model pays for on every request (about 4 bytes a token).
        Assert.True(root.GetProperty("shown_bytes").GetInt32() / 4 < 3000, $"the two-cluster catalogue is about {root.GetProperty("shown_bytes").GetInt32() / 4} tokens");

        // Every tool takes the cluster, an enum of the configured names; a result names the cluster that answered.
        Assert.Equal(["eks", "slurm"], root.GetProperty("cluster_schema").GetProperty("enum").EnumerateArray().Select(e => e.GetString()));
        var onSlurm = root.GetProperty("calls").GetProperty("on_slurm");
        Assert.False(onSlurm.GetProperty("is_error").GetBoolean(), onSlurm.GetProperty("text").GetString());
        Assert.Equal("slurm", onSlurm.GetProperty("structured").GetProperty("cluster").GetString());
        Assert.Equal("eks", root.GetProperty("calls").GetProperty("observer").GetProperty("structured").GetProperty("cluster").GetString());
        var unknown = root.GetProperty("calls").GetProperty("unknown_cluster");
        Assert.True(unknown.GetProperty("is_error").GetBoolean());
        Assert.Contains("no cluster is named 'gke'; configured: eks, slurm", unknown.GetProperty("text").GetString(), StringComparison.Ordinal);
        Assert.Equal(3, root.GetProperty("prompts").GetArrayLength());
    }

    [Fact]
    public async Task TypeScriptSdkClient_ToolBudget_ListsOnlyTheAllowedTools_AndReadsTheInstructions()
    {
        var folder = await ClientAsync();
        var flags = "--read-only --tools observer_cluster_summary,predictor_predict_wait,calibrator_status,actor_apply_action --exclude-tools calibrator_status";

        var run = await ProgramRun.RunAsync("node", ["check.mjs", "dotnet", CliProcess.VgacDll], folder, TimeSpan.FromMinutes(3), Ct, new Dictionary<string, string> { ["VGAC_MCP_FLAGS"] = flags });

        Assert.True(run.ExitCode == 0, run.ToString());
        using var json = JsonDocument.Parse(run.Out);
        var root = json.RootElement;
        Assert.Equal(["observer_cluster_summary", "predictor_predict_wait"], root.GetProperty("tools").EnumerateArray().Select(t => t.GetProperty("name").GetString()));
        Assert.False(root.GetProperty("calls").GetProperty("observer").GetProperty("is_error").GetBoolean());
        Assert.True(root.GetProperty("calls").GetProperty("calibrator").GetProperty("is_error").GetBoolean());
        Assert.Contains("Unknown tool: 'calibrator_status'", root.GetProperty("calls").GetProperty("calibrator").GetProperty("text").GetString(), StringComparison.Ordinal);
        // Said at start: the allow list named a tool the read-only switch keeps away.
        Assert.Contains("--tools names actor_apply_action, which is not served: it can act, and the server is read-only.", root.GetProperty("stderr_tail").GetString(), StringComparison.Ordinal);
        var instructions = root.GetProperty("instructions").GetString()!;
        Assert.StartsWith("These tools read VGAC", instructions, StringComparison.Ordinal);
        Assert.Contains("This server serves several clusters (eks, slurm)", instructions, StringComparison.Ordinal);
    }

    private static async Task<string> ClientAsync()
    {
        var folder = Path.Combine(TestPaths.RepoRoot, "tests", "mcp-client");
        if (!Directory.Exists(Path.Combine(folder, "node_modules", "@modelcontextprotocol", "sdk")))
        {
            var install = await RunAsync("npm", ["ci", "--no-audit", "--no-fund"], folder, TimeSpan.FromMinutes(5));
            Assert.True(install.ExitCode == 0, $"npm ci failed in {folder}:\n{install.Error}");
        }

        return folder;
    }

    private static Task<CliResult> RunAsync(string file, string[] args, string directory, TimeSpan timeout) => ProgramRun.RunAsync(file, args, directory, timeout, Ct);
}
