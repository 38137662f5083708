using System.Net;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Vgac.Copilot.Client.Http;

namespace Vgac.Copilot.Client.Tests;

/// <summary>
/// The resilience handler's timing rules, on a fake clock: the circuit's break and probe, the server's Retry-After, an
/// attempt's timeout. (Retries, budgets and the circuit over real loopback HTTP are in <see cref="ClientFaultTests"/>.)
/// </summary>
public sealed class ResilienceHandlerTests
{
    private static readonly Uri Url = new("http://vgac.test/api/cluster/nodes");

    private readonly FakeTimeProvider _time = new();

    [Fact]
    public async Task Breaker_FailuresReachTheRatio_RejectsWithoutCallingTheService()
    {
        var inner = new ScriptedHandler(_ => Status(HttpStatusCode.InternalServerError));
        using var client = Client(inner, Breaking());

        await SendAsync(client);
        await SendAsync(client);
        var open = await Assert.ThrowsAsync<CircuitOpenException>(() => SendAsync(client));

        Assert.Equal(2, inner.Calls);
        Assert.Equal(TimeSpan.FromSeconds(10), open.RetryAfter);
    }

    [Fact]
    public async Task Breaker_AfterTheBreak_OneProbeSucceedsAndTheCircuitCloses()
    {
        var failing = true;
        var inner = new ScriptedHandler(_ => Status(failing ? HttpStatusCode.InternalServerError : HttpStatusCode.OK));
        using var client = Client(inner, Breaking());
        await SendAsync(client);
        await SendAsync(client);

        _time.Advance(TimeSpan.FromSeconds(4));
        var stillOpen = await Assert.ThrowsAsync<CircuitOpenException>(() => SendAsync(client));
        Assert.Equal(TimeSpan.FromSeconds(6), stillOpen.RetryAfter);

        _time.Advance(TimeSpan.FromSeconds(6));
        failing = false;
        using (var probe = await SendAsync(client))
        {
            Assert.Equal(HttpStatusCode.OK, probe.StatusCode);
        }

        using var after = await SendAsync(client);
        Assert.Equal(HttpStatusCode.OK, after.StatusCode);
        Assert.Equal(4, inner.Calls);
    }

    [Fact]
    public async Task Breaker_ProbeFails_OpensForAnotherBreak()
    {
        var inner = new ScriptedHandler(_ => Status(HttpStatusCode.BadGateway));
        using var client = Client(inner, Breaking());
        await SendAsync(client);
        await SendAsync(client);
        _time.Advance(TimeSpan.FromSeconds(10));

        using (var probe = await SendAsync(client))
        {
            Assert.Equal(HttpStatusCode.BadGateway, probe.StatusCode);
        }

        var open = await Assert.ThrowsAsync<CircuitOpenException>(() => SendAsync(client));
        Assert.Equal(3, inner.Calls);
        Assert.Equal(TimeSpan.FromSeconds(10), open.RetryAfter);
    }

    [Fact]
    public async Task Breaker_WhileTheProbeIsOut_OthersAreRejected()
    {
        var release = new TaskCompletionSource<HttpResponseMessage>(TaskCreationOptions.RunContinuationsAsynchronously);
        var calls = 0;
        var inner = new ScriptedHandler(_ => ++calls <= 2 ? Task.FromResult(new HttpResponseMessage(HttpStatusCode.InternalServerError)) : release.Task);
        using var client = Client(inner, Breaking());
        await SendAsync(client);
        await SendAsync(client);
        _time.Advance(TimeSpan.FromSeconds(10));

        var probe = SendAsync(client);
        await Assert.ThrowsAsync<CircuitOpenException>(() => SendAsync(client));
        release.SetResult(new HttpResponseMessage(HttpStatusCode.OK));
        using var answered = await probe;

        Assert.Equal(HttpStatusCode.OK, answered.StatusCode);
        Assert.Equal(3, calls);
    }

    [Fact]
    public async Task Breaker_ProbeCancelledByItsCaller_NextCallerProbes()
    {
        var calls = 0;
        var inner = new ScriptedHandler((ct) => ++calls <= 2
            ? Task.FromResult(new HttpResponseMessage(HttpStatusCode.InternalServerError))
            : calls == 3 ? Task.Delay(Timeout.Infinite, ct).ContinueWith(_ => new HttpResponseMessage(), ct) : Task.FromResult(new HttpResponseMessage(HttpStatusCode.OK)));
        using var client = Client(inner, Breaking());
        await SendAsync(client);
        await SendAsync(client);
        _time.Advance(TimeSpan.FromSeconds(10));

        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        var abandoned = SendAsync(client, cancel.Token);
        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => abandoned);

