using Vgac.Copilot.Contracts;
using Vgac.Copilot.Simulator.Engine;

namespace Vgac.Copilot.Simulator.Api;

/// <summary>The job endpoints' responses, computed from the simulation state.</summary>
internal static class JobViews
{
    public static JobInfo ToInfo(Simulation sim, SimJob job, int? queuePosition = null)
    {
        var engine = sim.Engine;
        var r = job.Request;
        var threshold = sim.Options.LongWaitThresholdSeconds;
        var wait = job.StartAt is { } start ? start - r.SubmitAt : (job.EndAt ?? engine.Now) - r.SubmitAt;
        return new JobInfo
        {
            JobId = job.Id,
            Name = r.Name,
            User = r.User,
            Namespace = r.Namespace,
            Queue = r.Queue,
            State = job.State,
            JobType = r.Gpus == 0 ? JobType.Cpu : JobType.Gpu,
            Gpus = r.Gpus,
            GpuType = r.GpuType,
            Cpu = r.Cpu,
            MemoryGb = Math.Round(r.MemoryGb, 2),
            Priority = r.Priority,
            SubmitTime = sim.At(r.SubmitAt),
            StartTime = job.StartAt is { } s ? sim.At(s) : null,
            EndTime = job.EndAt is { } e ? sim.At(e) : null,
            WaitSeconds = Math.Round(wait, 1),
            RuntimeSeconds = job.StartAt is { } began ? Math.Round((job.EndAt ?? engine.Now) - began, 1) : null,
            Nodes = job.Allocations.Count == 0 ? null : [.. job.Allocations.Select(a => a.Node.Name)],
            QueuePosition = queuePosition,
            Reason = job.State == JobState.Pending ? PendingReason(sim, job) : job.EndReason,
            PredictionAtSubmit = job.Prediction,
            LongWait = job.StartAt is not null ? wait > threshold : wait > threshold ? true : null,
        };
    }

    public static string PendingReason(Simulation sim, SimJob job)
    {
        var engine = sim.Engine;
        var r = job.Request;
        var fits = engine.Nodes.Any(n => n.IsReady && n.FreeGpus >= Math.Min(r.Gpus, n.Gpus) && Placement.Matches(n, r));
        var slurm = engine.Scheduler.Flavor == SchedulerType.Slurm;
        if (!engine.Nodes.Any(n => Placement.Matches(n, r) && n.Gpus >= Math.Min(r.Gpus, engine.Nodes.Max(x => x.Gpus))))
        {
            return slurm ? "ReqNodeNotAvail" : $"Unschedulable: no node has {r.Gpus} {r.GpuType ?? "GPU"}s";
        }

        if (!fits)
        {
            return slurm ? "Resources" : $"Insufficient nvidia.com/gpu ({r.Gpus} requested)";
        }

        return slurm ? "Priority" : "Waiting behind higher-priority pods";
    }

    public static JobQueueSnapshot Queue(Simulation sim, int? limit)
    {
        var engine = sim.Engine;
        var ordered = OrderedPending(engine);
        return new JobQueueSnapshot
        {
            Timestamp = sim.At(engine.Now),
            QueueDepth = engine.Pending.Count,
            PendingJobs = engine.Pending.Count,
            RunningJobs = engine.Running.Count,
            PendingGpus = engine.Pending.Sum(j => j.Request.Gpus),
            RunningGpus = engine.Running.Sum(j => j.Request.Gpus),
            OldestPendingSeconds = engine.Pending.Count == 0 ? 0 : Math.Round(engine.Now - engine.Pending.Min(j => j.Request.SubmitAt), 1),
            Jobs = [.. ordered.Take(Cap(limit, 50)).Select((j, i) => ToInfo(sim, j, i + 1))],
        };
    }

    public static JobList Pending(Simulation sim, int? limit, string? ns)
    {
        var jobs = OrderedPending(sim.Engine).Select((j, i) => (Job: j, Position: i + 1))
            .Where(x => ns is null || x.Job.Request.Namespace == ns).ToList();
        return new JobList { Total = jobs.Count, Jobs = [.. jobs.Take(Cap(limit, 100)).Select(x => ToInfo(sim, x.Job, x.Position))] };
    }

    public static JobList Running(Simulation sim, int? limit, string? ns)
    {
        var jobs = sim.Engine.Running.Where(j => ns is null || j.Request.Namespace == ns).OrderBy(j => j.StartAt).ToList();
        return new JobList { Total = jobs.Count, Jobs = [.. jobs.Take(Cap(limit, 100)).Select(j => ToInfo(sim, j))] };
    }

