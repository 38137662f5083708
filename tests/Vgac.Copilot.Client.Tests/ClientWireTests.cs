using Vgac.Copilot.Testing;

namespace Vgac.Copilot.Client.Tests;

public sealed class ClientWireTests
{
    public static TheoryData<string> Endpoints => new(EndpointCases.All.Select(c => c.Endpoint.ToString()));

    [Fact]
    public void EndpointCases_CoverEveryContractEndpoint()
    {
        Assert.Equal(
            VgacEndpoints.All.Select(e => e.ToString()).Order(),
            EndpointCases.All.Select(c => c.Endpoint.ToString()).Order());
        Assert.Equal(24, VgacEndpoints.All.Count);
    }

    [Theory]
    [MemberData(nameof(Endpoints))]
    public async Task Endpoint_OverLoopbackHttp_SendsContractRequestAndParsesResponse(string endpoint)
    {
        var ct = TestContext.Current.CancellationToken;
        var @case = EndpointCases.All.Single(c => c.Endpoint.ToString() == endpoint);
        await using var server = await LoopbackServer.StartAsync(_ => ScriptedResponse.Json(@case.ResponseJson), ct);
        await using var harness = ClientHarness.Create(server.BaseAddress);

        var result = await @case.Call((VgacClient)harness.Client, ct);

        var request = Assert.Single(server.Requests);
        Assert.Equal(@case.Endpoint.Method, request.Method);
        Assert.Equal(@case.ExpectedPath, request.Path);
        Assert.Equal(@case.ExpectedQuery, request.Query);
        if (@case.ExpectedBodyFragment is { } fragment)
        {
            Assert.StartsWith("application/json", request.Headers["Content-Type"], StringComparison.Ordinal);
            Assert.Contains(fragment, request.Body, StringComparison.Ordinal);
        }
        else
        {
            Assert.Equal(string.Empty, request.Body);
        }

        @case.Verify(result);
    }

    [Fact]
    public async Task PredictWait_RequestBody_UsesContractSnakeCaseNames()
    {
        var ct = TestContext.Current.CancellationToken;
        var @case = EndpointCases.All.Single(c => c.Endpoint == VgacEndpoints.PredictWait);
        await using var server = await LoopbackServer.StartAsync(_ => ScriptedResponse.Json(@case.ResponseJson), ct);
        await using var harness = ClientHarness.Create(server.BaseAddress);

        await harness.Predictions.PredictWaitAsync(new Contracts.JobSpec { Gpus = 1, Cpu = 1000, MemoryGb = 4, Priority = 0, Namespace = "default" }, ct);

        var body = Assert.Single(server.Requests).Body;
        foreach (var field in new[] { "\"gpus\":1", "\"cpu\":1000", "\"memory_gb\":4", "\"priority\":0", "\"namespace\":\"default\"" })
        {
            Assert.Contains(field, body, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task GetJob_IdWithReservedCharacters_IsEscapedInPath()
    {
        var ct = TestContext.Current.CancellationToken;
        var job = EndpointCases.All.Single(c => c.Endpoint == VgacEndpoints.JobById).ResponseJson;
        await using var server = await LoopbackServer.StartAsync(_ => ScriptedResponse.Json(job), ct);
        await using var harness = ClientHarness.Create(server.BaseAddress);

        await harness.Client.GetJobAsync("ns/job 1", ct);

        // Kestrel decodes %20 but keeps %2F, so the id stays one path segment.
        Assert.Equal("/api/jobs/ns%2Fjob 1", Assert.Single(server.Requests).Path.Replace("%2f", "%2F", StringComparison.Ordinal));
    }
}

public sealed class ContractJsonTests
{
    [Fact]
    public void JobSpec_MissingFields_KeepContractDefaults()
    {
        var spec = System.Text.Json.JsonSerializer.Deserialize("""{"gpus": 2}""", Contracts.VgacJsonContext.Default.JobSpec)!;

        Assert.Equal((2, 1000.0, 1.0, 0, "default"), (spec.Gpus, spec.Cpu, spec.MemoryGb, spec.Priority, spec.Namespace));
    }

    [Fact]
    public void WaitPrediction_WithoutTopFactors_HasEmptyListNotNull()
    {
        var prediction = System.Text.Json.JsonSerializer.Deserialize(
            """{"job_id":"a","predicted_wait_seconds":1,"predicted_probability_long_wait":0.1,"confidence":0.9,"is_calibrated":true,"model_version":"v"}""",
            Contracts.VgacJsonContext.Default.WaitPrediction)!;

        Assert.Empty(prediction.TopFactors);
    }
}
