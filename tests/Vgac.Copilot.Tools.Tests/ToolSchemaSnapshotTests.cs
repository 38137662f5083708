using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using ModelContextProtocol;
using Vgac.Copilot.Simulator;
using Vgac.Copilot.Simulator.Hosting;
using Vgac.Copilot.Testing;

namespace Vgac.Copilot.Tools.Tests;

/// <summary>
/// What a model or an MCP client sees of every tool (name, title, description, input and output schema, annotations)
/// is committed in <c>Snapshots/tools.json</c>: any change to it fails here until it is reviewed. To accept a change,
/// run the tests with <c>VGAC_UPDATE_SNAPSHOTS=1</c> and commit the file with the change that caused it.
/// </summary>
public sealed class ToolSchemaSnapshotTests
{
    private static readonly string Approved = Path.Combine(TestPaths.RepoRoot, "tests", "Vgac.Copilot.Tools.Tests", "Snapshots", "tools.json");

    [Fact]
    public async Task ToolSchemas_AsServed_MatchTheReviewedSnapshot()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var simulator = await SimulatorHost.StartAsync(new SimulatorOptions { Speed = 0 }, cancellationToken: ct);
        await using var mcp = await McpTestHost.StartAsync(simulator.Url, new Core.Settings.McpHostOptions { AllowActions = true }, cancellationToken: ct);

        var tools = await mcp.Client.ListToolsAsync(cancellationToken: ct);
        var served = new JsonArray([.. tools.Select(t => JsonNode.Parse(JsonSerializer.Serialize(t.ProtocolTool, McpJsonUtilities.DefaultOptions)))]);
        var text = served.ToJsonString(new JsonSerializerOptions { WriteIndented = true }).Replace("\r\n", "\n", StringComparison.Ordinal) + "\n";

        if (Environment.GetEnvironmentVariable("VGAC_UPDATE_SNAPSHOTS") == "1")
        {
            await File.WriteAllTextAsync(Approved, text, new UTF8Encoding(false), ct);
            return;
        }

        var approved = File.Exists(Approved) ? await File.ReadAllTextAsync(Approved, ct) : "[]";
        if (approved.Replace("\r\n", "\n", StringComparison.Ordinal) == text)
        {
            return;
        }

        var received = Path.Combine(Vgac.Copilot.Testing.TestPaths.NewFolder("vgac-tool-schemas-"), "tools.json");
        await File.WriteAllTextAsync(received, text, ct);
        var before = JsonNode.Parse(approved)!.AsArray().ToDictionary(t => t!["name"]!.GetValue<string>(), t => t!.ToJsonString());
        var after = served.ToDictionary(t => t!["name"]!.GetValue<string>(), t => t!.ToJsonString());
        var changed = after.Keys.Union(before.Keys).Where(n => before.GetValueOrDefault(n) != after.GetValueOrDefault(n)).Order(StringComparer.Ordinal);
        Assert.Fail($"what models and MCP clients see of these tools changed: {string.Join(", ", changed)}. Compare {received} with {Approved}; "
            + "if the change is meant, run the tests with VGAC_UPDATE_SNAPSHOTS=1 and commit the snapshot with it.");
    }
}
