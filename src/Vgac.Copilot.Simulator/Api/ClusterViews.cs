using Vgac.Copilot.Contracts;
using Vgac.Copilot.Simulator.Engine;

namespace Vgac.Copilot.Simulator.Api;

/// <summary>The cluster endpoints' responses, computed from the simulation state.</summary>
internal static class ClusterViews
{
    private const double FastStartSeconds = 60;

    public static ClusterSummary Summary(Simulation sim)
    {
        var e = sim.Engine;
        return new ClusterSummary
        {
            ClusterId = sim.Options.ClusterId,
            SchedulerType = e.Scheduler.Flavor,
            TotalNodes = e.Nodes.Count,
            ReadyNodes = e.Nodes.Count(n => n.IsReady),
            TotalGpus = e.TotalGpus,
            AvailableGpus = e.FreeGpus,
            GpuUtilization = Utilization(e),
            PendingJobs = e.Pending.Count,
            RunningJobs = e.Running.Count,
            QueueDepth = e.Pending.Count,
        };
    }

    public static QuickClusterSummary Quick(Simulation sim)
    {
        var e = sim.Engine;
        return new QuickClusterSummary
        {
            ClusterId = sim.Options.ClusterId,
            TotalGpus = e.TotalGpus,
            AvailableGpus = e.FreeGpus,
            GpuUtilization = Utilization(e),
            PendingJobs = e.Pending.Count,
            RunningJobs = e.Running.Count,
            Timestamp = sim.At(e.Now),
        };
    }

    /// <summary>Allocated GPUs over GPUs on ready nodes.</summary>
    public static double Utilization(ClusterSimulation e)
    {
        var ready = e.ReadyGpus;
        return ready == 0 ? 0 : Math.Round((ready - e.FreeGpus) / (double)ready, 4);
    }

    public static NodeList Nodes(Simulation sim)
    {
        var nodes = sim.Engine.Nodes.Select(n => new NodeInfo
        {
            Name = n.Name,
            Status = n.Status,
            GpuType = n.GpuType,
            TotalGpus = n.Gpus,
            AllocatedGpus = n.AllocatedGpus,
            AvailableGpus = n.IsReady ? n.FreeGpus : 0,
            CpuMillicores = n.CpuMillicores,
            MemoryGb = Math.Round(n.MemoryGb, 1),
            RunningJobs = n.RunningJobs,
            Pool = n.Pool,
        }).ToList();
        return new NodeList { Nodes = nodes, Total = nodes.Count };
    }

    /// <summary>
    /// Splits the waits of jobs started in the window into the two modes VGAC watches: fast starts (under a
    /// minute) and long waits (over the threshold). <c>bifurcation_ratio</c> = long / (fast + long): the weight
    /// of the slow mode; bifurcated when both modes hold real mass and few jobs sit between them.
    /// </summary>
    public static BifurcationAnalysis Bifurcation(Simulation sim, double windowHours = 6)
    {
        var e = sim.Engine;
        var from = e.Now - windowHours * 3600;
        var threshold = sim.Options.LongWaitThresholdSeconds;
        var waits = e.Finished.Concat(e.Running).Where(j => j.StartAt >= from).Select(j => j.WaitSeconds!.Value).Order().ToArray();
        var fast = waits.Where(w => w < FastStartSeconds).ToArray();
        var slow = waits.Where(w => w > threshold).ToArray();
        double n = Math.Max(1, waits.Length);
        var fastShare = fast.Length / n;
        var slowShare = slow.Length / n;
        return new BifurcationAnalysis
        {
            BifurcationRatio = fast.Length + slow.Length == 0 ? 0 : Math.Round(slow.Length / (double)(fast.Length + slow.Length), 4),
            IsBifurcated = fastShare >= 0.3 && slowShare >= 0.1 && fastShare + slowShare >= 0.7,
            FastStartFraction = Math.Round(fastShare, 4),
            LongWaitFraction = Math.Round(slowShare, 4),
            LongWaitThresholdSeconds = threshold,
            FastMedianWaitSeconds = Math.Round(JobViews.Quantile(fast, 0.5), 1),
            SlowMedianWaitSeconds = Math.Round(JobViews.Quantile(slow, 0.5), 1),
            SampleCount = waits.Length,
            WindowHours = windowHours,
        };
    }

    public static PredictorClusterState PredictorState(Simulation sim)
    {
        var e = sim.Engine;
        var lastHour = e.Finished.Concat(e.Running).Where(j => j.StartAt >= e.Now - 3600).Select(j => j.WaitSeconds!.Value).Order().ToArray();
        var bifurcation = Bifurcation(sim, 1);
        var (ratio, _) = e.QueueFeatures(0, int.MinValue);
        return new PredictorClusterState
        {
            TotalGpus = e.TotalGpus,
            AvailableGpus = e.FreeGpus,
            PendingJobs = e.Pending.Count,
            PendingGpuJobs = e.Pending.Count(j => j.Request.Gpus > 0),
            RunningJobs = e.Running.Count,
            GpuUtilization = Utilization(e),
            PendingRatio = Math.Round(ratio, 4),
            BifurcationRatio = bifurcation.BifurcationRatio,
            AvgWaitLastHour = Math.Round(lastHour.DefaultIfEmpty(0).Average(), 1),
            P95WaitLastHour = Math.Round(JobViews.Quantile(lastHour, 0.95), 1),
            UpdatedAt = sim.At(e.Now),
        };
    }

