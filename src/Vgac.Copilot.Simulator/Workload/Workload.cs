using Vgac.Copilot.Simulator.Engine;

namespace Vgac.Copilot.Simulator.Workload;

/// <summary>
/// A stream of jobs ordered by submit time, read lazily (a trace of half a million jobs is never held in
/// memory), with the nodes it should run on.
/// </summary>
internal sealed class Workload : IDisposable
{
    private readonly IEnumerator<JobRequest> _jobs;
    private bool _hasNext;

    public Workload(string description, IEnumerable<JobRequest> jobs, List<SimNode> nodes, bool recordedTiming = false)
    {
        Description = description;
        Nodes = nodes;
        RecordedTiming = recordedTiming;
        _jobs = jobs.GetEnumerator();
        _hasNext = _jobs.MoveNext();
    }

    public string Description { get; }

    public List<SimNode> Nodes { get; }

    /// <summary>Jobs start when the trace says they did, not when the simulated scheduler would start them.</summary>
    public bool RecordedTiming { get; }

    /// <summary>Submit time of the next job, or +∞ when the stream is over.</summary>
    public double NextSubmitAt => _hasNext ? _jobs.Current.SubmitAt - _offset : double.PositiveInfinity;

    private double _offset;

    /// <summary>
    /// Starts the replay <paramref name="seconds"/> into the trace: jobs submitted before are left out, and simulated
    /// time 0 is that moment (a long trace whose busy part comes late is replayed from there).
    /// </summary>
    public int SkipUntil(double seconds)
    {
        var skipped = 0;
        while (_hasNext && _jobs.Current.SubmitAt < seconds)
        {
            _hasNext = _jobs.MoveNext();
            skipped++;
        }

        _offset = seconds;
        return skipped;
    }

    public JobRequest Take()
    {
        if (!_hasNext)
        {
            throw new InvalidOperationException("The workload has no more jobs.");
        }

        var job = _offset == 0 ? _jobs.Current : _jobs.Current with { SubmitAt = _jobs.Current.SubmitAt - _offset };
        _hasNext = _jobs.MoveNext();
        if (_hasNext && _jobs.Current.SubmitAt - _offset < job.SubmitAt)
        {
            throw new TraceFormatException(Description, 0, "submit time", $"jobs are not in submit order ({_jobs.Current.Id} before {job.Id})");
        }

        return job;
    }

    public void Dispose() => _jobs.Dispose();
}

/// <summary>A trace file that cannot be read; names the file, line and column.</summary>
public sealed class TraceFormatException(string file, long line, string column, string problem)
    : Exception(line > 0 ? $"{file}: line {line}, column '{column}': {problem}" : $"{file}: {problem}")
{
    public string File { get; } = file;

    public long Line { get; } = line;

    public string Column { get; } = column;
}
