using Microsoft.Extensions.Http.Resilience;
using Polly;

namespace Vgac.Copilot.Client.Http;

/// <summary>
/// The Polly pipeline of the VGAC client, tuned from <see cref="VgacClientOptions"/>: a total timeout around
/// jittered exponential retries (idempotent calls only, on 5xx, 408, 429, timeouts and connection errors), a
/// circuit breaker, and a per-attempt timeout. It is the standard resilience handler's pipeline minus its
/// concurrency limiter, which a client of one service does not need and which cost a measurable share of a
/// loopback prediction.
/// </summary>
internal static class VgacResilience
{
    public static void Configure(ResiliencePipelineBuilder<HttpResponseMessage> pipeline, VgacClientOptions options)
    {
        pipeline.AddTimeout(new HttpTimeoutStrategyOptions { Name = "total", Timeout = options.Timeout });

        if (options.MaxRetries > 0)
        {
            pipeline.AddRetry(new HttpRetryStrategyOptions
            {
                Name = "retry",
                MaxRetryAttempts = options.MaxRetries,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = TimeSpan.FromSeconds(options.RetryBaseDelaySeconds),
                ShouldHandle = args => ValueTask.FromResult(
                    IsIdempotent(args.Context.GetRequestMessage()) && HttpClientResiliencePredicates.IsTransient(args.Outcome)),
            });
        }

        pipeline.AddCircuitBreaker(new HttpCircuitBreakerStrategyOptions
        {
            Name = "circuit-breaker",
            FailureRatio = options.CircuitBreakerFailureRatio,
            MinimumThroughput = options.CircuitBreakerMinimumThroughput,
            BreakDuration = TimeSpan.FromSeconds(options.CircuitBreakerBreakSeconds),
            SamplingDuration = TimeSpan.FromSeconds(Math.Max(30, 2 * options.AttemptTimeout.TotalSeconds)),
        });

        pipeline.AddTimeout(new HttpTimeoutStrategyOptions { Name = "attempt", Timeout = options.AttemptTimeout });
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
