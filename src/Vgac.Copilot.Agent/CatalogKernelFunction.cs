using System.Text.Json;
using Microsoft.Extensions.AI;
using Microsoft.SemanticKernel;
using Vgac.Copilot.Tools.Catalog;

namespace Vgac.Copilot.Agent;

/// <summary>
/// A catalogue tool as a Semantic Kernel function whose parameters are read from the tool's own JSON schema, each with
/// its schema attached. The connector then sends the model exactly the schema MCP serves, with no reflection over
/// .NET types: a natively compiled program (where reflection-built parameter schemas came out empty) shows the model
/// the same parameters as the JIT one, the routed <c>cluster</c> enum included.
/// </summary>
internal static class CatalogKernelFunction
{
    public static KernelFunction Create(AIFunction tool) =>
        KernelFunctionFactory.CreateFromMethod(
            async (Kernel kernel, KernelArguments arguments, CancellationToken cancellationToken) =>
            {
                var args = new AIFunctionArguments(arguments.ToDictionary(a => a.Key, a => Typed(tool.JsonSchema, a.Key, a.Value), StringComparer.Ordinal)) { Services = kernel.Services };
                return await tool.InvokeAsync(args, cancellationToken).ConfigureAwait(false);
            },
            PluginJson.Options,
            new KernelFunctionFromMethodOptions { FunctionName = tool.Name, Description = tool.Description, Parameters = Parameters(tool.JsonSchema) });

    /// <summary>
    /// An argument as its schema types it. The connector hands every value over as text ("True", "4"); a boolean
    /// written so is read as one ("true", "false" in any case), where the serializer would refuse it. Anything else,
    /// and any text that is not a boolean, is passed on as given, for the tool's own checks to judge.
    /// </summary>
    internal static object? Typed(JsonElement schema, string name, object? value) =>
        value is string text
        && schema.TryGetProperty("properties", out var properties) && properties.ValueKind == JsonValueKind.Object
        && properties.TryGetProperty(name, out var property) && property.TryGetProperty("type", out var type)
        && (type.ValueKind == JsonValueKind.String ? type.GetString() == "boolean" : type.ValueKind == JsonValueKind.Array && type.EnumerateArray().Any(t => t.GetString() == "boolean"))
        && bool.TryParse(text.Trim(), out var flag)
            ? flag
            : value;

    /// <summary>Each property of the input schema: name, description, whether required, and its schema as it stands.</summary>
    internal static IReadOnlyList<KernelParameterMetadata> Parameters(JsonElement schema)
    {
        if (!schema.TryGetProperty("properties", out var properties) || properties.ValueKind != JsonValueKind.Object)
        {
            return [];
        }

        var required = schema.TryGetProperty("required", out var names) && names.ValueKind == JsonValueKind.Array
            ? names.EnumerateArray().Select(n => n.GetString()).ToHashSet(StringComparer.Ordinal)
            : [];
        return [.. properties.EnumerateObject().Select(p => new KernelParameterMetadata(p.Name, PluginJson.Options)
        {
            Description = p.Value.TryGetProperty("description", out var description) ? description.GetString() : null,
            IsRequired = required.Contains(p.Name),
            Schema = KernelJsonSchema.Parse(p.Value.GetRawText()),
        })];
    }
}
