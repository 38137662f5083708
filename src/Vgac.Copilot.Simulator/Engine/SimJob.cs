using Vgac.Copilot.Contracts;

namespace Vgac.Copilot.Simulator.Engine;

/// <summary>How a job ends once it runs, decided when it is generated (or read from a trace).</summary>
internal enum JobOutcome
{
    Succeed,
    Fail,
    Cancel,
}

/// <summary>A job as a workload produces it: what is asked, and how it will behave.</summary>
internal sealed record JobRequest
{
    public required string Id { get; init; }

    public string? Name { get; init; }

    public string? User { get; init; }

    public string Namespace { get; init; } = "default";

    public string? Queue { get; init; }

    public required int Gpus { get; init; }

    public string? GpuType { get; init; }

    public double Cpu { get; init; } = 1000;

    public double MemoryGb { get; init; } = 4;

    public int Priority { get; init; }

    /// <summary>Seconds since the start of simulated time.</summary>
    public required double SubmitAt { get; init; }

    /// <summary>How long it runs once started (until it ends or fails).</summary>
    public required double RuntimeSeconds { get; init; }

    /// <summary>The user's estimate, used by backfill; at least the runtime for well-behaved users.</summary>
    public double RequestedSeconds { get; init; }

    public JobOutcome Outcome { get; init; } = JobOutcome.Succeed;

    public string? FailureReason { get; init; }

    /// <summary>A user cancels the job if it is still pending after this many seconds.</summary>
    public double? PatienceSeconds { get; init; }

    /// <summary>Trace replay with recorded timing: the wait the trace recorded; null = never scheduled (censored).</summary>
    public double? RecordedWaitSeconds { get; init; }

    public bool IsDistributed { get; init; }
}

/// <summary>A job inside the simulation: its request plus its life so far.</summary>
internal sealed class SimJob(JobRequest request, long sequence)
{
    public JobRequest Request { get; } = request;

    public long Sequence { get; } = sequence;

    public string Id => Request.Id;

    public JobState State { get; set; } = JobState.Pending;

    public double? StartAt { get; set; }

    public double? EndAt { get; set; }

    public IReadOnlyList<Allocation> Allocations { get; set; } = [];

    /// <summary>Started on no node because the trace's recorded start did not fit the simulated nodes.</summary>
    public bool Overflow { get; set; }

    public string? EndReason { get; set; }

    public SubmitPrediction? Prediction { get; set; }

    /// <summary>Model features at submit.</summary>
    public double PendingRatioAtSubmit { get; set; }

    public int PendingAtSubmit { get; set; }

    public double? WaitSeconds => StartAt - Request.SubmitAt;

    public double RequestedSeconds => Request.RequestedSeconds > 0 ? Request.RequestedSeconds : Request.RuntimeSeconds;
}
