using Vgac.Copilot.Contracts;

namespace Vgac.Copilot.Simulator.Engine;

/// <summary>Hooks the engine calls so the prediction model can see submits and outcomes.</summary>
internal interface ISimulationObserver
{
    /// <summary>A job arrived; return the prediction VGAC would make for it now (or null if no model yet).</summary>
    SubmitPrediction? OnSubmitted(SimJob job, ClusterSimulation simulation);

    void OnStarted(SimJob job, ClusterSimulation simulation);

    void OnTimeAdvanced(ClusterSimulation simulation);
}

/// <summary>
/// The discrete-event simulation: time is seconds since <see cref="SimulatorOptions.StartTime"/>; events are
/// arrivals (pulled lazily from the workload), starts (recorded-timing replay), ends, impatient cancellations and
/// node failures. Not thread-safe: <see cref="Simulation"/> serializes access.
/// </summary>
internal sealed class ClusterSimulation
{
    private const int FinishedRetention = 50_000;

    private readonly PriorityQueue<SimEvent, (double, long)> _events = new();
    private readonly Workload.Workload _workload;
    private readonly Random _random;
    private readonly bool _nodeFailures;
    private readonly int _largestNode;
    private long _sequence;
    private double _nextNodeFailure;

    public ClusterSimulation(Workload.Workload workload, IScheduler scheduler, int seed, bool nodeFailures, ISimulationObserver? observer = null)
    {
        _workload = workload;
        Scheduler = scheduler;
        Nodes = workload.Nodes;
        _random = new Random(seed ^ 0x5EED);
        _nodeFailures = nodeFailures;
        _largestNode = Nodes.Count == 0 ? 0 : Nodes.Max(n => n.Gpus);
        _nextNodeFailure = NextFailureGap();
        Observer = observer;
    }

    public double Now { get; private set; }

    public IScheduler Scheduler { get; set; }

    public ISimulationObserver? Observer { get; set; }

    public IReadOnlyList<SimNode> Nodes { get; }

    public List<SimJob> Pending { get; } = [];

    public HashSet<SimJob> Running { get; } = [];

    /// <summary>Finished jobs, oldest first, the most recent <c>50,000</c> kept.</summary>
    public LinkedList<SimJob> Finished { get; } = new();

    public Dictionary<string, SimJob> ById { get; } = new(StringComparer.Ordinal);

    public SimulationCounters Counters { get; } = new();

    public string WorkloadDescription => _workload.Description;

    public int TotalGpus => Nodes.Sum(n => n.Gpus);

    public int ReadyGpus => Nodes.Where(n => n.IsReady).Sum(n => n.Gpus);

    public int FreeGpus => Nodes.Where(n => n.IsReady).Sum(n => n.FreeGpus);

    /// <summary>Called for each job that starts, in order (tests collect waits through it).</summary>
    public event Action<SimJob>? JobStarted;

    /// <summary>Processes every event up to and including <paramref name="until"/>, then sets the clock there.</summary>
    public void RunUntil(double until)
    {
        while (true)
        {
            var nextEvent = _events.TryPeek(out _, out var key) ? key.Item1 : double.PositiveInfinity;
            var nextArrival = _workload.NextSubmitAt;
            var nextFailure = _nodeFailures ? _nextNodeFailure : double.PositiveInfinity;
            var next = Math.Min(nextEvent, Math.Min(nextArrival, nextFailure));
            if (next > until)
            {
                break;
            }

            Now = Math.Max(Now, next);
            while (_workload.NextSubmitAt <= Now)
            {
                Arrive(_workload.Take());
            }

            while (_events.TryPeek(out _, out key) && key.Item1 <= Now)
            {
                Handle(_events.Dequeue());
            }

            if (_nodeFailures && _nextNodeFailure <= Now)
            {
                FailRandomNode();
                _nextNodeFailure = Now + NextFailureGap();
            }

            Schedule();
            Observer?.OnTimeAdvanced(this);
        }

        Now = Math.Max(Now, until);
        Observer?.OnTimeAdvanced(this);
    }

    public void RunFor(TimeSpan span) => RunUntil(Now + span.TotalSeconds);

    /// <summary>
    /// The model's two features for a job of <paramref name="gpus"/> GPUs at <paramref name="priority"/> submitted now,
    /// taken over the jobs it competes with (those asking for at least as many GPUs): pending/(pending+running)
    /// among them, and how many of them are pending at equal or higher priority.
    /// </summary>
    public (double PendingRatio, int PendingAhead) QueueFeatures(int gpus, int priority)
    {
        int pending = 0, ahead = 0, running = 0;
        foreach (var job in Pending)
        {
            if (job.Request.Gpus >= gpus)
            {
                pending++;
                if (job.Request.Priority >= priority)
                {
                    ahead++;
                }
            }
        }

        foreach (var job in Running)
        {
            if (job.Request.Gpus >= gpus)
            {
                running++;
            }
        }

        var total = pending + running;
        return (total == 0 ? 0 : (double)pending / total, ahead);
    }

