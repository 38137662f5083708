namespace Vgac.Copilot.Client.Http;

/// <summary>
/// What a <see cref="ResilienceHandler"/> may do for one HTTP client: a budget for the whole call, a timeout per
/// attempt, retries with jittered exponential backoff for the requests <see cref="MayRetry"/> allows, and optionally a
/// circuit breaker. Attempts are retried on 5xx, 408 and 429, on a timed-out attempt and on a transport error.
/// </summary>
public sealed record ResiliencePolicy
{
    /// <summary>The client's name in logs and metrics (<c>vgac</c>, <c>webhook</c>).</summary>
    public required string Name { get; init; }

    /// <summary>The whole call, retries and their delays included.</summary>
    public required TimeSpan Timeout { get; init; }

    /// <summary>One attempt; an attempt that runs out is retried if the call may be.</summary>
    public required TimeSpan AttemptTimeout { get; init; }

    /// <summary>Attempts after the first.</summary>
    public int MaxRetries { get; init; }

    /// <summary>Retry n (from 0) waits between half and the whole of <c>RetryBaseDelay × 2ⁿ</c>, or what the server's
    /// <c>Retry-After</c> asks when that fits the budget.</summary>
    public TimeSpan RetryBaseDelay { get; init; } = TimeSpan.FromSeconds(0.2);

    /// <summary>Whether a request may be sent again (idempotent calls only, say).</summary>
    public Func<HttpRequestMessage, bool> MayRetry { get; init; } = static _ => true;

    /// <summary>Stops calling a service that keeps failing; null for none.</summary>
    public CircuitBreakerPolicy? Breaker { get; init; }
}

/// <summary>
/// The circuit opens when, over the last <see cref="SamplingDuration"/>, at least <see cref="MinimumThroughput"/>
/// attempts were made and at least <see cref="FailureRatio"/> of them failed (the failures a retry would handle). It
/// then refuses every attempt for <see cref="BreakDuration"/>, lets one probe through, and closes if the probe succeeds.
/// </summary>
public sealed record CircuitBreakerPolicy(double FailureRatio, int MinimumThroughput, TimeSpan SamplingDuration, TimeSpan BreakDuration);

/// <summary>The call's whole budget (<see cref="ResiliencePolicy.Timeout"/>) ran out.</summary>
public sealed class ResilienceTimeoutException(TimeSpan budget, Exception? inner = null)
    : TimeoutException($"no answer within {budget.TotalSeconds:0.###} s", inner)
{
    public TimeSpan Budget { get; } = budget;
}

/// <summary>The circuit is open: the attempt was not sent.</summary>
public sealed class CircuitOpenException(TimeSpan retryAfter)
    : Exception($"too many recent failures; calls are paused for another {Math.Max(retryAfter.TotalSeconds, 0):0.#} s")
{
    /// <summary>How long the circuit stays open.</summary>
    public TimeSpan RetryAfter { get; } = retryAfter;
}
