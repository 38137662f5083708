using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Vgac.Copilot.Core.Clusters;

namespace Vgac.Copilot.Tools.Catalog;

/// <summary>
/// The catalogue over several clusters: every tool takes an optional <c>cluster</c> (an enum of the configured
/// names; the current cluster when left out), runs as that cluster's own tool (its client, its guards, its
/// calibration), and its result names the cluster. One definition per tool still: the routed tool is the local one
/// with one more argument.
/// </summary>
public static class ClusterRouting
{
    /// <summary>The argument every routed tool takes.</summary>
    public const string Argument = "cluster";

    /// <summary>The key under which a provider holds its own cluster's (unrouted) catalogue.</summary>
    public const string LocalCatalog = "local";

    /// <summary>A catalogue whose tools route by <c>cluster</c>; <paramref name="local"/> gives the schemas.</summary>
    public static ToolCatalog Across(ToolCatalog local, IClusterDirectory clusters) =>
        new([.. local.All.Select(t => t with { Function = new RoutedFunction(t.Function, clusters), OutputSchema = WithCluster(t.OutputSchema) })]);

    private static JsonElement? WithCluster(JsonElement? schema)
    {
        if (schema is not { } s || JsonNode.Parse(s.GetRawText()) is not JsonObject root || root["properties"] is not JsonObject properties)
        {
            return schema;
        }

        properties.Insert(0, Argument, new JsonObject { ["type"] = "string", ["description"] = "The cluster that answered." });
        if (root["required"] is JsonArray required)
        {
            required.Add((JsonNode)JsonValue.Create(Argument));
        }

        return JsonDocument.Parse(root.ToJsonString()).RootElement.Clone();
    }

    /// <summary>One tool over every cluster.</summary>
    private sealed class RoutedFunction : DelegatingAIFunction
    {
        private readonly IClusterDirectory _clusters;
        private readonly JsonElement _schema;

        public RoutedFunction(AIFunction local, IClusterDirectory clusters) : base(local)
        {
            _clusters = clusters;
            var schema = JsonNode.Parse(local.JsonSchema.GetRawText())!.AsObject();
            if (schema["properties"] is not JsonObject properties)
            {
                schema["properties"] = properties = [];
            }

            // No description: what `cluster` means is said once (server instructions, the planner's prompt), not in
            // every tool the catalogue's token budget pays for.
            properties[Argument] = new JsonObject
            {
                ["type"] = "string",
                ["enum"] = new JsonArray([.. clusters.Clusters.Select(c => (JsonNode)JsonValue.Create(c.Name))]),
            };
            _schema = JsonDocument.Parse(schema.ToJsonString()).RootElement.Clone();
        }

        public override JsonElement JsonSchema => _schema;

        protected override async ValueTask<object?> InvokeCoreAsync(AIFunctionArguments arguments, CancellationToken cancellationToken)
        {
            var name = _clusters.Current;
            if (arguments.TryGetValue(Argument, out var given) && given is not null and not JsonElement { ValueKind: JsonValueKind.Null })
            {
                name = given switch
                {
                    string text => text,
                    JsonElement { ValueKind: JsonValueKind.String } text => text.GetString()!,
                    _ => "",
                };
                if (!_clusters.Has(name))
                {
                    var shown = Core.Text.UntrustedText.Clean(name.Length > 64 ? name[..64] : name);
                    return new ErrorContent($"Invalid arguments for {Name}: no cluster is named '{shown}'; configured: {_clusters.NameList()}.") { ErrorCode = ToolErrorCodes.InvalidArguments };
                }
            }

            var local = new AIFunctionArguments(arguments.Where(a => a.Key != Argument).ToDictionary(a => a.Key, a => a.Value))
            {
                Services = arguments.Services,
                Context = arguments.Context,
            };

            var services = await _clusters.ServicesAsync(name, cancellationToken).ConfigureAwait(false);
            var tool = services.GetRequiredKeyedService<ToolCatalog>(LocalCatalog).All.First(t => t.Name == Name);
            var result = await tool.Function.InvokeAsync(local, cancellationToken).ConfigureAwait(false);
            return result switch
            {
                ErrorContent error => new ErrorContent($"{name}: {error.Message}") { ErrorCode = error.ErrorCode },
                JsonElement { ValueKind: JsonValueKind.Object } json => Named(json, name),
                _ => result,
            };
        }

        /// <summary>The result with <c>cluster</c> first, so whoever reads it (a person, a model) sees whose numbers these are.</summary>
        private static JsonElement Named(JsonElement result, string cluster)
        {
            var buffer = new System.Buffers.ArrayBufferWriter<byte>();
            using (var writer = new Utf8JsonWriter(buffer))
            {
                writer.WriteStartObject();
                writer.WriteString(Argument, cluster);
                foreach (var property in result.EnumerateObject().Where(p => p.Name != Argument))
                {
                    property.WriteTo(writer);
                }

                writer.WriteEndObject();
            }

            using var document = JsonDocument.Parse(buffer.WrittenMemory);
            return document.RootElement.Clone();
        }
    }
}