        using var next = await SendAsync(client);
        Assert.Equal(HttpStatusCode.OK, next.StatusCode);
    }

    [Fact]
    public async Task Retry_ServerSendsRetryAfter_WaitsWhatItAsks()
    {
        var calls = 0;
        var inner = new ScriptedHandler(_ => Interlocked.Increment(ref calls) == 1 ? Status(HttpStatusCode.ServiceUnavailable, retryAfter: 3) : Status(HttpStatusCode.OK));
        using var client = Client(inner, Retrying());

        var call = SendAsync(client);
        _time.Advance(TimeSpan.FromSeconds(2.9));
        Assert.False(call.IsCompleted);
        Assert.Equal(1, calls);
        _time.Advance(TimeSpan.FromSeconds(0.1));
        using var response = await call;

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(2, calls);
    }

    [Fact]
    public async Task Retry_RetryAfterBeyondTheBudget_AnswersWithTheServersResponseAtOnce()
    {
        var inner = new ScriptedHandler(_ => Status(HttpStatusCode.TooManyRequests, retryAfter: 60));
        using var client = Client(inner, Retrying());

        using var response = await SendAsync(client);

        Assert.Equal(HttpStatusCode.TooManyRequests, response.StatusCode);
        Assert.Equal(1, inner.Calls);
    }

    [Fact]
    public async Task Retry_BackoffGrowsExponentiallyWithinItsJitter()
    {
        var inner = new ScriptedHandler(_ => Status(HttpStatusCode.InternalServerError));
        using var client = Client(inner, Retrying() with { MaxRetries = 3, RetryBaseDelay = TimeSpan.FromSeconds(1) });

        var call = SendAsync(client);
        // Retry n waits between half and all of 1 s × 2ⁿ: 0.5-1, 1-2, 2-4 s.
        _time.Advance(TimeSpan.FromSeconds(0.49));
        Assert.Equal(1, inner.Calls);
        _time.Advance(TimeSpan.FromSeconds(0.51));
        Assert.Equal(2, inner.Calls);
        _time.Advance(TimeSpan.FromSeconds(0.99));
        Assert.Equal(2, inner.Calls);
        _time.Advance(TimeSpan.FromSeconds(1.01));
        Assert.Equal(3, inner.Calls);
        _time.Advance(TimeSpan.FromSeconds(4));
        using var response = await call;

        Assert.Equal(4, inner.Calls);
        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
    }

    [Fact]
    public async Task Attempt_TimesOut_IsRetriedAndTheNextAttemptAnswers()
    {
        var calls = 0;
        var inner = new ScriptedHandler(ct => Interlocked.Increment(ref calls) == 1
            ? Task.Delay(Timeout.Infinite, ct).ContinueWith(_ => new HttpResponseMessage(), ct)
            : Status(HttpStatusCode.OK));
        using var client = Client(inner, Retrying() with { RetryBaseDelay = TimeSpan.Zero });

        var call = SendAsync(client);
        _time.Advance(TimeSpan.FromSeconds(2));
        using var response = await call;

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(2, calls);
    }

    [Fact]
    public async Task Attempt_NotRetryable_TimesOutAsATimeout()
    {
        var inner = new ScriptedHandler(ct => Task.Delay(Timeout.Infinite, ct).ContinueWith(_ => new HttpResponseMessage(), ct));
        using var client = Client(inner, Retrying() with { MayRetry = _ => false });

        var call = SendAsync(client);
        _time.Advance(TimeSpan.FromSeconds(2));

        var ex = await Assert.ThrowsAsync<TimeoutException>(() => call);
        Assert.Contains("2 s", ex.Message, StringComparison.Ordinal);
        Assert.Equal(1, inner.Calls);
    }

    [Fact]
    public async Task Budget_RunsOutDuringAnAttempt_ThrowsTheBudgetTimeout()
    {
        var inner = new ScriptedHandler(ct => Task.Delay(Timeout.Infinite, ct).ContinueWith(_ => new HttpResponseMessage(), ct));
        using var client = Client(inner, Retrying() with { Timeout = TimeSpan.FromSeconds(3), RetryBaseDelay = TimeSpan.Zero });

        var call = SendAsync(client);
        _time.Advance(TimeSpan.FromSeconds(2)); // the first attempt's own timeout: retried with 1 s left
        _time.Advance(TimeSpan.FromSeconds(1)); // the budget

        var ex = await Assert.ThrowsAsync<ResilienceTimeoutException>(() => call);
        Assert.Equal(TimeSpan.FromSeconds(3), ex.Budget);
        Assert.Equal(2, inner.Calls);
    }

    private static ResiliencePolicy Retrying() => new()
    {
        Name = "test",
        Timeout = TimeSpan.FromSeconds(10),
        AttemptTimeout = TimeSpan.FromSeconds(2),
        MaxRetries = 2,
    };

    private static ResiliencePolicy Breaking() => Retrying() with
    {
        MaxRetries = 0,
        Breaker = new CircuitBreakerPolicy(0.5, 2, TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(10)),
    };

    private HttpMessageInvoker Client(ScriptedHandler inner, ResiliencePolicy policy) =>
        new(new ResilienceHandler(policy, _time, NullLogger.Instance) { InnerHandler = inner });

    /// <summary>One call; one that is still waiting after 10 s of real time (a fake-clock wait nobody advances) fails.</summary>
    private static Task<HttpResponseMessage> SendAsync(HttpMessageInvoker client, CancellationToken? cancellationToken = null) =>
        client.SendAsync(new HttpRequestMessage(HttpMethod.Get, Url), cancellationToken ?? TestContext.Current.CancellationToken)
            .WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);

    private static Task<HttpResponseMessage> Status(HttpStatusCode status, int? retryAfter = null)
    {
        var response = new HttpResponseMessage(status);
        if (retryAfter is { } seconds)
        {
            response.Headers.RetryAfter = new System.Net.Http.Headers.RetryConditionHeaderValue(TimeSpan.FromSeconds(seconds));
        }

        return Task.FromResult(response);
    }

    /// <summary>The service behind the handler: answers each attempt with what the script says.</summary>
    private sealed class ScriptedHandler(Func<CancellationToken, Task<HttpResponseMessage>> answer) : HttpMessageHandler
    {
        private int _calls;

        public int Calls => _calls;

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _calls);
            return answer(cancellationToken);
        }
    }
}
