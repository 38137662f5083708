using Microsoft.SemanticKernel;
using Vgac.Copilot.Plugins.Catalog;

namespace Vgac.Copilot.Agent;

/// <summary>
/// The catalogue's tools as Semantic Kernel plugins, one per toolset. Each kernel function wraps the very same
/// <c>AIFunction</c> the MCP server serves, so names, descriptions and schemas cannot drift apart.
/// </summary>
public static class KernelTools
{
    public static IReadOnlyList<KernelPlugin> CreatePlugins(ToolCatalog catalog, IReadOnlyCollection<string>? toolsets = null, bool allowActions = false) =>
        [.. catalog.Select(toolsets, allowActions)
            .GroupBy(t => t.Toolset)
            .Select(g => KernelPluginFactory.CreateFromFunctions(g.Key, g.Select(t => t.Function.AsKernelFunction())))];
}
