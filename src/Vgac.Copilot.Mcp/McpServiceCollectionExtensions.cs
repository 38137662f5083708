using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;
using Vgac.Copilot.Core.Clusters;
using Vgac.Copilot.Core.Guards;
using Vgac.Copilot.Tools;
using Vgac.Copilot.Actions;
using Vgac.Copilot.Tools.Catalog;
using Vgac.Copilot.Core.Settings;

namespace Vgac.Copilot.Mcp;

public static class McpServiceCollectionExtensions
{
    public const string ServerName = "vgac-copilot";

    /// <summary>
    /// Registers the MCP server with the catalogue's tools (filtered by toolset; action tools only when allowed),
    /// the resources and the prompts, and approval by elicitation. Needs the client, core and plugins registered.
    /// Add a transport to the returned builder.
    /// </summary>
    public static IMcpServerBuilder AddVgacMcpServer(this IServiceCollection services, McpHostOptions host)
    {
        services.Replace(ServiceDescriptor.Singleton<IActionApprover, ElicitingApprover>());
        if (host.Caller is { } caller)
        {
            services.AddSingleton(new McpCaller(caller));
        }

        var builder = services.AddMcpServer(o =>
        {
            o.ServerInfo = new Implementation { Name = ServerName, Title = "VGAC Copilot", Version = typeof(McpServiceCollectionExtensions).Assembly.GetName().Version?.ToString(3) ?? "0.1.0" };
            o.ServerInstructions = "Tools over VGAC, a GPU-cluster observability and wait-time prediction platform. Every prediction comes with its "
                + "confidence and the guards' verdict: show a probability only together with its confidence, and never act on a low-confidence or fallback answer.";
        });
        services.AddOptions<McpServerOptions>().Configure<IServiceProvider>((o, sp) =>
        {
            if (sp.GetService<Core.Clusters.IClusterDirectory>() is { Clusters.Count: > 1 } clusters)
            {
                o.ServerInstructions += $" This server serves several clusters ({clusters.NameList()}): every tool takes an optional `cluster`; left out, "
                    + $"it asks {clusters.Current}. Each result names its cluster. For a question about several clusters, call the tool once per cluster.";
            }
        });
        services.AddOptions<McpServerOptions>().Configure<ToolCatalog, ObserverPlugin, CalibratorPlugin, IOptions<GuardOptions>>((o, catalog, observer, calibrator, guards) =>
        {
            o.ToolCollection ??= [];
            foreach (var tool in catalog.Select(host.Toolsets, host.AllowActions))
            {
                o.ToolCollection.Add(McpToolFactory.Create(tool));
            }

            o.ResourceCollection ??= [];
            foreach (var resource in VgacMcpResources.Create(observer, calibrator, guards))
            {
                o.ResourceCollection.Add(resource);
            }

            o.PromptCollection ??= [];
            var served = catalog.Select(host.Toolsets, host.AllowActions).Select(t => t.Name).ToHashSet(StringComparer.Ordinal);
            foreach (var prompt in VgacMcpPrompts.Create(served))
            {
                o.PromptCollection.Add(prompt);
            }
        });
        services.AddOptions<McpServerOptions>().Configure<IServiceProvider>((o, sp) =>
        {
            if (sp.GetService<Core.Clusters.IClusterDirectory>() is { Clusters.Count: > 1 } clusters)
            {
                o.ResourceCollection ??= [];
                foreach (var resource in VgacMcpResources.PerCluster(clusters))
                {
                    o.ResourceCollection.Add(resource);
                }
            }
        });
        services.TryAddSingleton<VgacMcpCompletions>();
        builder.WithCompleteHandler((request, cancellationToken) =>
            request.Services!.GetRequiredService<VgacMcpCompletions>().CompleteAsync(request, cancellationToken));
        return builder;
    }
}
