using System.Text.Json;
using Vgac.Copilot.Agent.Offline;
using Vgac.Copilot.Tools.Catalog;

namespace Vgac.Copilot.Agent.Tests;

/// <summary>A question about nodes answers the question: how many are ready, and which are not.</summary>
public sealed class NodesAnswerTests
{
    private static string Answer(string result)
    {
        using var json = JsonDocument.Parse(result);
        var results = new Dictionary<string, JsonElement> { [ToolNames.ObserverNodes] = json.RootElement.Clone() };
        return AnswerWriter.Write(OfflineUnderstanding.Default.Intent("nodes"), results, EntityExtractor.Extract("any nodes down?"));
    }

    private const string Node = """{"name":"n1","status":"not_ready","gpu_type":"A100","gpus":8,"gpus_allocated":0,"gpus_available":0,"pool":"gpu"}""";

    [Fact]
    public void Nodes_SomeNotReady_CountsThemFirst()
    {
        var answer = Answer($$$"""{"nodes":[{{{Node}}}],"total":16,"omitted":15,"by_status":{"ready":14,"not_ready":2}}""");

        Assert.StartsWith("14 of 16 nodes ready [observer_nodes]:", answer, StringComparison.Ordinal);
        Assert.Contains("2 not ready (listed first)", answer, StringComparison.Ordinal);
    }

    [Fact]
    public void Nodes_NoneReady_SaysSoRatherThanUnknown()
    {
        var answer = Answer($$$"""{"nodes":[{{{Node}}}],"total":4,"omitted":3,"by_status":{"not_ready":4}}""");

        Assert.StartsWith("None of the 4 nodes is ready", answer, StringComparison.Ordinal);
        Assert.DoesNotContain("unknown", answer, StringComparison.Ordinal);
    }
}