    public static SlurmStatus SlurmStatus(Simulation sim)
    {
        var e = sim.Engine;
        var partitions = e.Nodes.GroupBy(n => n.Pool).OrderBy(g => g.Key).Select(g =>
        {
            var names = g.ToHashSet();
            bool OnPartition(SimJob j) => j.Allocations.Any(a => names.Contains(a.Node)) || (j.State == JobState.Pending && g.Any(n => Placement.Matches(n, j.Request)));
            return new SlurmPartition
            {
                Name = g.Key,
                State = g.Any(n => n.IsReady) ? "up" : "down",
                TotalNodes = g.Count(),
                IdleNodes = g.Count(n => n.IsReady && n.FreeGpus == n.Gpus),
                MixedNodes = g.Count(n => n.IsReady && n.FreeGpus > 0 && n.FreeGpus < n.Gpus),
                AllocatedNodes = g.Count(n => n.IsReady && n.FreeGpus == 0),
                DownNodes = g.Count(n => !n.IsReady),
                TotalGpus = g.Sum(n => n.Gpus),
                AllocatedGpus = g.Sum(n => n.AllocatedGpus),
                PendingJobs = e.Pending.Count(OnPartition),
                RunningJobs = e.Running.Count(OnPartition),
            };
        }).ToList();
        return new SlurmStatus { ClusterName = sim.Options.ClusterId, Controller = "up", Partitions = partitions, Timestamp = sim.At(e.Now) };
    }

    public static SlurmQueue SlurmQueue(Simulation sim, int? limit)
    {
        var e = sim.Engine;
        var pending = JobViews.OrderedPending(e);
        var jobs = e.Running.OrderBy(j => j.StartAt).Concat(pending).Select(j => new SlurmJob
        {
            JobId = j.Id,
            Name = j.Request.Name,
            User = j.Request.User,
            Partition = j.Allocations.FirstOrDefault().Node?.Pool ?? e.Nodes.FirstOrDefault(n => Placement.Matches(n, j.Request))?.Pool ?? "gpu",
            State = j.State == JobState.Running ? "RUNNING" : "PENDING",
            Reason = j.State == JobState.Running ? "None" : JobViews.PendingReason(sim, j),
            Gpus = j.Request.Gpus,
            Nodes = Math.Max(1, j.Allocations.Count),
            Priority = j.Request.Priority,
            SubmitTime = sim.At(j.Request.SubmitAt),
            StartTime = j.StartAt is { } s ? sim.At(s) : null,
            TimeLimitMinutes = (int)Math.Ceiling(j.RequestedSeconds / 60),
        }).ToList();
        return new SlurmQueue { Total = jobs.Count, Jobs = [.. jobs.Take(JobViews.Cap(limit, 100))] };
    }

    /// <summary>
    /// GPUs expected free at each hour: free now plus GPUs of running jobs whose time limit ends by then, minus the
    /// demand of the pending queue and of arrivals at the last 24 h rate.
    /// </summary>
    public static CapacityForecast Capacity(Simulation sim, double? horizonHours)
    {
        var e = sim.Engine;
        var horizon = Math.Clamp(horizonHours ?? 6, 1, 72);
        var arrivalsPerHour = e.Finished.Concat(e.Running).Concat(e.Pending).Count(j => j.Request.SubmitAt >= e.Now - 86_400) / 24.0;
        var gpusPerJob = e.Pending.Concat(e.Running).Select(j => (double)j.Request.Gpus).DefaultIfEmpty(1).Average();
        var pendingDemand = e.Pending.Sum(j => j.Request.Gpus);
        var points = new List<CapacityPoint>();
        for (var h = 1; h <= (int)Math.Ceiling(horizon); h++)
        {
            var by = e.Now + h * 3600;
            var finishing = e.Running.Where(j => j.StartAt + j.RequestedSeconds <= by).ToList();
            var freed = e.FreeGpus + finishing.Sum(j => j.Request.Gpus);
            var demand = pendingDemand + arrivalsPerHour * h * gpusPerJob;
            var startable = Math.Min(freed, demand);
            points.Add(new CapacityPoint
            {
                HoursAhead = h,
                ExpectedAvailableGpus = Math.Round(Math.Max(0, freed - demand), 1),
                ExpectedPendingJobs = Math.Round(Math.Max(0, (demand - startable) / Math.Max(1, gpusPerJob)), 1),
                JobsFinishing = finishing.Count,
            });
        }

        return new CapacityForecast
        {
            GeneratedAt = sim.At(e.Now),
            HorizonHours = horizon,
            Method = "running-job time limits vs pending and expected demand",
            Points = points,
        };
    }
}
