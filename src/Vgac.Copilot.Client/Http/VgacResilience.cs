using Microsoft.Extensions.Http.Resilience;
using Polly;

namespace Vgac.Copilot.Client.Http;

/// <summary>
/// The Polly pipeline of the standard resilience handler, tuned from <see cref="VgacClientOptions"/>:
/// total and per-attempt timeouts, jittered exponential retries for idempotent calls only, a circuit breaker.
/// </summary>
internal static class VgacResilience
{
    public static void Configure(HttpStandardResilienceOptions resilience, VgacClientOptions options)
    {
        resilience.TotalRequestTimeout.Timeout = options.Timeout;
        resilience.AttemptTimeout.Timeout = options.AttemptTimeout;

        resilience.Retry.MaxRetryAttempts = Math.Max(options.MaxRetries, 0);
        resilience.Retry.BackoffType = DelayBackoffType.Exponential;
        resilience.Retry.UseJitter = true;
        resilience.Retry.Delay = TimeSpan.FromSeconds(options.RetryBaseDelaySeconds);
        resilience.Retry.ShouldHandle = args => ValueTask.FromResult(
            IsIdempotent(args.Context.GetRequestMessage()) && HttpClientResiliencePredicates.IsTransient(args.Outcome));
        if (options.MaxRetries == 0)
        {
            // Polly refuses zero attempts; a retry that never matches is the same thing.
            resilience.Retry.MaxRetryAttempts = 1;
            resilience.Retry.ShouldHandle = _ => ValueTask.FromResult(false);
        }

        resilience.CircuitBreaker.FailureRatio = options.CircuitBreakerFailureRatio;
        resilience.CircuitBreaker.MinimumThroughput = options.CircuitBreakerMinimumThroughput;
        resilience.CircuitBreaker.BreakDuration = TimeSpan.FromSeconds(options.CircuitBreakerBreakSeconds);
        // Polly requires the sampling window to be at least twice the attempt timeout.
        resilience.CircuitBreaker.SamplingDuration = TimeSpan.FromSeconds(Math.Max(30, 2 * options.AttemptTimeout.TotalSeconds));
    }

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
