using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Vgac.Copilot.Client;
using Vgac.Copilot.Contracts;
using Vgac.Copilot.Core.Predictions;
using Vgac.Copilot.Core.Guards;
using Vgac.Copilot.Testing;

namespace Vgac.Copilot.Core.Tests;

public sealed class GuardedPredictorTests
{
    private const string Calibration = """{"ece":0.02,"brier_score":0.1,"sample_count":800,"recalibration_needed":false}""";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static string Prediction(double p, double c, string recommendation = "Consider lower priority queue") =>
        $$"""{"probability_long_wait":{{p}},"estimated_wait_seconds":3600,"wait_category":"high","confidence":{{c}},"is_calibrated":true,"recommendation":"{{recommendation}}","latency_us":85}""";

    [Fact]
    public async Task Predict_ConfidentHighRisk_EarnsTiersAndKeepsRecommendation()
    {
        await using var server = await LoopbackServer.StartAsync(r => r.Path == VgacRoutes.PredictWait ? ScriptedResponse.Json(Prediction(0.87, 0.92)) : ScriptedResponse.Json(Calibration), Ct);
        using var provider = Services(server.BaseAddress);

        var result = await provider.GetRequiredService<GuardedPredictor>().PredictAsync(new JobSpec { Gpus = 4 }, Ct);

        Assert.False(result.IsFallback);
        Assert.Equal(3, result.Guards.HighestTier);
        Assert.Equal("Consider lower priority queue", result.Recommendation);
        Assert.Equal(0.085, result.VgacLatencyMs);
    }

    [Fact]
    public async Task Predict_LowConfidence_WithholdsRecommendationAndPolicy()
    {
        await using var server = await LoopbackServer.StartAsync(r => r.Path == VgacRoutes.PredictWait ? ScriptedResponse.Json(Prediction(0.95, 0.41)) : ScriptedResponse.Json(Calibration), Ct);
        using var provider = Services(server.BaseAddress);

        var result = await provider.GetRequiredService<GuardedPredictor>().PredictAsync(new JobSpec { Gpus = 4 }, Ct);

        Assert.Equal(0.95, result.Probability);
        Assert.Null(result.Recommendation);
        Assert.Null(result.Policy);
        Assert.False(result.Guards.Gate.Passed);
        Assert.Equal(0, result.Guards.HighestTier);
    }