    private void Arrive(JobRequest request)
    {
        var job = new SimJob(request, ++_sequence);
        (job.PendingRatioAtSubmit, job.PendingAtSubmit) = QueueFeatures(request.Gpus, request.Priority);
        job.Prediction = Observer?.OnSubmitted(job, this);
        Pending.Add(job);
        ById[job.Id] = job;
        Counters.Submitted++;

        if (request.PatienceSeconds is { } patience)
        {
            Enqueue(Now + patience, SimEventKind.Cancel, job);
        }

        if (_workload.RecordedTiming && request.RecordedWaitSeconds is { } wait)
        {
            Enqueue(request.SubmitAt + wait, SimEventKind.RecordedStart, job);
        }
    }

    private void Schedule()
    {
        if (_workload.RecordedTiming || Pending.Count == 0)
        {
            return;
        }

        var picked = Scheduler.Pick(Nodes, Pending, Running, Now).ToList();
        if (picked.Count > 0)
        {
            var starting = picked.Select(p => p.Job).ToHashSet();
            Pending.RemoveAll(starting.Contains);
            foreach (var (job, _) in picked)
            {
                Start(job);
            }
        }
    }

    private void Start(SimJob job)
    {
        job.State = JobState.Running;
        job.StartAt = Now;
        Running.Add(job);
        Counters.Started++;
        var r = job.Request;
        var endsAt = Now + r.RuntimeSeconds;
        Enqueue(endsAt, SimEventKind.End, job);
        Observer?.OnStarted(job, this);
        JobStarted?.Invoke(job);
    }

    private void Handle(SimEvent e)
    {
        var job = e.Job;
        switch (e.Kind)
        {
            case SimEventKind.RecordedStart when job is { State: JobState.Pending }:
                Pending.Remove(job);
                if (Placement.TryPlace(Nodes, job.Request, _largestNode) is { } where)
                {
                    Placement.Allocate(job, where);
                }
                else
                {
                    job.Overflow = true;
                    Counters.Overflow++;
                }

                Start(job);
                break;
            case SimEventKind.End when job is { State: JobState.Running }:
                Finish(job, job.Request.Outcome switch
                {
                    JobOutcome.Fail => JobState.Failed,
                    JobOutcome.Cancel => JobState.Cancelled,
                    _ => JobState.Succeeded,
                }, job.Request.FailureReason);
                break;
            case SimEventKind.Cancel when job is { State: JobState.Pending }:
                Pending.Remove(job);
                Finish(job, JobState.Cancelled, "Cancelled by user while pending");
                break;
            case SimEventKind.NodeUp when e.Node is { } node:
                node.Status = NodeStatus.Ready;
                break;
        }
    }

    private void Finish(SimJob job, JobState state, string? reason)
    {
        if (job.State == JobState.Running)
        {
            Running.Remove(job);
            Placement.Release(job);
        }

        job.State = state;
        job.EndAt = Now;
        job.EndReason = reason;
        switch (state)
        {
            case JobState.Succeeded: Counters.Succeeded++; break;
            case JobState.Failed: Counters.Failed++; break;
            default: Counters.Cancelled++; break;
        }

        Finished.AddLast(job);
        if (Finished.Count > FinishedRetention)
        {
            ById.Remove(Finished.First!.Value.Id);
            Finished.RemoveFirst();
        }
    }

    private void FailRandomNode()
    {
        var ready = Nodes.Where(n => n.IsReady).ToList();
        if (ready.Count <= 1)
        {
            return;
        }

        var node = ready[_random.Next(ready.Count)];
        node.Status = NodeStatus.NotReady;
        foreach (var job in Running.Where(j => j.Allocations.Any(a => a.Node == node)).ToList())
        {
            Finish(job, JobState.Failed, $"NodeFailure: {node.Name} became NotReady (GPU ECC error)");
        }

        Enqueue(Now + 1800 + _random.NextDouble() * 5400, SimEventKind.NodeUp, null, node);
    }

    // About two node failures a simulated day.
    private double NextFailureGap() => -Math.Log(1 - _random.NextDouble()) * 43_200;

    private void Enqueue(double at, SimEventKind kind, SimJob? job, SimNode? node = null) =>
        _events.Enqueue(new SimEvent(kind, job!, node), (at, ++_sequence));

    private enum SimEventKind
    {
        RecordedStart,
        End,
        Cancel,
        NodeUp,
    }

    private sealed record SimEvent(SimEventKind Kind, SimJob Job, SimNode? Node);
}

/// <summary>Totals since the simulation started.</summary>
internal sealed class SimulationCounters
{
    public long Submitted { get; set; }

    public long Started { get; set; }

    public long Succeeded { get; set; }

    public long Failed { get; set; }

    public long Cancelled { get; set; }

    /// <summary>Recorded-timing starts that did not fit the simulated nodes.</summary>
    public long Overflow { get; set; }
}
