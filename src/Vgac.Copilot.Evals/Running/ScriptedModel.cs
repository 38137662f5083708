using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Vgac.Copilot.Agent.Offline;
using Vgac.Copilot.Tools.Catalog;

namespace Vgac.Copilot.Evals.Running;

/// <summary>
/// A stand-in model for evals in CI: a loopback server speaking the OpenAI chat-completions protocol (streamed)
/// whose "reasoning" is the offline vocabulary. It asks for the tools the offline planner would, then writes the
/// answer from the tool messages it is sent. The whole LLM path runs for real — Semantic Kernel's connector,
/// function calling, the per-question budget, the tools and their guards — with a deterministic model.
/// </summary>
public sealed class ScriptedModel : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly OfflineUnderstanding _understanding;

    private ScriptedModel(WebApplication app, OfflineUnderstanding understanding)
    {
        _app = app;
        _understanding = understanding;
    }

    public Uri Endpoint { get; private set; } = null!;

    public static async Task<ScriptedModel> StartAsync(CancellationToken cancellationToken)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0));
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var model = new ScriptedModel(app, OfflineUnderstanding.Default);
        app.MapPost("/v1/chat/completions", (HttpRequest request) => model.ReplyAsync(request));
        await app.StartAsync(cancellationToken).ConfigureAwait(false);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        model.Endpoint = new Uri(address.TrimEnd('/') + "/v1");
        return model;
    }

    private async Task<IResult> ReplyAsync(HttpRequest request)
    {
        var body = (await JsonNode.ParseAsync(request.Body).ConfigureAwait(false))!.AsObject();
        var reply = Decide(body);
        return Sse(reply, Tokens(body["messages"]!.ToJsonString()));
    }

    /// <summary>
    /// The next assistant message: tool calls for what the question asks (read as the offline planner reads it,
    /// the previous question kept for a follow-up), or the answer from the tool messages.
    /// </summary>
    private JsonObject Decide(JsonObject body)
    {
        var messages = body["messages"]!.AsArray();
        var users = messages.Select((m, i) => (m, i)).Where(x => x.m!["role"]!.GetValue<string>() == "user").ToList();
        var lastUser = users[^1];
        // The clusters it may ask are the cluster enum of the tools it was given (none with one VGAC).
        var clusterNames = body["tools"]?.AsArray().Select(t => t?["function"]?["parameters"]?["properties"]?[ClusterRouting.Argument]?["enum"]).OfType<JsonArray>()
            .FirstOrDefault()?.Select(n => n!.GetValue<string>()).ToList() ?? [];
        var (named, question) = ClusterMentions.Find(Text(lastUser.m!["content"]), clusterNames, _understanding.Classifier);
        IReadOnlyList<string?> targets = named.Count > 0 ? [.. named] : [null];
        var previous = users.Count > 1 ? _understanding.Understand(ClusterMentions.Find(Text(users[^2].m!["content"]), clusterNames, _understanding.Classifier).Question) : null;
        var plan = _understanding.Understand(question, previous is { Answers: true } ? previous : null);
        if (plan.Reply is { } reply)
        {
            return Text(reply);
        }

        var after = messages.Skip(lastUser.i + 1).ToList();
        if (!after.Any(m => m!["role"]!.GetValue<string>() == "tool"))
        {
            return Calls([.. plan.Parts.SelectMany(p => targets.SelectMany(cluster => p.Intent.Tools.Select(t => Call(t, p.Entities, cluster))))]);
        }

        var asked = Asked(after);
        var (results, failed) = ToolResults(after, asked);
        IReadOnlyDictionary<string, JsonElement> Of(string? cluster) => results.GetValueOrDefault(cluster ?? "") ?? new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        if (failed is { } failure)
        {
            return AfterFailure(plan, asked, failure, Of);
        }

        return Text(string.Join("\n\n", [.. plan.Parts.Select(p => ClusterAnswers.Write(p.Intent, p.Entities, [.. targets.Select(c => (c, Of(c)))])), .. plan.Note is { } note ? [note] : Array.Empty<string>()]));
    }

    /// <summary>One tool call as the offline planner would make it, asked of <paramref name="cluster"/> when there are several.</summary>
    private static (string Name, string Arguments) Call(IntentTool tool, Entities entities, string? cluster)
    {
        var arguments = OfflinePlanner.Arguments(tool, entities);
        if (cluster is not null)
        {
            arguments[ClusterRouting.Argument] = cluster;
        }

        return (tool.Name, JsonSerializer.Serialize(arguments, PluginJson.Options.GetTypeInfo(typeof(Dictionary<string, object?>))));
    }

    /// <summary>Each call's tool and the cluster it asked, by call id.</summary>
    private static Dictionary<string, (string Name, string? Cluster)> Asked(List<JsonNode?> after) =>
        after.Where(m => m!["tool_calls"] is JsonArray).SelectMany(m => m!["tool_calls"]!.AsArray())
            .ToDictionary(c => c!["id"]!.GetValue<string>(), c => (
                Name: c!["function"]!["name"]!.GetValue<string>().Replace("vgac-", "", StringComparison.Ordinal),
                Cluster: JsonNode.Parse(c["function"]!["arguments"]!.GetValue<string>())?[ClusterRouting.Argument]?.GetValue<string>()));

    /// <summary>The tools' results by cluster and tool, and the first call that failed (its content is not a JSON object).</summary>
    private static (Dictionary<string, Dictionary<string, JsonElement>> Results, (string Name, string? Cluster, string Content)? Failed) ToolResults(
        List<JsonNode?> after, Dictionary<string, (string Name, string? Cluster)> asked)
    {
        var results = new Dictionary<string, Dictionary<string, JsonElement>>(StringComparer.Ordinal);
        (string Name, string? Cluster, string Content)? failed = null;
        foreach (var tool in after.Where(m => m!["role"]!.GetValue<string>() == "tool"))
        {
            var (name, cluster) = asked.GetValueOrDefault(tool!["tool_call_id"]!.GetValue<string>(), ("?", null));
            var content = Text(tool["content"]);
            if (!content.TrimStart().StartsWith('{'))
            {
                failed ??= (name, cluster, content);
                continue;
            }

            if (!results.TryGetValue(cluster ?? "", out var mine))
            {
                results[cluster ?? ""] = mine = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
            }

            mine[name] = JsonDocument.Parse(content).RootElement.Clone();
        }

        return (results, failed);
    }

    /// <summary>
    /// After a tool failed: as the system prompt asks, a scheduler without such a thing gets the equivalent question
    /// (asked once), said so; any other failure is reported as it came.
    /// </summary>
    private JsonObject AfterFailure(Understanding plan, Dictionary<string, (string Name, string? Cluster)> asked, (string Name, string? Cluster, string Content) failed,
        Func<string?, IReadOnlyDictionary<string, JsonElement>> of)
    {
        var (failedName, failedCluster, failure) = failed;
        var part = plan.Parts.FirstOrDefault(p => p.Intent.Tools.Any(t => t.Name == failedName));
        if (!failure.Contains("Not found", StringComparison.Ordinal) || part?.Intent.Elsewhere is not var (other, says)
            || _understanding.Intents.FirstOrDefault(i => i.Name == other) is not { } equivalent)
        {
            return Text($"I could not get that from VGAC: {failure} [{failedName}]");
        }

        return !asked.Values.Any(a => equivalent.Tools.Any(t => t.Name == a.Name))
            ? Calls([.. equivalent.Tools.Select(t => Call(t, part.Entities, failedCluster))])
            : Text($"{says.Replace("{cluster}", failedCluster ?? "This cluster", StringComparison.Ordinal)}\n{ClusterAnswers.Write(equivalent, part.Entities, [(null, of(failedCluster))])}");
    }

    /// <summary>About four characters a token, as real tokenizers average on English and JSON.</summary>
    private static int Tokens(string text) => Math.Max(1, text.Length / 4);

    private static string Text(JsonNode? content) => content switch
    {
        JsonValue v => v.GetValue<string>(),
        JsonArray parts => string.Concat(parts.Select(p => p?["text"]?.GetValue<string>() ?? "")),
        _ => "",
    };

    private static JsonObject Text(string text) => new() { ["role"] = "assistant", ["content"] = text };

    private static JsonObject Calls(IReadOnlyList<(string Name, string Arguments)> calls) => new()
    {
        ["role"] = "assistant",
        ["tool_calls"] = new JsonArray([.. calls.Select((c, i) => (JsonNode)new JsonObject
        {
            ["index"] = i,
            ["id"] = $"call_{i}_{Guid.NewGuid():N}",
            ["type"] = "function",
            ["function"] = new JsonObject { ["name"] = "vgac-" + c.Name, ["arguments"] = c.Arguments },
        })]),
    };

    private static IResult Sse(JsonObject delta, int promptTokens)
    {
        var finish = delta.ContainsKey("tool_calls") ? "tool_calls" : "stop";
        var sse = new StringBuilder();
        void Chunk(JsonNode d, string? reason) => sse.Append("data: ").Append(new JsonObject
        {
            ["id"] = "chatcmpl-scripted",
            ["object"] = "chat.completion.chunk",
            ["created"] = 1_700_000_000,
            ["model"] = "scripted",
            ["choices"] = new JsonArray(new JsonObject { ["index"] = 0, ["delta"] = d, ["finish_reason"] = reason }),
        }.ToJsonString()).Append("\n\n");
        Chunk(delta, null);
        Chunk(new JsonObject(), finish);
        sse.Append("data: ").Append(new JsonObject
        {
            ["id"] = "chatcmpl-scripted",
            ["object"] = "chat.completion.chunk",
            ["created"] = 1_700_000_000,
            ["model"] = "scripted",
            ["choices"] = new JsonArray(),
            ["usage"] = new JsonObject { ["prompt_tokens"] = promptTokens, ["completion_tokens"] = Tokens(delta.ToJsonString()), ["total_tokens"] = promptTokens + Tokens(delta.ToJsonString()) },
        }.ToJsonString()).Append("\n\n");
        sse.Append("data: [DONE]\n\n");
        return Results.Text(sse.ToString(), "text/event-stream");
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync().ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
    }
}
