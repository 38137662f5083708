using System.Net;
using System.Net.Http.Json;
using Vgac.Copilot.Client;
using Vgac.Copilot.Simulator.Hosting;
using Vgac.Copilot.Testing;

namespace Vgac.Copilot.Simulator.Tests;

/// <summary>Each fault the simulator injects reaches the production client as the matching error.</summary>
public sealed class FaultInjectionTests : IAsyncLifetime
{
    private SimulatorHost _host = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync() => _host = await SimulatorHost.StartAsync(new SimulatorOptions { Speed = 0, WarmupHours = 2 });

    public async ValueTask DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task ErrorRateOne_ClientRetriesThenFailsWith503()
    {
        _host.Simulation.Faults = new FaultOptions { ErrorRate = 1 };
        await using var harness = ClientHarness.Create(_host.Url);

        var ex = await Assert.ThrowsAsync<VgacApiException>(() => harness.Client.GetClusterSummaryAsync(Ct));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, ex.StatusCode);
        Assert.Contains("injected fault", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Hang_ClientTimesOut()
    {
        _host.Simulation.Faults = new FaultOptions { HangRate = 1 };
        await using var harness = ClientHarness.Create(_host.Url, new Dictionary<string, string?> { ["Vgac:TimeoutSeconds"] = "1" });

        await Assert.ThrowsAsync<VgacTimeoutException>(() => harness.Client.GetNodesAsync(Ct));
    }

    [Fact]
    public async Task Latency_AboveTheBudget_ClientTimesOut_BelowIt_Succeeds()
    {
        _host.Simulation.Faults = new FaultOptions { LatencyMs = 1500 };
        await using var tight = ClientHarness.Create(_host.Url, new Dictionary<string, string?> { ["Vgac:TimeoutSeconds"] = "1", ["Vgac:AttemptTimeoutSeconds"] = "1" });
        await using var loose = ClientHarness.Create(_host.Url, new Dictionary<string, string?> { ["Vgac:TimeoutSeconds"] = "5", ["Vgac:AttemptTimeoutSeconds"] = "4" });

        await Assert.ThrowsAsync<VgacTimeoutException>(() => tight.Client.GetPredictionHealthAsync(Ct));
        Assert.Contains((await loose.Client.GetPredictionHealthAsync(Ct)).Status, new[] { "healthy", "degraded" });
    }

    [Fact]
    public async Task Malformed_ClientReportsInvalidResponse()
    {
        _host.Simulation.Faults = new FaultOptions { MalformedRate = 1 };
        await using var harness = ClientHarness.Create(_host.Url);

        var ex = await Assert.ThrowsAsync<VgacInvalidResponseException>(() => harness.Client.GetCalibrationAsync(Ct));

        Assert.Contains("GET /api/jobs/predict/calibration", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RequiredApiKey_WithoutKeyIs401_WithKeySucceeds()
    {
        _host.Simulation.Faults = new FaultOptions { RequiredApiKey = "sim-key-123" };
        await using var anonymous = ClientHarness.Create(_host.Url);
        await using var bearer = ClientHarness.Create(_host.Url, new Dictionary<string, string?> { ["Vgac:ApiKey"] = "sim-key-123" });
        await using var header = ClientHarness.Create(_host.Url, new Dictionary<string, string?> { ["Vgac:ApiKey"] = "sim-key-123", ["Vgac:ApiKeyHeader"] = "X-API-Key" });

        var ex = await Assert.ThrowsAsync<VgacApiException>(() => anonymous.Client.GetClusterSummaryAsync(Ct));
        Assert.Equal(HttpStatusCode.Unauthorized, ex.StatusCode);
        Assert.Equal(104, (await bearer.Client.GetClusterSummaryAsync(Ct)).TotalGpus);
        Assert.Equal(104, (await header.Client.GetClusterSummaryAsync(Ct)).TotalGpus);
    }

    [Fact]
    public async Task AdminEndpoints_SetFaultsAndStepTheClock()
    {
        using var http = new HttpClient { BaseAddress = _host.Url };
        var before = _host.Simulation.Now;

        var put = await http.PutAsJsonAsync("/_sim/faults", new FaultOptions { ErrorRate = 0.25 }, Api.VgacSimJson.Default.FaultOptions, Ct);
        var advance = await http.PostAsJsonAsync("/_sim/advance", new Api.AdvanceRequest(90), Api.VgacSimJson.Default.AdvanceRequest, Ct);
        var bad = await http.PutAsJsonAsync("/_sim/faults", new FaultOptions { ErrorRate = 2 }, Api.VgacSimJson.Default.FaultOptions, Ct);

        Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        Assert.Equal(0.25, _host.Simulation.Faults.ErrorRate);
        Assert.Equal(HttpStatusCode.OK, advance.StatusCode);
        Assert.Equal(before.AddMinutes(90), _host.Simulation.Now);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, bad.StatusCode);
    }
}
