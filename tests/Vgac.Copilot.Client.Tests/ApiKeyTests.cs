using Vgac.Copilot.Testing;

namespace Vgac.Copilot.Client.Tests;

public sealed class ApiKeyTests
{
    private const string Secret = "vgac-sk-test-1f2e3d4c5b6a";

    [Fact]
    public async Task ApiKey_Default_IsSentAsBearerOnEveryAttempt()
    {
        var ct = TestContext.Current.CancellationToken;
        var calls = 0;
        await using var server = await LoopbackServer.StartAsync(
            _ => Interlocked.Increment(ref calls) == 1 ? new ScriptedResponse(502) : ScriptedResponse.Json("""{"status":"healthy","model_loaded":true}"""), ct);
        await using var harness = ClientHarness.Create(server.BaseAddress, new Dictionary<string, string?> { ["Vgac:ApiKey"] = Secret });

        await harness.Client.GetPredictionHealthAsync(ct);

        Assert.Equal(2, server.Requests.Count);
        Assert.All(server.Requests, r => Assert.Equal($"Bearer {Secret}", r.Headers["Authorization"]));
    }

    [Fact]
    public async Task ApiKey_CustomHeader_IsSentInThatHeader()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var server = await LoopbackServer.StartAsync(_ => ScriptedResponse.Json("""{"status":"healthy","model_loaded":true}"""), ct);
        await using var harness = ClientHarness.Create(server.BaseAddress, new Dictionary<string, string?>
        {
            ["Vgac:ApiKey"] = Secret,
            ["Vgac:ApiKeyHeader"] = "X-API-Key",
        });

        await harness.Client.GetPredictionHealthAsync(ct);

        var request = Assert.Single(server.Requests);
        Assert.Equal(Secret, request.Headers["X-API-Key"]);
        Assert.False(request.Headers.ContainsKey("Authorization"));
    }

    [Fact]
    public async Task ApiKey_NotSet_NoAuthorizationHeader()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var server = await LoopbackServer.StartAsync(_ => ScriptedResponse.Json("""{"status":"healthy","model_loaded":true}"""), ct);
        await using var harness = ClientHarness.Create(server.BaseAddress);

        await harness.Client.GetPredictionHealthAsync(ct);

        Assert.False(Assert.Single(server.Requests).Headers.ContainsKey("Authorization"));
    }

    [Fact]
    public async Task ApiKey_ServerEchoesItInAnError_AbsentFromLogsAndExceptionMessages()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var server = await LoopbackServer.StartAsync(
            r => new ScriptedResponse(401, $$"""{"detail":"invalid key {{r.Headers.GetValueOrDefault("Authorization")}}"}"""), ct);
        await using var harness = ClientHarness.Create(server.BaseAddress, new Dictionary<string, string?> { ["Vgac:ApiKey"] = Secret });

        var ex = await Assert.ThrowsAsync<VgacApiException>(() => harness.Client.GetClusterSummaryAsync(ct));

        Assert.Contains(Secret, server.Requests[0].Headers["Authorization"], StringComparison.Ordinal); // it was on the wire
        Assert.DoesNotContain(Secret, ex.Message, StringComparison.Ordinal);
        Assert.Contains("invalid key Bearer ***", ex.Message, StringComparison.Ordinal);
        var logs = harness.AllLogText();
        Assert.NotEmpty(harness.Logs.GetSnapshot()); // trace-level HttpClient and client logs were captured
        Assert.DoesNotContain(Secret, logs, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(307)]
    [InlineData(302)]
    [InlineData(308)]
    public async Task Redirect_ToAnotherHost_NotFollowed_ErrorNamesWhereItPointed_KeyNeverLeaves(int status)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var elsewhere = await LoopbackServer.StartAsync(_ => ScriptedResponse.Json("""{"status":"healthy","model_loaded":true}"""), ct);
        var target = new Uri(elsewhere.BaseAddress, "/collect?token=abc");
        await using var server = await LoopbackServer.StartAsync(_ => ScriptedResponse.Redirect(target.ToString(), status), ct);
        await using var harness = ClientHarness.Create(server.BaseAddress, new Dictionary<string, string?> { ["Vgac:ApiKey"] = Secret, ["Vgac:ApiKeyHeader"] = "X-Api-Key" });

        var health = await Assert.ThrowsAsync<VgacApiException>(() => harness.Client.GetPredictionHealthAsync(ct));
        var predict = await Assert.ThrowsAsync<VgacApiException>(() => harness.Predictions.PredictWaitAsync(new Contracts.JobSpec { Gpus = 1 }, ct));

        Assert.Empty(elsewhere.Requests);
        foreach (var error in new[] { health, predict })
        {
            Assert.Contains($"a redirect to http://127.0.0.1:{elsewhere.BaseAddress.Port}/collect", error.Message, StringComparison.Ordinal);
            Assert.DoesNotContain("token=abc", error.Message, StringComparison.Ordinal);
            Assert.DoesNotContain(Secret, error.Message, StringComparison.Ordinal);
        }
    }
}
