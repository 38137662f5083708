using Vgac.Copilot.Contracts;

namespace Vgac.Copilot.Simulator.Engine;

/// <summary>Decides which pending jobs start now. Returns them with their placements; the engine applies them.</summary>
internal interface IScheduler
{
    SchedulerType Flavor { get; }

    /// <summary>Orders the queue (the order the API shows) and picks the jobs to start at <paramref name="now"/>.</summary>
    IEnumerable<(SimJob Job, List<Allocation> Where)> Pick(IReadOnlyList<SimNode> nodes, List<SimJob> pending, IEnumerable<SimJob> running, double now);
}

/// <summary>
/// kube-scheduler-like: strict priority then FIFO, and every pod that fits is bound, in order, with no
/// reservation for the head. Small jobs flow around big ones, which is how big jobs starve and waits bifurcate.
/// </summary>
internal sealed class KubernetesScheduler : IScheduler
{
    public SchedulerType Flavor => SchedulerType.Kubernetes;

    public IEnumerable<(SimJob Job, List<Allocation> Where)> Pick(IReadOnlyList<SimNode> nodes, List<SimJob> pending, IEnumerable<SimJob> running, double now)
    {
        pending.Sort(static (a, b) => a.Request.Priority != b.Request.Priority
            ? b.Request.Priority.CompareTo(a.Request.Priority)
            : a.Sequence.CompareTo(b.Sequence));
        var largest = nodes.Count == 0 ? 0 : nodes.Max(n => n.Gpus);
        var freeTotal = nodes.Sum(n => n.IsReady ? n.FreeGpus : 0);
        var started = new List<(SimJob, List<Allocation>)>();
        foreach (var job in pending)
        {
            if (freeTotal < job.Request.Gpus)
            {
                continue;
            }

            if (Placement.TryPlace(nodes, job.Request, largest) is { } where)
            {
                Placement.Allocate(job, where);
                started.Add((job, where));
                freeTotal -= job.Request.Gpus;
            }
        }

        return started;
    }
}

/// <summary>
/// Slurm-like: multifactor priority (job priority plus age) and EASY backfill. Jobs start in priority order
/// until one does not fit; that head gets a reservation at the earliest time running jobs' time limits free
/// enough GPUs, and later jobs may start now only if they cannot delay it.
/// </summary>
internal sealed class SlurmScheduler : IScheduler
{
    public SchedulerType Flavor => SchedulerType.Slurm;

    public IEnumerable<(SimJob Job, List<Allocation> Where)> Pick(IReadOnlyList<SimNode> nodes, List<SimJob> pending, IEnumerable<SimJob> running, double now)
    {
        pending.Sort((a, b) =>
        {
            var c = Score(b, now).CompareTo(Score(a, now));
            return c != 0 ? c : a.Sequence.CompareTo(b.Sequence);
        });
        var largest = nodes.Count == 0 ? 0 : nodes.Max(n => n.Gpus);
        var started = new List<(SimJob, List<Allocation>)>();
        SimJob? head = null;
        var shadowTime = double.PositiveInfinity;
        SimNode? shadowNode = null;

        foreach (var job in pending)
        {
            var where = Placement.TryPlace(nodes, job.Request, largest);
            if (head is null)
            {
                if (where is not null)
                {
                    Placement.Allocate(job, where);
                    started.Add((job, where));
                    continue;
                }

                head = job;
                (shadowTime, shadowNode) = Reservation(nodes, running.Concat(started.Select(s => s.Item1)), job.Request, largest, now);
                continue;
            }

            if (where is null)
            {
                continue;
            }

            var endsBeforeShadow = now + job.RequestedSeconds <= shadowTime;
            var avoidsReservedNode = shadowNode is not null && where.TrueForAll(a => a.Node != shadowNode);
            if (endsBeforeShadow || avoidsReservedNode)
            {
                Placement.Allocate(job, where);
                started.Add((job, where));
            }
        }

        return started;
    }

    private static double Score(SimJob job, double now) => job.Request.Priority * 1000 + (now - job.Request.SubmitAt) / 60;

    /// <summary>When (and, for a one-node job, where) the head could start if running jobs end at their time limits.</summary>
    private static (double Time, SimNode? Node) Reservation(IReadOnlyList<SimNode> nodes, IEnumerable<SimJob> running, JobRequest head, int largest, double now)
    {
        var free = nodes.ToDictionary(n => n, n => n.IsReady ? n.FreeGpus : 0);
        var releases = running
            .Select(j => (End: Math.Max(now, (j.StartAt ?? now) + j.RequestedSeconds), j.Allocations))
            .OrderBy(r => r.End);
        foreach (var (end, allocations) in releases)
        {
            foreach (var (node, gpus) in allocations)
            {
                if (node.IsReady)
                {
                    free[node] += gpus;
                }
            }

            if (head.Gpus <= largest)
            {
                var fit = free.Where(kv => kv.Value >= head.Gpus && Placement.Matches(kv.Key, head)).Select(kv => kv.Key).FirstOrDefault();
                if (fit is not null)
                {
                    return (end, fit);
                }
            }
            else if (free.Where(kv => Placement.Matches(kv.Key, head)).Sum(kv => kv.Value) >= head.Gpus)
            {
                return (end, null);
            }
        }

        return (double.PositiveInfinity, null);
    }
}
