using Microsoft.SemanticKernel;
using Vgac.Copilot.Tools.Catalog;

namespace Vgac.Copilot.Agent;

/// <summary>
/// The catalogue's tools as one Semantic Kernel plugin, <c>vgac</c>. Each kernel function wraps the very same
/// <c>AIFunction</c> the MCP server serves, so names, descriptions and schemas cannot drift apart. (The model sees
/// <c>vgac-observer_cluster_summary</c>: Semantic Kernel prefixes the plugin name.)
/// </summary>
public static class KernelTools
{
    public const string PluginName = "vgac";

    public static IReadOnlyList<KernelPlugin> CreatePlugins(ToolCatalog catalog, IReadOnlyCollection<string>? toolsets = null, bool allowActions = false) =>
        [KernelPluginFactory.CreateFromFunctions(PluginName, catalog.Select(toolsets, allowActions).Select(t => CatalogKernelFunction.Create(t.Function)))];
}
