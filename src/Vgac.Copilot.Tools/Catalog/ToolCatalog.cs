using System.ComponentModel;
using System.Diagnostics.CodeAnalysis;
using System.Reflection;
using Microsoft.Extensions.AI;

namespace Vgac.Copilot.Tools.Catalog;

/// <summary>
/// The tool catalogue, built once from the plugin classes: each <see cref="VgacToolAttribute"/> method becomes one
/// <see cref="AIFunction"/> (name, <c>[Description]</c>, parameter schema, body), wrapped so failures come back as
/// tool errors. Semantic Kernel and MCP both take their tools from here, so they cannot differ.
/// </summary>
public sealed class ToolCatalog
{
    public ToolCatalog(ObserverPlugin observer, PredictorPlugin predictor, CalibratorPlugin calibrator, ActorPlugin actor, Core.Text.SecretRedactor? secrets = null)
    {
        var redactor = secrets ?? new Core.Text.SecretRedactor();
        // Each plugin by its own type, so a trimmed or native build keeps the public methods the catalogue reads.
        var tools = Describe(observer, redactor).Concat(Describe(predictor, redactor)).Concat(Describe(calibrator, redactor)).Concat(Describe(actor, redactor))
            .ToDictionary(t => t.Name, StringComparer.Ordinal);
        var missing = ToolNames.All.Except(tools.Keys).ToList();
        if (missing.Count > 0 || tools.Count != ToolNames.All.Count)
        {
            throw new InvalidOperationException($"The plugins and ToolNames.All disagree (missing: {string.Join(", ", missing)}).");
        }

        All = [.. ToolNames.All.Select(n => tools[n])];
    }

    /// <summary>A catalogue of given tools (the routed one over several clusters).</summary>
    internal ToolCatalog(IReadOnlyList<ToolDefinition> all) => All = all;

    /// <summary>Every tool, in <see cref="ToolNames.All"/> order.</summary>
    public IReadOnlyList<ToolDefinition> All { get; }

    /// <summary>The tools a host exposes: the chosen toolsets, and action tools only when actions are allowed.</summary>
    /// <summary>
    /// What an MCP server with <paramref name="host"/>'s settings serves: the toolsets, then the allow list
    /// (<c>--tools</c>), minus the deny list (<c>--exclude-tools</c>); an action tool only where actions are allowed
    /// (never on a read-only server).
    /// </summary>
    public IReadOnlyList<ToolDefinition> Served(Core.Settings.McpHostOptions host) => [.. All.Where(t => Withheld(t, host) is null)];

    /// <summary>Why a server with <paramref name="host"/>'s settings does not serve <paramref name="tool"/>, or null when it does.</summary>
    public static string? Withheld(ToolDefinition tool, Core.Settings.McpHostOptions host) =>
        host.ExcludeTools.Contains(tool.Name) ? "--exclude-tools removes it"
        : host.Toolsets.Count > 0 && !host.Toolsets.Contains(tool.Toolset) ? $"its toolset {tool.Toolset} is not among --toolsets"
        : host.Tools.Count > 0 && !host.Tools.Contains(tool.Name) ? "--tools does not name it"
        : tool.IsAction && host.ReadOnly ? "it can act, and the server is read-only"
        : tool.IsAction && !host.AllowActions ? "it can act, and actions are not allowed (--allow-actions)"
        : null;

    public IReadOnlyList<ToolDefinition> Select(IReadOnlyCollection<string>? toolsets = null, bool allowActions = false) =>
        [.. All.Where(t => (toolsets is null || toolsets.Count == 0 || toolsets.Contains(t.Toolset)) && (allowActions || !t.IsAction))];

    /// <summary>
    /// Schemas as small as they can be without losing meaning: an optional argument is simply not required, so
    /// <c>"default": null</c> and the <c>"null"</c> type say nothing a model needs (the catalogue is paid for in
    /// tokens on every request). The fields of array items (a batch's job specs) go undescribed: the tool's own
    /// description points at the tool whose arguments describe them.
    /// </summary>
    private static readonly AIJsonSchemaCreateOptions CompactSchema = new()
    {
        TransformSchemaNode = (context, node) =>
        {
            if (node is System.Text.Json.Nodes.JsonObject obj)
            {
                if (context.Path.Contains("items") && context.PropertyInfo is not null)
                {
                    obj.Remove("description");
                }

                if (obj.TryGetPropertyValue("default", out var value) && value is null)
                {
                    obj.Remove("default");
                }

                if (obj["type"] is System.Text.Json.Nodes.JsonArray types && types.Count == 2 && types.Any(t => t?.GetValue<string>() == "null"))
                {
                    obj["type"] = types.First(t => t?.GetValue<string>() != "null")!.GetValue<string>();
                }
            }

            return node;
        },
    };

    /// <summary>
    /// The schema of a tool's result, for MCP's structured content. Results leave null fields out, so a field that
    /// may be null is never required; nothing else is loosened.
    /// </summary>
    private static readonly AIJsonSchemaCreateOptions OutputSchemaOptions = new()
    {
        TransformSchemaNode = (_, node) =>
        {
            if (node is System.Text.Json.Nodes.JsonObject { } obj && obj["properties"] is System.Text.Json.Nodes.JsonObject properties && obj["required"] is System.Text.Json.Nodes.JsonArray required)
            {
                var optional = required.Select(r => r!.GetValue<string>())
                    .Where(name => properties[name] is System.Text.Json.Nodes.JsonObject p && p["type"] is System.Text.Json.Nodes.JsonArray types && types.Any(t => t?.GetValue<string>() == "null"))
                    .ToHashSet(StringComparer.Ordinal);
                foreach (var item in required.Where(r => optional.Contains(r!.GetValue<string>())).ToList())
                {
                    required.Remove(item);
                }
            }

            return node;
        },
    };

    /// <summary>The JSON schema of what a tool method returns (its task's result), or null when it returns nothing structured.</summary>
    private static System.Text.Json.JsonElement? OutputSchema(MethodInfo method)
    {
        var type = method.ReturnType;
        if (type.IsGenericType && (type.GetGenericTypeDefinition() == typeof(Task<>) || type.GetGenericTypeDefinition() == typeof(ValueTask<>)))
        {
            type = type.GetGenericArguments()[0];
        }

        return type == typeof(Task) || type == typeof(void) || type == typeof(ValueTask)
            ? null
            : AIJsonUtilities.CreateJsonSchema(type, serializerOptions: PluginJson.Options, inferenceOptions: OutputSchemaOptions);
    }

    private static IEnumerable<ToolDefinition> Describe<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicMethods)] TPlugin>(TPlugin plugin, Core.Text.SecretRedactor secrets)
        where TPlugin : class
    {
        foreach (var method in typeof(TPlugin).GetMethods(BindingFlags.Public | BindingFlags.Instance))
        {
            if (method.GetCustomAttribute<VgacToolAttribute>() is not { } tool)
            {
                continue;
            }

            var description = method.GetCustomAttribute<DescriptionAttribute>()?.Description
                ?? throw new InvalidOperationException($"{method.Name} has no [Description].");
            var function = AIFunctionFactory.Create(method, plugin, new AIFunctionFactoryOptions
            {
                Name = tool.Name,
                Description = description,
                SerializerOptions = PluginJson.Options,
                JsonSchemaCreateOptions = CompactSchema,
            });
            yield return new ToolDefinition(new ToolFunction(function, secrets), tool.Name.Split('_')[0], tool.Title, tool.IsAction, tool.Destructive, tool.Idempotent)
            {
                OutputSchema = OutputSchema(method),
            };
        }
    }
}
