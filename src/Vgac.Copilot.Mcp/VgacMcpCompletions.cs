using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;
using Vgac.Copilot.Client;
using Vgac.Copilot.Contracts;

namespace Vgac.Copilot.Mcp;

/// <summary>
/// <c>completion/complete</c> for prompt and resource arguments: namespaces, queues, GPU types and job ids as VGAC
/// reports them now, GPU counts from the usual sizes; matching what is typed, at most 100, never an error (an
/// unknown argument or a VGAC that does not answer gives an empty list).
/// </summary>
internal sealed class VgacMcpCompletions(IVgacClient vgac)
{
    public const int MaxValues = 100;

    private static readonly string[] GpuCounts = ["1", "2", "4", "8", "16", "32", "64"];

    public async ValueTask<CompleteResult> CompleteAsync(RequestContext<CompleteRequestParams> request, CancellationToken cancellationToken)
    {
        var argument = request.Params?.Argument;
        var typed = argument?.Value ?? "";
        IEnumerable<string> candidates;
        try
        {
            candidates = await CandidatesAsync(argument?.Name ?? "", cancellationToken).ConfigureAwait(false);
        }
        catch (VgacApiException)
        {
            candidates = [];
        }

        var matches = candidates.Where(c => c.StartsWith(typed, StringComparison.OrdinalIgnoreCase))
            .Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        return new CompleteResult
        {
            Completion = new Completion { Values = [.. matches.Take(MaxValues)], Total = matches.Count, HasMore = matches.Count > MaxValues },
        };
    }

    private async Task<IEnumerable<string>> CandidatesAsync(string name, CancellationToken cancellationToken)
    {
        switch (name)
        {
            case "gpus":
                return GpuCounts;
            case "namespace" or "queue" or "job_id":
                var pending = await vgac.GetPendingJobsAsync(MaxValues, cancellationToken: cancellationToken).ConfigureAwait(false);
                var running = await vgac.GetRunningJobsAsync(MaxValues, cancellationToken: cancellationToken).ConfigureAwait(false);
                IEnumerable<JobInfo> jobs = [.. pending.Jobs, .. running.Jobs];
                return name switch
                {
                    "namespace" => jobs.Select(j => j.Namespace),
                    "queue" => jobs.Select(j => j.Queue).OfType<string>(),
                    _ => pending.Jobs.Select(j => j.JobId),
                };
            case "gpu_type":
                var nodes = await vgac.GetNodesAsync(cancellationToken).ConfigureAwait(false);
                return nodes.Nodes.Select(n => n.GpuType).OfType<string>();
            default:
                return [];
        }
    }
}
