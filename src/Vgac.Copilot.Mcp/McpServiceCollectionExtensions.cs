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

    /// <summary>The server's <c>instructions</c> (initialize result): what the tools are for and how to read the guards' verdicts.</summary>
    public const string InstructionsFile = "server/instructions.md";

    /// <summary>Added to the instructions when the server serves several clusters.</summary>
    public const string SeveralClustersFile = "server/several-clusters.md";

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
            o.ServerInstructions = PromptCatalog.Text(InstructionsFile);
        });
        services.AddOptions<McpServerOptions>().Configure<IServiceProvider>((o, sp) =>
        {
            if (sp.GetService<Core.Clusters.IClusterDirectory>() is { Clusters.Count: > 1 } clusters)
            {
                o.ServerInstructions += "\n\n" + PromptCatalog.Text(SeveralClustersFile, new Dictionary<string, string> { ["clusters"] = clusters.NameList(), ["current"] = clusters.Current });
            }
        });
        services.AddOptions<McpServerOptions>().Configure<ToolCatalog, ObserverPlugin, CalibratorPlugin, IOptions<GuardOptions>>((o, catalog, observer, calibrator, guards) =>
        {
            o.ToolCollection ??= [];
            foreach (var tool in catalog.Served(host))
            {
                o.ToolCollection.Add(McpToolFactory.Create(tool));
            }

            o.ResourceCollection ??= [];
            foreach (var resource in VgacMcpResources.Create(observer, calibrator, guards))
            {
                o.ResourceCollection.Add(resource);
            }

            o.PromptCollection ??= [];
            var served = catalog.Served(host).Select(t => t.Name).ToHashSet(StringComparer.Ordinal);
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
        // Who called what: every tool call logged and traced; those that propose or run actions also in the trail.
        services.TryAddSingleton<ToolCallRecorder>();
        builder.WithRequestFilters(filters => filters.AddCallToolFilter(next => (context, cancellationToken) =>
            (context.Services ?? context.Server.Services)!.GetRequiredService<ToolCallRecorder>().RecordAsync(context, next, cancellationToken)));
        services.TryAddSingleton<VgacMcpCompletions>();
        builder.WithCompleteHandler((request, cancellationToken) =>
            request.Services!.GetRequiredService<VgacMcpCompletions>().CompleteAsync(request, cancellationToken));
        return builder;
    }
}
