using System.Text.Json;
using Microsoft.Extensions.Options;
using ModelContextProtocol.Server;
using Vgac.Copilot.Core.Guards;
using Vgac.Copilot.Plugins;
using Vgac.Copilot.Plugins.Catalog;

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

    private static McpServerResource Resource(string uri, string name, string description, Func<CancellationToken, Task<string>> read) =>
        McpServerResource.Create(read, new McpServerResourceCreateOptions { UriTemplate = uri, Name = name, Description = description, MimeType = "application/json" });

    private static string Json<T>(T value) => JsonSerializer.Serialize(value, PluginJson.Options.GetTypeInfo(typeof(T)));
}
