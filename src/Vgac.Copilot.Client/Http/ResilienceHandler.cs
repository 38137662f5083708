using System.Net;
using System.Runtime.ExceptionServices;
using Microsoft.Extensions.Logging;

namespace Vgac.Copilot.Client.Http;

/// <summary>
/// One handler for a <see cref="ResiliencePolicy"/>: the call's budget, a timeout per attempt, retries with jittered
/// exponential backoff (or the server's <c>Retry-After</c>), and the circuit breaker. Written out rather than composed
/// from a general pipeline: a prediction on loopback takes ~0.2 ms, and the general one added several percent of it
/// per call and ~15 ms to a native process's start (its options are validated by reflection).
/// </summary>
/// <remarks>
/// The budget bounds everything: an attempt never gets more time than is left, and a retry whose delay would not fit
/// is not made (the caller gets the last failure, which says more than a timeout). A caller's cancellation is passed on
/// as is. A timed-out attempt or transport error that is not retried is thrown as it came (an attempt's timeout as a
/// <see cref="TimeoutException"/>); the budget running out as a <see cref="ResilienceTimeoutException"/>; an open
/// circuit as a <see cref="CircuitOpenException"/>.
/// </remarks>
public sealed partial class ResilienceHandler : DelegatingHandler
{
    private readonly ResiliencePolicy _policy;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly CircuitBreaker? _breaker;

    public ResilienceHandler(ResiliencePolicy policy, TimeProvider time, ILogger logger)
    {
        _policy = policy;
        _time = time;
        _logger = logger;
        if (policy.Breaker is { } breaker)
        {
            _breaker = new CircuitBreaker(breaker, time);
            _breaker.Changed += open =>
            {
                if (open is { } pause)
                {
                    LogCircuitOpened(policy.Name, pause.TotalSeconds);
                }
                else
                {
                    LogCircuitClosed(policy.Name);
                }
            };
        }
    }

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var started = _time.GetTimestamp();
        for (var attempt = 0; ; attempt++)
        {
            var left = _policy.Timeout - _time.GetElapsedTime(started);
            if (left <= TimeSpan.Zero)
            {
                throw new ResilienceTimeoutException(_policy.Timeout);
            }

            if (_breaker is not null && !_breaker.TryEnter(out var paused))
            {
                throw new CircuitOpenException(paused);
            }

            // The attempt gets its own timeout or what is left of the budget, whichever ends first.
            var lastChance = left <= _policy.AttemptTimeout;
            HttpResponseMessage? response = null;
            Exception? failure = null;
            using (var attemptTimeout = new CancellationTokenSource(lastChance ? left : _policy.AttemptTimeout, _time))
            using (cancellationToken.UnsafeRegister(static cts => ((CancellationTokenSource)cts!).Cancel(), attemptTimeout))
            {
                try
                {
                    response = await base.SendAsync(request, attemptTimeout.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
                {
                    _breaker?.Abandon();
                    throw;
                }
                catch (OperationCanceledException ex) when (attemptTimeout.IsCancellationRequested)
                {
                    failure = lastChance
                        ? new ResilienceTimeoutException(_policy.Timeout, ex)
                        : new TimeoutException($"an attempt got no answer within {_policy.AttemptTimeout.TotalSeconds:0.###} s", ex);
                }
                catch (HttpRequestException ex)
                {
                    failure = ex;
                }
                catch
                {
                    _breaker?.Abandon();
                    throw;
                }
            }

            var failed = failure is not null || IsTransient(response!.StatusCode);
            _breaker?.Record(failed);
            if (!failed)
            {
                return response!;
            }

            var wait = failure is ResilienceTimeoutException || attempt >= _policy.MaxRetries || !_policy.MayRetry(request) ? (TimeSpan?)null : Delay(attempt, response);
            if (wait is null || wait >= _policy.Timeout - _time.GetElapsedTime(started))
            {
                // No retry, or none that fits the budget: the last outcome is the answer.
                if (response is not null)
                {
                    return response;
                }

                ExceptionDispatchInfo.Throw(failure!);
            }

            // The URL is not logged: a webhook's carries its secret.
            LogRetrying(_policy.Name, request.Method.Method, attempt + 1, response is null ? Describe(failure!) : $"HTTP {(int)response.StatusCode}", wait.Value.TotalMilliseconds);
            response?.Dispose();
            CopilotTelemetry.Retries.Add(1, new KeyValuePair<string, object?>("client", _policy.Name));
            await Task.Delay(wait.Value, _time, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>5xx, 408 Request Timeout and 429 Too Many Requests: worth another attempt.</summary>
    internal static bool IsTransient(HttpStatusCode status) =>
        (int)status >= 500 || status is HttpStatusCode.RequestTimeout or HttpStatusCode.TooManyRequests;

    /// <summary>The server's <c>Retry-After</c> when it sent one, else half to all of base × 2ⁿ.</summary>
    private TimeSpan Delay(int attempt, HttpResponseMessage? response)
    {
        if (response?.Headers.RetryAfter is { } after)
        {
            var asked = after.Delta ?? (after.Date is { } date ? date - _time.GetUtcNow() : TimeSpan.Zero);
            if (asked > TimeSpan.Zero)
            {
                return asked;
            }
        }

        var full = _policy.RetryBaseDelay * Math.Pow(2, attempt);
        return full * (0.5 + Random.Shared.NextDouble() / 2);
    }

    private static string Describe(Exception failure) => failure switch
    {
        TimeoutException => "attempt timed out",
        HttpRequestException { HttpRequestError: var error } => $"transport error ({error})",
        _ => "failed",
    };

    [LoggerMessage(Level = LogLevel.Debug, Message = "{Client} {Method}: attempt {Attempt} failed ({Failure}); retrying in {DelayMs:F0} ms")]
    private partial void LogRetrying(string client, string method, int attempt, string failure, double delayMs);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Client}: circuit opened after repeated failures; calls are paused for {Seconds:0.#} s")]
    private partial void LogCircuitOpened(string client, double seconds);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Client}: circuit closed, the probe call succeeded")]
    private partial void LogCircuitClosed(string client);
}
