using System.Net;
using Microsoft.Extensions.Logging;
using Polly;
using Polly.CircuitBreaker;
using Polly.Retry;
using Polly.Timeout;

namespace Vgac.Copilot.Client.Http;

/// <summary>
/// One handler for a <see cref="ResiliencePolicy"/>, on a Polly pipeline: retries with jittered exponential backoff
/// (or the server's <c>Retry-After</c>) outside, the circuit breaker around each attempt, and each attempt's timeout
/// inside. The call's budget bounds everything: an attempt never gets more time than is left, and a retry whose delay
/// would not fit is not made (the caller gets the last failure, which says more than a timeout).
/// </summary>
/// <remarks>
/// A caller's cancellation is passed on as is. A timed-out attempt or transport error that is not retried is thrown as
/// it came (an attempt's timeout as a <see cref="TimeoutException"/>); the budget running out as a
/// <see cref="ResilienceTimeoutException"/>; an open circuit as a <see cref="CircuitOpenException"/>: Polly's own
/// exception types stay inside this handler.
/// </remarks>
public sealed partial class ResilienceHandler : DelegatingHandler
{
    private static readonly ResiliencePropertyKey<HttpRequestMessage> Request = new("vgac.request");
    private static readonly ResiliencePropertyKey<long> Started = new("vgac.started");
    private static readonly ResiliencePropertyKey<TimeSpan> NextDelay = new("vgac.next-delay");

    private readonly ResiliencePolicy _policy;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly ResiliencePipeline<HttpResponseMessage> _pipeline;