    [Theory]
    [InlineData(7.5, 0.9, "probability 7.5, outside [0, 1]")]
    [InlineData(0.9, 42, "confidence 42, outside [0, 1]")]
    [InlineData(-0.1, 0.9, "probability -0.1, outside [0, 1]")]
    public async Task Predict_OutOfRangeNumbers_FallbackWithTheReasonAndNothingShown(double p, double c, string reason)
    {
        await using var server = await LoopbackServer.StartAsync(r => r.Path == VgacRoutes.PredictWait ? ScriptedResponse.Json(Prediction(p, c)) : ScriptedResponse.Json(Calibration), Ct);
        using var provider = Services(server.BaseAddress);

        var result = await provider.GetRequiredService<GuardedPredictor>().PredictAsync(new JobSpec { Gpus = 4 }, Ct);

        Assert.True(result.IsFallback);
        Assert.Equal((0.0, 0.0), (result.Probability, result.Confidence));
        Assert.Equal(ShownAs.Fallback, result.ShownAs);
        Assert.Null(result.Recommendation);
        Assert.Equal(0, result.Guards.HighestTier);
        Assert.Contains(reason, result.Error, StringComparison.Ordinal);
        Assert.Contains("contract violation", result.Guards.Gate.Reason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"ece":-1,"brier_score":0.1,"sample_count":800,"recalibration_needed":false}""", "ECE -1")]
    [InlineData("""{"ece":0.02,"brier_score":1.7,"sample_count":800,"recalibration_needed":false}""", "Brier score 1.7")]
    [InlineData("""{"ece":0.02,"brier_score":0.1,"sample_count":-5,"recalibration_needed":false}""", "sample_count -5")]
    public async Task Predict_CalibrationOutOfRange_UnknownAndNoTier(string calibration, string reason)
    {
        await using var server = await LoopbackServer.StartAsync(r => r.Path == VgacRoutes.PredictWait ? ScriptedResponse.Json(Prediction(0.95, 0.95)) : ScriptedResponse.Json(calibration), Ct);
        using var provider = Services(server.BaseAddress);

        var result = await provider.GetRequiredService<GuardedPredictor>().PredictAsync(new JobSpec { Gpus = 4 }, Ct);

        Assert.Equal(DriftLevel.Unknown, result.Guards.Drift.Level);
        Assert.Equal(0, result.Guards.HighestTier);
        Assert.Contains(reason, result.Calibration.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Predict_DriftRequiresRecalibration_ConfidentNumberButNoRecommendation()
    {
        const string drifted = """{"ece":0.15,"brier_score":0.1,"sample_count":800,"recalibration_needed":false}""";
        await using var server = await LoopbackServer.StartAsync(r => r.Path == VgacRoutes.PredictWait ? ScriptedResponse.Json(Prediction(0.87, 0.92)) : ScriptedResponse.Json(drifted), Ct);
        using var provider = Services(server.BaseAddress);

        var result = await provider.GetRequiredService<GuardedPredictor>().PredictAsync(new JobSpec { Gpus = 4 }, Ct);

        Assert.True(result.Guards.Gate.Passed);
        Assert.Equal(ShownAs.RecalibrationRequired, result.ShownAs);
        Assert.Null(result.Recommendation);
        Assert.Null(result.Policy);
    }

    [Fact]
    public async Task Predict_VgacDown_IsFallbackWithConfidenceZeroAndNoAction()
    {
        using var provider = Services(new Uri("http://127.0.0.1:1"));

        var result = await provider.GetRequiredService<GuardedPredictor>().PredictAsync(new JobSpec { Gpus = 1 }, Ct);

        Assert.True(result.IsFallback);
        Assert.Equal(0, result.Confidence);
        Assert.Null(result.Recommendation);
        Assert.Contains("unavailable", result.Error, StringComparison.Ordinal);
        Assert.All(result.Guards.Tiers, t => Assert.Equal(GuardRules.Fallback, t.Rule));
        Assert.False(result.Calibration.IsAvailable);
    }

    [Fact]
    public async Task Predict_VgacRejectsSpec_ThrowsInsteadOfFallingBack()
    {
        await using var server = await LoopbackServer.StartAsync(r => r.Path == VgacRoutes.PredictWait
            ? new ScriptedResponse(422, """{"detail":"queue 'gold' does not exist"}""")
            : ScriptedResponse.Json(Calibration), Ct);
        using var provider = Services(server.BaseAddress);

        var ex = await Assert.ThrowsAsync<VgacApiException>(() => provider.GetRequiredService<GuardedPredictor>().PredictAsync(new JobSpec { Gpus = 1, Queue = "gold" }, Ct));

        Assert.Contains("queue 'gold'", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Predict_InvalidSpec_RejectedBeforeAnyCall()
    {
        await using var server = await LoopbackServer.StartAsync(_ => ScriptedResponse.Json(Calibration), Ct);
        using var provider = Services(server.BaseAddress);

        var ex = await Assert.ThrowsAsync<ArgumentException>(() => provider.GetRequiredService<GuardedPredictor>().PredictAsync(new JobSpec { Gpus = -2, MemoryGb = 0 }, Ct));

        Assert.Contains("gpus must be between 0 and 1024, got -2", ex.Message, StringComparison.Ordinal);
        Assert.Contains("memory_gb must be greater than 0", ex.Message, StringComparison.Ordinal);
        Assert.Empty(server.Requests);
    }

    [Fact]
    public async Task Calibration_IsCachedForItsTtl()
    {
        // Every endpoint answers well-formed: on a fake clock a retried call (and its delay) would never end, and
        // disposing the services waits for every call in flight.
        await using var server = await LoopbackServer.StartAsync(r => r.Path switch
        {
            VgacRoutes.PredictWait => ScriptedResponse.Json(Prediction(0.2, 0.9)),
            VgacRoutes.JobsHistory or VgacRoutes.JobsRunning => ScriptedResponse.Json("""{"jobs":[],"total":0}"""),
            _ => ScriptedResponse.Json(Calibration),
        }, Ct);
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        using var provider = Services(server.BaseAddress, time);
        var agent = provider.GetRequiredService<GuardedPredictor>();

        await agent.PredictAsync(new JobSpec { Gpus = 1 }, Ct);
        await agent.PredictAsync(new JobSpec { Gpus = 2 }, Ct);
        // A hit is the very same completed task each time (nothing allocated per prediction), until it expires.
        var calibration = provider.GetRequiredService<Core.Calibration.CalibrationProvider>();
        var hit = calibration.GetAsync(Ct);
        Assert.True(hit.IsCompletedSuccessfully);
        Assert.Same(hit, calibration.GetAsync(Ct));
        time.Advance(TimeSpan.FromSeconds(31));
        await agent.PredictAsync(new JobSpec { Gpus = 3 }, Ct);
        Assert.NotSame(hit, calibration.GetAsync(Ct));
        Assert.True(calibration.GetAsync(Ct).IsCompletedSuccessfully);

        Assert.Equal(2, server.Requests.Count(r => r.Path == VgacRoutes.JobsPredictCalibration));
        Assert.Equal(3, server.Requests.Count(r => r.Path == VgacRoutes.PredictWait));
    }

    [Fact]
    public async Task HistoryStillReading_WhenTheServicesStop_IsCancelledNotAwaited()
    {
        // The history hangs and the client would wait a minute for it: the prediction comes back after the 2 s budget,
        // and stopping the services (a one-shot command ending) cancels the read instead of sitting out the minute.
        await using var server = await LoopbackServer.StartAsync(r => r.Path switch
        {
            VgacRoutes.PredictWait => ScriptedResponse.Json(Prediction(0.2, 0.9)),
            VgacRoutes.JobsHistory or VgacRoutes.JobsRunning => new ScriptedResponse(200, "{}", Hang: true),
            _ => ScriptedResponse.Json(Calibration),
        }, Ct);
        var provider = Services(server.BaseAddress, timeoutSeconds: 60);

        var prediction = await provider.GetRequiredService<GuardedPredictor>().PredictAsync(new JobSpec { Gpus = 1 }, Ct);
        var stopped = Task.Run(provider.Dispose, Ct);

        Assert.Equal("no interval: the job history did not answer within 2 s", prediction.Wait?.Reason);
        await stopped.WaitAsync(TimeSpan.FromSeconds(20), Ct);
    }

    [Fact]
    public async Task PredictBatch_OneCallForEveryVariant()
    {
        var batch = $$"""{"predictions":[{{Prediction(0.1, 0.9)}},{{Prediction(0.6, 0.9)}},{{Prediction(0.95, 0.5)}}],"count":3}""";
        await using var server = await LoopbackServer.StartAsync(r => r.Path == VgacRoutes.PredictBatch ? ScriptedResponse.Json(batch) : ScriptedResponse.Json(Calibration), Ct);
        using var provider = Services(server.BaseAddress);

        var results = await provider.GetRequiredService<GuardedPredictor>().PredictBatchAsync([new JobSpec { Gpus = 1 }, new JobSpec { Gpus = 2 }, new JobSpec { Gpus = 4 }], Ct);

        Assert.Equal([0, 2, 0], results.Select(r => r.Guards.HighestTier));
        Assert.Single(server.Requests, r => r.Path == VgacRoutes.PredictBatch);
    }

    private static ServiceProvider Services(Uri vgac, TimeProvider? time = null, int timeoutSeconds = 3)
    {
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Vgac:BaseUrl"] = vgac.ToString(),
            ["Vgac:RetryBaseDelaySeconds"] = "0.01",
            ["Vgac:TimeoutSeconds"] = timeoutSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture),
        }).Build());
        services.AddLogging();
        services.AddVgacClient();
        services.AddCopilotCore();
        if (time is not null)
        {
            services.Replace(ServiceDescriptor.Singleton(time));
        }

        var provider = services.BuildServiceProvider();
        provider.GetRequiredService<IStartupValidator>().Validate();
        return provider;
    }
}
