using System.Diagnostics;
using System.Net;
using Vgac.Copilot.Testing;

namespace Vgac.Copilot.Client.Tests;

public sealed class ClientFaultTests
{
    private const string Summary = """
        {"cluster_id":"c","scheduler_type":"kubernetes","total_nodes":1,"ready_nodes":1,"total_gpus":8,"available_gpus":2,
         "gpu_utilization":0.75,"pending_jobs":3,"running_jobs":2,"queue_depth":3}
        """;

    [Fact]
    public async Task Get_ServerErrorThenSuccess_IsRetriedAndSucceeds()
    {
        var ct = TestContext.Current.CancellationToken;
        var calls = 0;
        await using var server = await LoopbackServer.StartAsync(
            _ => Interlocked.Increment(ref calls) == 1 ? new ScriptedResponse(500, """{"detail":"boom"}""") : ScriptedResponse.Json(Summary), ct);
        await using var harness = ClientHarness.Create(server.BaseAddress);

        var summary = await harness.Client.GetClusterSummaryAsync(ct);

        Assert.Equal(8, summary.TotalGpus);
        Assert.Equal(2, server.Requests.Count);
    }

    [Fact]
    public async Task Get_ServerErrorForever_FailsAfterConfiguredAttemptsWithStatusAndEndpoint()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var server = await LoopbackServer.StartAsync(_ => new ScriptedResponse(503, """{"detail":"model reloading"}"""), ct);
        await using var harness = ClientHarness.Create(server.BaseAddress, new Dictionary<string, string?> { ["Vgac:MaxRetries"] = "3" });

        var ex = await Assert.ThrowsAsync<VgacApiException>(() => harness.Client.GetClusterSummaryAsync(ct));