    public static JobList History(Simulation sim, int? limit, string? ns, JobState? state, DateTimeOffset? since)
    {
        var from = since is { } s ? sim.SecondsAt(s) : double.NegativeInfinity;
        var jobs = sim.Engine.Finished.Reverse()
            .Where(j => (ns is null || j.Request.Namespace == ns) && (state is null || j.State == state) && (j.EndAt ?? 0) >= from)
            .ToList();
        return new JobList { Total = jobs.Count, Jobs = [.. jobs.Take(Cap(limit, 100)).Select(j => ToInfo(sim, j))] };
    }

    public static JobHistoryStats Stats(Simulation sim, double? windowHours)
    {
        var window = windowHours ?? 24;
        var engine = sim.Engine;
        var threshold = sim.Options.LongWaitThresholdSeconds;
        var finished = Window(engine, window).ToList();
        var started = finished.Where(j => j.StartAt is not null).ToList();
        var waits = started.Select(j => j.WaitSeconds!.Value).Order().ToArray();
        return new JobHistoryStats
        {
            WindowHours = window,
            TotalJobs = finished.Count,
            Succeeded = finished.Count(j => j.State == JobState.Succeeded),
            Failed = finished.Count(j => j.State == JobState.Failed),
            Cancelled = finished.Count(j => j.State == JobState.Cancelled),
            AvgWaitSeconds = Round(waits.DefaultIfEmpty(0).Average()),
            P50WaitSeconds = Round(Quantile(waits, 0.5)),
            P90WaitSeconds = Round(Quantile(waits, 0.9)),
            P95WaitSeconds = Round(Quantile(waits, 0.95)),
            P99WaitSeconds = Round(Quantile(waits, 0.99)),
            AvgRuntimeSeconds = Round(started.Select(j => j.EndAt!.Value - j.StartAt!.Value).DefaultIfEmpty(0).Average()),
            LongWaitThresholdSeconds = threshold,
            LongWaitRate = waits.Length == 0 ? 0 : Math.Round(waits.Count(w => w > threshold) / (double)waits.Length, 4),
            ByNamespace = [.. started.GroupBy(j => j.Request.Namespace).OrderBy(g => g.Key).Select(g => new NamespaceStats
            {
                Namespace = g.Key,
                Jobs = g.Count(),
                AvgWaitSeconds = Round(g.Average(j => j.WaitSeconds!.Value)),
                LongWaitRate = Math.Round(g.Count(j => j.WaitSeconds > threshold) / (double)g.Count(), 4),
            })],
        };
    }

    public static FailureAnalysis Failures(Simulation sim, double? windowHours)
    {
        var window = windowHours ?? 24;
        var finished = Window(sim.Engine, window).ToList();
        var failed = finished.Where(j => j.State == JobState.Failed).ToList();
        return new FailureAnalysis
        {
            WindowHours = window,
            TotalJobs = finished.Count,
            TotalFailures = failed.Count,
            FailureRate = finished.Count == 0 ? 0 : Math.Round(failed.Count / (double)finished.Count, 4),
            Patterns = [.. failed
                .GroupBy(j => (j.EndReason ?? "unknown").Split(':')[0])
                .OrderByDescending(g => g.Count()).ThenBy(g => g.Key)
                .Select(g => new FailurePattern
                {
                    Reason = g.Key,
                    Count = g.Count(),
                    Share = Math.Round(g.Count() / (double)failed.Count, 4),
                    Namespaces = [.. g.Select(j => j.Request.Namespace).Distinct().Order()],
                    ExampleJobIds = [.. g.TakeLast(3).Select(j => j.Id)],
                })],
        };
    }

    /// <summary>Pending jobs in the order the scheduler would consider them.</summary>
    public static List<SimJob> OrderedPending(ClusterSimulation engine)
    {
        var slurm = engine.Scheduler.Flavor == SchedulerType.Slurm;
        var now = engine.Now;
        return [.. engine.Pending
            .OrderByDescending(j => slurm ? j.Request.Priority * 1000 + (now - j.Request.SubmitAt) / 60 : j.Request.Priority)
            .ThenBy(j => j.Sequence)];
    }

    private static IEnumerable<SimJob> Window(ClusterSimulation engine, double hours)
    {
        var from = engine.Now - hours * 3600;
        return engine.Finished.Where(j => j.EndAt >= from);
    }

    internal static int Cap(int? limit, int fallback) => Math.Clamp(limit ?? fallback, 0, 1000);

    internal static double Quantile(double[] sorted, double q) =>
        sorted.Length == 0 ? 0 : sorted[(int)Math.Min(sorted.Length - 1, Math.Floor(q * sorted.Length))];

    private static double Round(double value) => Math.Round(value, 1);
}
