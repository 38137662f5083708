using System.Text.Json;
using Microsoft.Extensions.AI;
using Microsoft.SemanticKernel;
using Vgac.Copilot.Plugins.Catalog;

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
                var args = new AIFunctionArguments(arguments.ToDictionary(a => a.Key, a => a.Value, StringComparer.Ordinal)) { Services = kernel.Services };
                return await tool.InvokeAsync(args, cancellationToken).ConfigureAwait(false);
            },
            PluginJson.Options,
            new KernelFunctionFromMethodOptions { FunctionName = tool.Name, Description = tool.Description, Parameters = Parameters(tool.JsonSchema) });

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
