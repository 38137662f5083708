namespace Vgac.Copilot.Client.Http;

/// <summary>
/// The state behind <see cref="CircuitBreakerPolicy"/>: attempts and failures counted in ten buckets spanning the
/// sampling window, closed → open → half-open (one probe) → closed or open again. One lock, taken twice per attempt;
/// nothing allocated per attempt.
/// </summary>
internal sealed class CircuitBreaker
{
    private const int Buckets = 10;

    private readonly CircuitBreakerPolicy _policy;
    private readonly TimeProvider _time;
    private readonly long _bucketTicks;
    private readonly long[] _bucketIndex = new long[Buckets];
    private readonly int[] _attempts = new int[Buckets];
    private readonly int[] _failures = new int[Buckets];
    private readonly Lock _gate = new();
    private State _state;
    private long _openUntil;

    public CircuitBreaker(CircuitBreakerPolicy policy, TimeProvider time)
    {
        _policy = policy;
        _time = time;
        _bucketTicks = Math.Max(1, TimeToTicks(policy.SamplingDuration) / Buckets);
        Array.Fill(_bucketIndex, -1);
    }

    private enum State
    {
        Closed,
        Open,
        HalfOpen,
        Probing,
    }

    /// <summary>Raised when the circuit opens (with how long) and when it closes again.</summary>
    public event Action<TimeSpan?>? Changed;

    /// <summary>
    /// Whether an attempt may be sent now; when it may not, how long the circuit stays open. A true answer must be
    /// followed by <see cref="Record"/> or <see cref="Abandon"/>: while half-open it is the one probe.
    /// </summary>
    public bool TryEnter(out TimeSpan retryAfter)
    {
        var now = _time.GetTimestamp();
        lock (_gate)
        {
            retryAfter = TimeSpan.Zero;
            switch (_state)
            {
                case State.Closed:
                    return true;
                case State.Open when now >= _openUntil:
                case State.HalfOpen:
                    _state = State.Probing;
                    return true;
                case State.Probing:
                    // The probe is out; the others wait for its verdict, as if still open.
                    retryAfter = _policy.BreakDuration;
                    return false;
                default:
                    retryAfter = _time.GetElapsedTime(now, _openUntil);
                    return false;
            }
        }
    }

    /// <summary>The outcome of an attempt <see cref="TryEnter"/> let through.</summary>
    public void Record(bool failed)
    {
        var now = _time.GetTimestamp();
        TimeSpan? opened = null;
        var closed = false;
        lock (_gate)
        {
            if (_state == State.Probing)
            {
                if (failed)
                {
                    opened = Open(now);
                }
                else
                {
                    _state = State.Closed;
                    Array.Fill(_bucketIndex, -1);
                    closed = true;
                }
            }
            else if (_state == State.Closed)
            {
                var index = now / _bucketTicks;
                var slot = (int)(index % Buckets);
                if (_bucketIndex[slot] != index)
                {
                    (_bucketIndex[slot], _attempts[slot], _failures[slot]) = (index, 0, 0);
                }

                _attempts[slot]++;
                if (failed)
                {
                    _failures[slot]++;
                    opened = ShouldOpen(index) ? Open(now) : null;
                }
            }
        }

        if (opened is not null || closed)
        {
            Changed?.Invoke(opened);
        }
    }

    /// <summary>An attempt let through ended with no verdict on the service (the caller cancelled): a probe's turn passes on.</summary>
    public void Abandon()
    {
        lock (_gate)
        {
            if (_state == State.Probing)
            {
                _state = State.HalfOpen;
            }
        }
    }

    private bool ShouldOpen(long index)
    {
        int attempts = 0, failures = 0;
        for (var i = 0; i < Buckets; i++)
        {
            if (_bucketIndex[i] > index - Buckets)
            {
                attempts += _attempts[i];
                failures += _failures[i];
            }
        }

        return attempts >= _policy.MinimumThroughput && failures >= _policy.FailureRatio * attempts;
    }

    private TimeSpan Open(long now)
    {
        _state = State.Open;
        _openUntil = now + TimeToTicks(_policy.BreakDuration);
        Array.Fill(_bucketIndex, -1);
        return _policy.BreakDuration;
    }

    private long TimeToTicks(TimeSpan span) => (long)(span.TotalSeconds * _time.TimestampFrequency);
}
