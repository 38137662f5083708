namespace Vgac.Copilot.Client.Http;

/// <summary>
/// The VGAC client's <see cref="ResiliencePolicy"/>, from <see cref="VgacClientOptions"/>: the call's budget around
/// jittered exponential retries (idempotent calls only, on 5xx, 408, 429, timed-out attempts and connection errors),
/// a circuit breaker, and a per-attempt timeout.
/// </summary>
internal static class VgacResilience
{
    public static ResiliencePolicy Policy(VgacClientOptions options) => new()
    {
        Name = "vgac",
        Timeout = options.Timeout,
        AttemptTimeout = options.AttemptTimeout,
        MaxRetries = options.MaxRetries,
        RetryBaseDelay = TimeSpan.FromSeconds(options.RetryBaseDelaySeconds),
        MayRetry = IsIdempotent,
        Breaker = !options.CircuitBreaker ? null : new CircuitBreakerPolicy(
            options.CircuitBreakerFailureRatio,
            options.CircuitBreakerMinimumThroughput,
            SamplingDuration: TimeSpan.FromSeconds(Math.Max(30, 2 * options.AttemptTimeout.TotalSeconds)),
            BreakDuration: TimeSpan.FromSeconds(options.CircuitBreakerBreakSeconds)),
    };

    /// <summary>GETs, and POSTs to prediction endpoints (pure computations), may be retried; nothing else is.</summary>
    internal static bool IsIdempotent(HttpRequestMessage? request)
    {
        if (request is null)
        {
            return false;
        }

        if (request.Method == HttpMethod.Get || request.Method == HttpMethod.Head)
        {
            return true;
        }

        var path = request.RequestUri?.AbsolutePath ?? string.Empty;
        return VgacEndpoints.All.Any(e => e.IsIdempotent && e.Method == request.Method.Method && path.EndsWith(e.Route, StringComparison.Ordinal));
    }
}