        Assert.Equal(4, server.Requests.Count);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, ex.StatusCode);
        Assert.Equal(VgacEndpoints.ClusterSummary, ex.Endpoint);
        Assert.Contains("GET /api/cluster/summary", ex.Message, StringComparison.Ordinal);
        Assert.Contains("model reloading", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Get_HangingServer_FailsWithTimeoutWithinTheBudget()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var server = await LoopbackServer.StartAsync(_ => new ScriptedResponse(Hang: true), ct);
        await using var harness = ClientHarness.Create(server.BaseAddress, new Dictionary<string, string?> { ["Vgac:TimeoutSeconds"] = "1" });

        var watch = Stopwatch.StartNew();
        var ex = await Assert.ThrowsAsync<VgacTimeoutException>(() => harness.Client.GetCalibrationAsync(ct));
        watch.Stop();

        // The budget is 1 s; generous slack for a loaded 2-core CI machine, but far below the 10 s default.
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(4), $"took {watch.Elapsed}");
        Assert.Contains("1 s", ex.Message, StringComparison.Ordinal);
        Assert.Equal(VgacEndpoints.JobsPredictCalibration, ex.Endpoint);
    }

    [Fact]
    public async Task Get_ConnectionRefused_FailsAsUnavailable()
    {
        var ct = TestContext.Current.CancellationToken;
        var port = LocalPorts.Free(); // nothing listens on this port now
        await using var harness = ClientHarness.Create(new Uri($"http://127.0.0.1:{port}"));

        var ex = await Assert.ThrowsAsync<VgacUnavailableException>(() => harness.Client.GetPredictionHealthAsync(ct));

        Assert.Contains($"127.0.0.1:{port}", ex.Message, StringComparison.Ordinal);
        Assert.Equal(VgacEndpoints.PredictHealth, ex.Endpoint);
    }

    [Fact]
    public async Task Get_MalformedJson_FailsNamingTheEndpoint()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var server = await LoopbackServer.StartAsync(_ => ScriptedResponse.Json("{\"cluster_id\": \"c\", \"total_gpus\": 8,,"), ct);
        await using var harness = ClientHarness.Create(server.BaseAddress);

        var ex = await Assert.ThrowsAsync<VgacInvalidResponseException>(() => harness.Client.GetClusterSummaryAsync(ct));

        Assert.Contains("GET /api/cluster/summary", ex.Message, StringComparison.Ordinal);
        Assert.Contains("malformed", ex.Message, StringComparison.Ordinal);
        Assert.Single(server.Requests); // a 200 with a bad body is not retried
    }

    [Fact]
    public async Task Get_MissingRequiredField_FailsNamingEndpointAndField()
    {
        var ct = TestContext.Current.CancellationToken;
        var withoutTotalGpus = Summary.Replace("\"total_gpus\":8,", string.Empty, StringComparison.Ordinal);
        await using var server = await LoopbackServer.StartAsync(_ => ScriptedResponse.Json(withoutTotalGpus), ct);
        await using var harness = ClientHarness.Create(server.BaseAddress);

        var ex = await Assert.ThrowsAsync<VgacInvalidResponseException>(() => harness.Client.GetClusterSummaryAsync(ct));

        Assert.Equal("total_gpus", ex.Field);
        Assert.Contains("'total_gpus'", ex.Message, StringComparison.Ordinal);
        Assert.Contains("GET /api/cluster/summary", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Get_WrongFieldType_FailsNamingTheField()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var server = await LoopbackServer.StartAsync(_ => ScriptedResponse.Json(Summary.Replace("\"total_gpus\":8", "\"total_gpus\":\"eight\"", StringComparison.Ordinal)), ct);
        await using var harness = ClientHarness.Create(server.BaseAddress);

        var ex = await Assert.ThrowsAsync<VgacInvalidResponseException>(() => harness.Client.GetClusterSummaryAsync(ct));

        Assert.Equal("total_gpus", ex.Field);
    }

    [Fact]
    public async Task Post_ClientError_IsNotRetried()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var server = await LoopbackServer.StartAsync(
            _ => new ScriptedResponse(422, """{"detail":[{"loc":["body","gpus"],"msg":"ensure this value is greater than or equal to 0"}]}"""), ct);
        await using var harness = ClientHarness.Create(server.BaseAddress);

        var ex = await Assert.ThrowsAsync<VgacApiException>(() => harness.Predictions.PredictWaitAsync(new Contracts.JobSpec { Gpus = -1 }, ct));

        Assert.Single(server.Requests);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, ex.StatusCode);
        Assert.Contains("greater than or equal to 0", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Post_NonIdempotentWebhookOnServerError_IsNotRetried()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var server = await LoopbackServer.StartAsync(_ => new ScriptedResponse(503), ct);
        await using var harness = ClientHarness.Create(server.BaseAddress);

        var review = new Contracts.AdmissionReview { Request = new Contracts.AdmissionRequest { Uid = "u", Object = new Contracts.PodObject() } };
        await Assert.ThrowsAsync<VgacApiException>(() => harness.Client.ReviewAdmissionAsync(review, ct));

        Assert.Single(server.Requests);
    }

    [Fact]
    public async Task Post_PredictionOnServerError_IsRetriedBecauseItIsIdempotent()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var server = await LoopbackServer.StartAsync(_ => new ScriptedResponse(500), ct);
        await using var harness = ClientHarness.Create(server.BaseAddress, new Dictionary<string, string?> { ["Vgac:MaxRetries"] = "2" });

        await Assert.ThrowsAsync<VgacApiException>(() => harness.Predictions.PredictWaitAsync(new Contracts.JobSpec { Gpus = 1 }, ct));

        Assert.Equal(3, server.Requests.Count);
    }

    [Fact]
    public async Task Call_CallerCancels_SurfacesAsCancellationNotTimeout()
    {
        await using var server = await LoopbackServer.StartAsync(_ => new ScriptedResponse(Hang: true), TestContext.Current.CancellationToken);
        await using var harness = ClientHarness.Create(server.BaseAddress);
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        cts.CancelAfter(TimeSpan.FromMilliseconds(200));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => harness.Client.GetNodesAsync(cts.Token));
    }

    [Fact]
    public async Task Get_ManyFailures_OpenTheCircuitAndFailFastAsUnavailable()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var server = await LoopbackServer.StartAsync(_ => new ScriptedResponse(500), ct);
        await using var harness = ClientHarness.Create(server.BaseAddress, new Dictionary<string, string?>
        {
            ["Vgac:MaxRetries"] = "0",
            ["Vgac:CircuitBreakerMinimumThroughput"] = "4",
            ["Vgac:CircuitBreakerFailureRatio"] = "0.5",
        });

        VgacApiException? last = null;
        for (var i = 0; i < 8; i++)
        {
            last = await Assert.ThrowsAnyAsync<VgacApiException>(() => harness.Client.GetNodesAsync(ct));
        }

        Assert.IsType<VgacUnavailableException>(last);
        Assert.True(server.Requests.Count < 8, $"circuit never opened: {server.Requests.Count} requests reached the server");
    }
}
