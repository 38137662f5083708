using System.Net;
using Vgac.Copilot.Client;
using Vgac.Copilot.Contracts;
using Vgac.Copilot.Evals.Cassettes;
using Vgac.Copilot.Simulator;
using Vgac.Copilot.Simulator.Hosting;
using Vgac.Copilot.Testing;

namespace Vgac.Copilot.Evals.Tests;

public sealed class CassetteTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Record_ThenReplayThroughTheClientPipeline_GivesTheSameAnswers()
    {
        const string secret = "sk-cassette-never-written";
        await using var sim = await SimulatorHost.StartAsync(new SimulatorOptions { Speed = 0, WarmupHours = 60 }, cancellationToken: Ct);
        var folder = Path.Combine(Vgac.Copilot.Testing.TestPaths.NewFolder("vgac-cassette-"), "snap");
        await using var live = ClientHarness.Create(sim.Url, new Dictionary<string, string?> { ["Vgac:ApiKey"] = secret });
        await new CassetteRecorder(live.Client, live.Predictions).RecordAsync(folder, "snap", sim.Url.ToString(), Ct);

        var cassette = Cassette.Load(folder);
        var handler = new CassetteHandler(cassette);
        await using var replay = ReplayHarness(handler);
        var summary = await replay.Client.GetClusterSummaryAsync(Ct);
        var live2 = await live.Client.GetClusterSummaryAsync(Ct); // the clock is frozen: the same moment
        var queue = await replay.Client.GetJobQueueAsync(3, Ct);
        var job = await replay.Client.GetJobAsync(queue.Jobs.Count > 0 ? queue.Jobs[0].JobId : (await replay.Client.GetJobHistoryAsync(null, Ct)).Jobs[0].JobId, Ct);

        Assert.Equal(live2.AvailableGpus, summary.AvailableGpus);
        Assert.True(queue.Jobs.Count <= 3);
        Assert.NotNull(job.JobId);
        Assert.Empty(handler.Misses);
        Assert.DoesNotContain(secret, string.Concat(Directory.GetFiles(folder, "*", SearchOption.AllDirectories).Select(File.ReadAllText)), StringComparison.Ordinal);
        Assert.Equal(30, cassette.Grid.Count);
    }

    [Fact]
    public async Task Prediction_OutsideTheGrid_AnsweredFromNearestAndNoted_OrRefusedWhenExact()
    {
        var cassette = Cassette.Load(Path.Combine(TestPaths.RepoRoot, "evals", "cassettes", "calm"));
        var nearest = new CassetteHandler(cassette);
        var exact = new CassetteHandler(cassette, exactPredictions: true);
        await using var approximate = ReplayHarness(nearest);
        await using var strict = ReplayHarness(exact);

        var onGrid = await approximate.Predictions.PredictWaitAsync(new JobSpec { Gpus = 4, Priority = 5 }, Ct);
        var offGrid = await approximate.Predictions.PredictWaitAsync(new JobSpec { Gpus = 3, Priority = 5 }, Ct);
        var refused = await Record.ExceptionAsync(() => strict.Predictions.PredictWaitAsync(new JobSpec { Gpus = 3, Priority = 5 }, Ct));

        Assert.InRange(onGrid.ProbabilityLongWait, 0, 1);
        Assert.InRange(offGrid.ProbabilityLongWait, 0, 1);
        var note = Assert.Single(nearest.Approximations);
        Assert.Contains("gpus=3", note, StringComparison.Ordinal);
        Assert.NotNull(refused);
        Assert.Contains("exact predictions", refused.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task UnrecordedEndpoint_FailsLoudly()
    {
        var handler = new CassetteHandler(Cassette.Load(Path.Combine(TestPaths.RepoRoot, "evals", "cassettes", "calm")));
        await using var replay = ReplayHarness(handler);

        var ex = await Assert.ThrowsAsync<VgacApiException>(() => replay.Client.ReviewAdmissionAsync(new AdmissionReview { Request = new AdmissionRequest { Uid = "u", Object = new PodObject() } }, Ct));

        Assert.Equal(HttpStatusCode.NotImplemented, ex.StatusCode);
        Assert.Contains("has no recording of POST /api/predict/webhook", ex.Message, StringComparison.Ordinal);
        Assert.Single(handler.Misses);
    }

    [Fact]
    public async Task FailureCassette_AnswersTheRecordedStatus()
    {
        await using var replay = ReplayHarness(new CassetteHandler(Cassette.Load(Path.Combine(TestPaths.RepoRoot, "evals", "cassettes", "errors"))));

        var ex = await Assert.ThrowsAsync<VgacApiException>(() => replay.Client.GetNodesAsync(Ct));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, ex.StatusCode);
    }

    private static ClientHarness ReplayHarness(CassetteHandler handler) =>
        ClientHarness.Create(new Uri("http://vgac.cassette"), new Dictionary<string, string?> { ["Vgac:MaxRetries"] = "0" }, handler);
}
