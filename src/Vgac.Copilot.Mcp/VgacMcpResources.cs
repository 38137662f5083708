using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using ModelContextProtocol.Server;
using Vgac.Copilot.Core.Guards;
using Vgac.Copilot.Tools;
using Vgac.Copilot.Tools.Catalog;

namespace Vgac.Copilot.Mcp;

/// <summary>Read-only resources: cluster summary, calibration status, job queue, and the guard policy in force.</summary>
internal static class VgacMcpResources
{
    public static IEnumerable<McpServerResource> Create(ObserverPlugin observer, CalibratorPlugin calibrator, IOptions<GuardOptions> guards) =>
    [
        Resource("vgac://cluster/summary", "cluster_summary", "Cluster at a glance (same as observer_cluster_summary).",
            async ct => Json(await observer.ClusterSummaryAsync(ct).ConfigureAwait(false))),
        Resource("vgac://calibration/status", "calibration_status", "Calibration, drift and the tiers it allows (same as calibrator_status).",
            async ct => Json(await calibrator.StatusAsync(ct).ConfigureAwait(false))),
        Resource("vgac://jobs/queue", "job_queue", "Pending jobs in queue order with reasons (same as observer_job_queue).",
            async ct => Json(await observer.JobQueueAsync(20, ct).ConfigureAwait(false))),
        Resource("vgac://guards/policy", "guard_policy", "The guard thresholds in force: confidence gate, tiers, drift ratios, SLOs.",
            _ => Task.FromResult(Json(guards.Value))),
    ];

    /// <summary>
    /// The same four for each cluster, at <c>vgac://{cluster}/...</c>, read through that cluster's own services (its
    /// client, its guards); the unprefixed ones stay the current cluster's.
    /// </summary>
    public static IEnumerable<McpServerResource> PerCluster(Core.Clusters.IClusterDirectory clusters)
    {
        foreach (var cluster in clusters.Clusters)
        {
            var name = cluster.Name;
            async Task<T> Read<T>(Func<IServiceProvider, CancellationToken, Task<T>> read, CancellationToken ct) =>
                await read(await clusters.ServicesAsync(name, ct).ConfigureAwait(false), ct).ConfigureAwait(false);

            yield return Resource($"vgac://{name}/cluster/summary", $"{name}_cluster_summary", $"Cluster {name} at a glance ({cluster.Endpoint}).",
                async ct => Json(await Read((sp, c) => sp.GetRequiredService<ObserverPlugin>().ClusterSummaryAsync(c), ct).ConfigureAwait(false)));
            yield return Resource($"vgac://{name}/calibration/status", $"{name}_calibration_status", $"Calibration, drift and the tiers it allows on cluster {name}.",
                async ct => Json(await Read((sp, c) => sp.GetRequiredService<CalibratorPlugin>().StatusAsync(c), ct).ConfigureAwait(false)));
            yield return Resource($"vgac://{name}/jobs/queue", $"{name}_job_queue", $"Pending jobs on cluster {name} in queue order with reasons.",
                async ct => Json(await Read((sp, c) => sp.GetRequiredService<ObserverPlugin>().JobQueueAsync(20, c), ct).ConfigureAwait(false)));
            yield return Resource($"vgac://{name}/guards/policy", $"{name}_guard_policy", $"The guard thresholds in force on cluster {name}.",
                async ct => Json(await Read((sp, _) => Task.FromResult(sp.GetRequiredService<IOptions<GuardOptions>>().Value), ct).ConfigureAwait(false)));
        }
    }

    private static McpServerResource Resource(string uri, string name, string description, Func<CancellationToken, Task<string>> read) =>
        McpServerResource.Create(read, new McpServerResourceCreateOptions { UriTemplate = uri, Name = name, Description = description, MimeType = "application/json" });

    private static string Json<T>(T value) => JsonSerializer.Serialize(value, PluginJson.Options.GetTypeInfo(typeof(T)));
}
