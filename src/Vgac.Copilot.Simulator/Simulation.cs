using Vgac.Copilot.Contracts;
using Vgac.Copilot.Simulator.Engine;
using Vgac.Copilot.Simulator.Prediction;

namespace Vgac.Copilot.Simulator;

/// <summary>
/// A running simulated VGAC: the cluster engine, its prediction service and the injected faults, behind one
/// lock so HTTP requests and the clock driver never see a half-applied event.
/// </summary>
public sealed class Simulation : IDisposable
{
    private readonly Lock _gate = new();
    private readonly Workload.Workload _workload;
    private volatile FaultOptions _faults;

    private Simulation(SimulatorOptions options, Workload.Workload workload)
    {
        Options = options;
        _workload = workload;
        _faults = options.Faults.Clone();
        Predictions = new PredictionService(options);
        Engine = new ClusterSimulation(workload, CreateScheduler(options.Flavor), options.Seed, nodeFailures: options.TracePath is null, Predictions);
        Epoch = options.StartTime;
    }

    public SimulatorOptions Options { get; }

    public DateTimeOffset Epoch { get; }

    /// <summary>When serving started (real time), for uptime.</summary>
    public DateTimeOffset CreatedAt { get; } = DateTimeOffset.UtcNow;

    public FaultOptions Faults
    {
        get => _faults;
        set => _faults = value.Clone();
    }

    internal ClusterSimulation Engine { get; }

    internal PredictionService Predictions { get; }

    /// <summary>Builds the simulation and runs the warm-up, so there is history and a fitted model from the start.</summary>
    public static Simulation Create(SimulatorOptions options)
    {
        var workload = options.TracePath is { } path
            ? Workload.TraceReaders.Open(path, options.TraceFormat, options.TraceTiming, options.Seed)
            : new Workload.Workload(
                $"synthetic(seed={options.Seed}, {options.ArrivalsPerHour}/h)",
                Workload.SyntheticWorkload.Generate(options.Seed, options.ArrivalsPerHour, numericIds: options.Flavor == SchedulerType.Slurm),
                ClusterLayouts.Default(options.Flavor));
        if (options.TracePath is not null && options.TraceStartHours > 0)
        {
            workload.SkipUntil(options.TraceStartHours * 3600);
        }

        var simulation = new Simulation(options, workload);
        simulation.Predictions.LogitBias = options.LogitBias;
        if (options.WarmupHours > 0)
        {
            simulation.Advance(TimeSpan.FromHours(options.WarmupHours));
        }

        return simulation;
    }

    /// <summary>Simulated time now.</summary>
    public DateTimeOffset Now
    {
        get
        {
            lock (_gate)
            {
                return At(Engine.Now);
            }
        }
    }

    public SchedulerType Flavor
    {
        get
        {
            lock (_gate)
            {
                return Engine.Scheduler.Flavor;
            }
        }
    }

    public void Advance(TimeSpan span)
    {
        lock (_gate)
        {
            Engine.RunFor(span);
        }
    }

    /// <summary>Switches the scheduler mid-run (VGAC's research: calibration degrades when a model moves from Kubernetes to Slurm).</summary>
    public void SwitchScheduler(SchedulerType flavor)
    {
        lock (_gate)
        {
            Engine.Scheduler = CreateScheduler(flavor);
        }
    }

    public void SetDrift(double logitBias, bool? autoRefit)
    {
        lock (_gate)
        {
            Predictions.LogitBias = logitBias;
            if (autoRefit is { } refit)
            {
                Predictions.AutoRefit = refit;
            }
        }
    }

    public ModelFitReport? Refit()
    {
        lock (_gate)
        {
            Predictions.Refit(Engine);
            return Predictions.Model?.Report;
        }
    }

    /// <summary>Finished jobs the model needs before it can fit (and predictions stop being fallbacks).</summary>
    public const int MinimumTrainingJobs = Prediction.WaitModel.MinimumSamples;

    /// <summary>Jobs submitted since simulated time 0 (the warm-up included).</summary>
    public long SubmittedSoFar
    {
        get
        {
            lock (_gate)
            {
                return Engine.Counters.Submitted;
            }
        }
    }

    public ModelFitReport? ModelReport
    {
        get
        {
            lock (_gate)
            {
                return Predictions.Model?.Report;
            }
        }
    }

    /// <summary>Runs <paramref name="read"/> with the simulation paused.</summary>
    internal T Read<T>(Func<Simulation, T> read)
    {
        lock (_gate)
        {
            return read(this);
        }
    }

    internal DateTimeOffset At(double seconds) => Epoch.AddSeconds(seconds);

    internal double SecondsAt(DateTimeOffset time) => (time - Epoch).TotalSeconds;

    private static IScheduler CreateScheduler(SchedulerType flavor) => flavor switch
    {
        SchedulerType.Slurm => new SlurmScheduler(),
        _ => new KubernetesScheduler(),
    };

    public void Dispose() => _workload.Dispose();
}