    public ResilienceHandler(ResiliencePolicy policy, TimeProvider time, ILogger logger)
    {
        _policy = policy;
        _time = time;
        _logger = logger;
        _pipeline = Build();
    }

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var context = ResilienceContextPool.Shared.Get(cancellationToken);
        context.Properties.Set(Request, request);
        context.Properties.Set(Started, _time.GetTimestamp());
        try
        {
            var outcome = await _pipeline.ExecuteOutcomeAsync(
                static async (ctx, state) =>
                {
                    var (handler, message) = state;
                    if (handler.Left(ctx) <= TimeSpan.Zero)
                    {
                        return Outcome.FromException<HttpResponseMessage>(new ResilienceTimeoutException(handler._policy.Timeout));
                    }

                    try
                    {
                        return Outcome.FromResult(await handler.SendOnceAsync(message, ctx.CancellationToken).ConfigureAwait(ctx.ContinueOnCapturedContext));
                    }
                    catch (Exception ex)
                    {
                        return Outcome.FromException<HttpResponseMessage>(ex);
                    }
                },
                context,
                (this, request)).ConfigureAwait(false);
            if (outcome.Exception is { } failure)
            {
                var translated = Translate(failure, cancellationToken);
                if (ReferenceEquals(translated, failure))
                {
                    System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(failure);
                }

                throw translated;
            }

            return outcome.Result!;
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }
    }

    private Task<HttpResponseMessage> SendOnceAsync(HttpRequestMessage request, CancellationToken cancellationToken) => base.SendAsync(request, cancellationToken);

    /// <summary>The pipeline: retry (when the policy allows any) → breaker (when it has one) → the attempt's timeout.</summary>
    private ResiliencePipeline<HttpResponseMessage> Build()
    {
        var builder = new ResiliencePipelineBuilder<HttpResponseMessage> { Name = _policy.Name, TimeProvider = _time };
        if (_policy.MaxRetries > 0)
        {
            builder.AddRetry(new RetryStrategyOptions<HttpResponseMessage>
            {
                MaxRetryAttempts = _policy.MaxRetries,
                ShouldHandle = args => new ValueTask<bool>(ShouldRetry(args.Outcome, args.AttemptNumber, args.Context)),
                DelayGenerator = args => new ValueTask<TimeSpan?>(args.Context.Properties.GetValue(NextDelay, TimeSpan.Zero)),
                OnRetry = args =>
                {
                    // The URL is not logged: a webhook's carries its secret.
                    var method = args.Context.Properties.GetValue(Request, null!)?.Method.Method ?? "?";
                    LogRetrying(_policy.Name, method, args.AttemptNumber + 1, Describe(args.Outcome), args.RetryDelay.TotalMilliseconds);
                    CopilotTelemetry.Retries.Add(1, new KeyValuePair<string, object?>("client", _policy.Name));
                    return ValueTask.CompletedTask;
                },
            });
        }

        if (_policy.Breaker is { } breaker)
        {
            builder.AddCircuitBreaker(new CircuitBreakerStrategyOptions<HttpResponseMessage>
            {
                FailureRatio = breaker.FailureRatio,
                MinimumThroughput = breaker.MinimumThroughput,
                SamplingDuration = breaker.SamplingDuration,
                BreakDuration = breaker.BreakDuration,
                ShouldHandle = args => new ValueTask<bool>(IsFailure(args.Outcome)),
                OnOpened = args =>
                {
                    LogCircuitOpened(_policy.Name, args.BreakDuration.TotalSeconds);
                    return ValueTask.CompletedTask;
                },
                OnClosed = _ =>
                {
                    LogCircuitClosed(_policy.Name);
                    return ValueTask.CompletedTask;
                },
            });
        }

        // Each attempt gets its own timeout or what is left of the budget, whichever ends first.
        builder.AddTimeout(new TimeoutStrategyOptions
        {
            TimeoutGenerator = args => new ValueTask<TimeSpan>(Min(_policy.AttemptTimeout, Left(args.Context))),
        });
        return builder.Build();
    }

    /// <summary>
    /// Whether to try again: a failure a retry handles, on a request that may be sent again, with a delay that fits
    /// what is left of the budget (worked out here and kept for the delay generator).
    /// </summary>
    private bool ShouldRetry(Outcome<HttpResponseMessage> outcome, int attempt, ResilienceContext context)
    {
        if (!IsFailure(outcome) || outcome.Exception is ResilienceTimeoutException or BrokenCircuitException
            || outcome.Exception is TimeoutRejectedException rejected && rejected.Timeout < _policy.AttemptTimeout
            || !_policy.MayRetry(context.Properties.GetValue(Request, null!)))
        {
            return false;
        }

        var wait = Delay(attempt, outcome.Result);
        if (wait >= Left(context))
        {
            return false;
        }

        context.Properties.Set(NextDelay, wait);
        return true;
    }

    /// <summary>5xx, 408, 429, a timed-out attempt and a transport error: what a retry handles and the breaker counts.</summary>
    private static bool IsFailure(Outcome<HttpResponseMessage> outcome) => outcome.Exception switch
    {
        null => outcome.Result is { } response && IsTransient(response.StatusCode),
        HttpRequestException or TimeoutRejectedException => true,
        _ => false,
    };

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

    private TimeSpan Left(ResilienceContext context) => _policy.Timeout - _time.GetElapsedTime(context.Properties.GetValue(Started, 0L));

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;

    /// <summary>Polly's exceptions as this handler's contract names them; anything else as it came.</summary>
    private Exception Translate(Exception failure, CancellationToken cancellationToken) => failure switch
    {
        BrokenCircuitException broken => new CircuitOpenException(broken.RetryAfter ?? _policy.Breaker?.BreakDuration ?? TimeSpan.Zero),
        TimeoutRejectedException budget when budget.Timeout < _policy.AttemptTimeout => new ResilienceTimeoutException(_policy.Timeout, budget),
        TimeoutRejectedException attempt when !cancellationToken.IsCancellationRequested =>
            new TimeoutException($"an attempt got no answer within {_policy.AttemptTimeout.TotalSeconds:0.###} s", attempt),
        _ => failure,
    };

    private static string Describe(Outcome<HttpResponseMessage> outcome) => outcome switch
    {
        { Exception: TimeoutRejectedException } => "attempt timed out",
        { Exception: HttpRequestException { HttpRequestError: var error } } => $"transport error ({error})",
        { Result: { } response } => $"HTTP {(int)response.StatusCode}",
        _ => "failed",
    };

    [LoggerMessage(Level = LogLevel.Debug, Message = "{Client} {Method}: attempt {Attempt} failed ({Failure}); retrying in {DelayMs:F0} ms")]
    private partial void LogRetrying(string client, string method, int attempt, string failure, double delayMs);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Client}: circuit opened after repeated failures; calls are paused for {Seconds:0.#} s")]
    private partial void LogCircuitOpened(string client, double seconds);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Client}: circuit closed, the probe call succeeded")]
    private partial void LogCircuitClosed(string client);
}
