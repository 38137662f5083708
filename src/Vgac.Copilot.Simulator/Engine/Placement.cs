namespace Vgac.Copilot.Simulator.Engine;

/// <summary>Where a job can go: one node when it fits on one (best fit), else whole spread across nodes.</summary>
internal static class Placement
{
    public static List<Allocation>? TryPlace(IReadOnlyList<SimNode> nodes, JobRequest job, int largestNode)
    {
        if (job.Gpus == 0)
        {
            // CPU-only work is not GPU-scheduled; it lands on any ready node.
            var any = nodes.FirstOrDefault(n => n.IsReady);
            return any is null ? null : [new Allocation(any, 0)];
        }

        if (job.Gpus <= largestNode)
        {
            SimNode? best = null;
            foreach (var node in nodes)
            {
                if (node.IsReady && node.FreeGpus >= job.Gpus && Matches(node, job) && (best is null || node.FreeGpus < best.FreeGpus))
                {
                    best = node;
                    if (node.FreeGpus == job.Gpus)
                    {
                        break;
                    }
                }
            }

            return best is null ? null : [new Allocation(best, job.Gpus)];
        }

        // Larger than any node: gang-allocate across nodes, all or nothing.
        var needed = job.Gpus;
        var spread = new List<Allocation>();
        foreach (var node in nodes)
        {
            if (node.IsReady && node.FreeGpus > 0 && Matches(node, job))
            {
                var take = Math.Min(node.FreeGpus, needed);
                spread.Add(new Allocation(node, take));
                needed -= take;
                if (needed == 0)
                {
                    return spread;
                }
            }
        }

        return null;
    }

    public static bool Matches(SimNode node, JobRequest job) =>
        job.GpuType is null || string.Equals(node.GpuType, job.GpuType, StringComparison.OrdinalIgnoreCase);

    public static void Allocate(SimJob job, List<Allocation> allocations)
    {
        foreach (var (node, gpus) in allocations)
        {
            node.FreeGpus -= gpus;
            node.RunningJobs++;
            if (node.FreeGpus < 0)
            {
                throw new InvalidOperationException($"Node {node.Name} over-allocated by {job.Id}.");
            }
        }

        job.Allocations = allocations;
    }

    public static void Release(SimJob job)
    {
        foreach (var (node, gpus) in job.Allocations)
        {
            node.FreeGpus += gpus;
            node.RunningJobs--;
        }
    }
}
