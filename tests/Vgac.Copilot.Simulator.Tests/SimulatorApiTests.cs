using Vgac.Copilot.Client;
using Vgac.Copilot.Contracts;

namespace Vgac.Copilot.Simulator.Tests;

/// <summary>The production client against the running simulator over loopback HTTP: every endpoint parses, and the numbers agree with each other.</summary>
public sealed class SimulatorApiTests(SimulatorFixture sim) : IClassFixture<SimulatorFixture>
{
    private readonly IVgacClient _client = sim.Client;
    private readonly IVgacPredictionClient _predictions = sim.Predictions;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task ClusterSummary_AgreesWithNodesAndQueue()
    {
        var summary = await _client.GetClusterSummaryAsync(Ct);
        var nodes = await _client.GetNodesAsync(Ct);
        var queue = await _client.GetJobQueueAsync(1000, Ct);
        var pending = await _client.GetPendingJobsAsync(1000, cancellationToken: Ct);
        var running = await _client.GetRunningJobsAsync(1000, cancellationToken: Ct);
        var quick = await _client.GetQuickClusterSummaryAsync(Ct);

        Assert.Equal(SchedulerType.Kubernetes, summary.SchedulerType);
        Assert.InRange(summary.AvailableGpus, 0, summary.TotalGpus);
        Assert.Equal(104, summary.TotalGpus);
        Assert.Equal(nodes.Nodes.Sum(n => n.TotalGpus), summary.TotalGpus);
        Assert.Equal(nodes.Nodes.Sum(n => n.AvailableGpus), summary.AvailableGpus);
        Assert.Equal(nodes.Nodes.Count(n => n.Status == NodeStatus.Ready), summary.ReadyNodes);
        Assert.Equal(summary.QueueDepth, queue.QueueDepth);
        Assert.Equal(queue.QueueDepth, pending.Total);
        Assert.Equal(pending.Total, pending.Jobs.Count);
        Assert.Equal(summary.RunningJobs, running.Total);
        // A node that is not ready offers nothing and runs nothing (its jobs failed with it).
        Assert.Equal(running.Jobs.Sum(j => j.Gpus), nodes.Nodes.Where(n => n.Status == NodeStatus.Ready).Sum(n => n.TotalGpus) - summary.AvailableGpus);
        Assert.Equal(summary.AvailableGpus, quick.AvailableGpus);
        Assert.Equal([.. Enumerable.Range(1, pending.Jobs.Count)], pending.Jobs.Select(j => j.QueuePosition!.Value));
    }

    [Fact]
    public async Task History_WaitsAreStartMinusSubmit()
    {
        var history = await _client.GetJobHistoryAsync(new JobHistoryQuery(Limit: 300), Ct);

        Assert.Equal(300, history.Jobs.Count);
        Assert.True(history.Total > 300);
        foreach (var job in history.Jobs.Where(j => j.StartTime is not null))
        {
            Assert.Equal((job.StartTime!.Value - job.SubmitTime).TotalSeconds, job.WaitSeconds!.Value, 0.11);
            Assert.Contains(job.State, new[] { JobState.Succeeded, JobState.Failed, JobState.Cancelled });
        }
    }

    [Fact]
    public async Task History_FiltersByStateAndSince()
    {
        var failed = await _client.GetJobHistoryAsync(new JobHistoryQuery(Limit: 50, State: JobState.Failed), Ct);
        var all = await _client.GetJobHistoryAsync(new JobHistoryQuery(Limit: 1), Ct);
        var since = all.Jobs[0].EndTime!.Value.AddHours(-1);
        var recent = await _client.GetJobHistoryAsync(new JobHistoryQuery(Since: since, Limit: 1000), Ct);

        Assert.NotEmpty(failed.Jobs);
        Assert.All(failed.Jobs, j => Assert.Equal(JobState.Failed, j.State));
        Assert.All(recent.Jobs, j => Assert.True(j.EndTime >= since));
        Assert.True(recent.Total < all.Total);
    }

    [Fact]
    public async Task JobById_MatchesTheListedJob()
    {
        var history = await _client.GetJobHistoryAsync(new JobHistoryQuery(Limit: 5), Ct);
        var listed = history.Jobs[2];

        var job = await _client.GetJobAsync(listed.JobId, Ct);

        var json = Contracts.VgacJsonContext.Default.JobInfo;
        Assert.Equal(System.Text.Json.JsonSerializer.Serialize(listed, json), System.Text.Json.JsonSerializer.Serialize(job, json));
    }

    [Fact]
    public async Task JobById_Unknown_Is404WithDetail()
    {
        var ex = await Assert.ThrowsAsync<VgacApiException>(() => _client.GetJobAsync("no-such-job", Ct));

        Assert.Equal(System.Net.HttpStatusCode.NotFound, ex.StatusCode);
        Assert.Contains("no-such-job", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Stats_AndFailures_AreConsistent()
    {
        var stats = await _client.GetJobHistoryStatsAsync(48, Ct);
        var failures = await _client.GetFailureAnalysisAsync(48, Ct);

        Assert.Equal(stats.TotalJobs, stats.Succeeded + stats.Failed + stats.Cancelled);
        Assert.Equal(stats.Failed, failures.TotalFailures);
        Assert.Equal(failures.TotalFailures, failures.Patterns.Sum(p => p.Count));
        Assert.Equal(1.0, failures.Patterns.Sum(p => p.Share), 0.01);
        Assert.True(stats.P50WaitSeconds <= stats.P90WaitSeconds && stats.P90WaitSeconds <= stats.P95WaitSeconds);
        Assert.Equal(600, stats.LongWaitThresholdSeconds);
    }

    [Fact]
    public async Task PredictWait_ReturnsCalibratedPredictionWithPolicy()
    {
        var result = await _predictions.PredictWaitAsync(new JobSpec { Gpus = 8, Cpu = 64000, MemoryGb = 256, Priority = 0, Namespace = "ml-research" }, Ct);

        Assert.InRange(result.ProbabilityLongWait, 0, 1);
        Assert.InRange(result.Confidence, 0, 1);
        Assert.Contains(result.WaitCategory, new[] { "low", "medium", "high" });
        Assert.True(result.LatencyUs > 0);
        Assert.NotNull(result.Policy);
        Assert.Equal(result.Confidence < 0.6, result.Recommendation is null);
    }

    [Fact]
    public async Task PredictBatch_OneResultPerSpecInOrder()
    {
        JobSpec[] specs = [new() { Gpus = 1 }, new() { Gpus = 4 }, new() { Gpus = 8, GpuType = "A100" }];

        var batch = await _predictions.PredictBatchAsync(specs, Ct);
        var single = await _predictions.PredictWaitAsync(specs[2], Ct);

        Assert.Equal(3, batch.Count);
        Assert.Equal(single.ProbabilityLongWait, batch.Predictions[2].ProbabilityLongWait);
    }

    [Fact]
    public async Task PredictWait_NegativeGpus_Is422NamingTheField()
    {
        var ex = await Assert.ThrowsAsync<VgacApiException>(() => _predictions.PredictWaitAsync(new JobSpec { Gpus = -1 }, Ct));

        Assert.Equal(System.Net.HttpStatusCode.UnprocessableEntity, ex.StatusCode);
        Assert.Contains("gpus", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task JobsPredict_EchoesIdAndExplainsFactors()
    {
        var prediction = await _predictions.PredictJobAsync(new JobPredictRequest { JobId = "what-if-1", Gpus = 4, Priority = 5 }, Ct);
        var batch = await _predictions.PredictJobBatchAsync([new JobPredictRequest { JobId = "a", Gpus = 1 }, new JobPredictRequest { JobId = "b", Gpus = 8 }], Ct);
        var pending = await _predictions.PredictPendingJobsAsync(10, Ct);
        var queue = await _client.GetJobQueueAsync(10, Ct);

        Assert.Equal("what-if-1", prediction.JobId);
        Assert.Equal(["pending_ratio", "pending_at_submit"], prediction.TopFactors.Select(f => f.Feature));
        Assert.True(prediction.ExpectedWaitRange!["p10"] <= prediction.ExpectedWaitRange["p90"]);
        Assert.Equal(["a", "b"], batch.Predictions.Select(p => p.JobId));
        Assert.Equal(queue.Jobs.Select(j => j.JobId), pending.Predictions.Select(p => p.JobId));
    }

    [Fact]
    public async Task Calibration_IsMeasuredOnOutcomes()
    {
        var calibration = await _client.GetCalibrationAsync(Ct);
        var stats = await _client.GetPredictionStatsAsync(Ct);
        var health = await _client.GetPredictionHealthAsync(Ct);

        Assert.Equal(2000, calibration.SampleCount);
        Assert.InRange(calibration.Ece, 0.001, 0.06);
        Assert.InRange(calibration.BrierScore, 0.001, 0.25);
        Assert.NotNull(calibration.LastRecalibration);
        Assert.Equal(health.ModelVersion, stats.ModelVersion);
        Assert.Equal("healthy", health.Status);
        Assert.True(stats.TotalPredictions > 1000);
    }

    [Fact]
    public async Task PredictorState_Bifurcation_Capacity_AreWellFormed()
    {
        var state = await _client.GetPredictorClusterStateAsync(Ct);
        var bifurcation = await _client.GetBifurcationAsync(Ct);
        var forecast = await _client.GetCapacityForecastAsync(12, Ct);
        var summary = await _client.GetClusterSummaryAsync(Ct);

        Assert.Equal(summary.PendingJobs, state.PendingJobs);
        Assert.InRange(state.PendingRatio, 0, 1);
        Assert.InRange(bifurcation.BifurcationRatio, 0, 1);
        Assert.True(bifurcation.SampleCount > 0);
        Assert.Equal(12, forecast.Points.Count);
        Assert.All(forecast.Points, p => Assert.InRange(p.ExpectedAvailableGpus, 0, summary.TotalGpus));
        Assert.True(forecast.Points[^1].JobsFinishing >= forecast.Points[0].JobsFinishing);
    }

    [Fact]
    public async Task Slurm_OnKubernetesCluster_Is404()
    {
        var ex = await Assert.ThrowsAsync<VgacApiException>(() => _client.GetSlurmStatusAsync(Ct));

        Assert.Equal(System.Net.HttpStatusCode.NotFound, ex.StatusCode);
        Assert.Contains("kubernetes", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Webhook_AnnotatesPodWithRisk()
    {
        var review = new AdmissionReview
        {
            Request = new AdmissionRequest
            {
                Uid = "uid-7",
                Namespace = "ml-research",
                Object = new PodObject
                {
                    Metadata = new PodMetadata { Name = "trainer" },
                    Spec = new PodSpecification
                    {
                        Containers = [new PodContainer { Resources = new ContainerResources { Limits = new Dictionary<string, string> { ["nvidia.com/gpu"] = "4" }, Requests = new Dictionary<string, string> { ["cpu"] = "8", ["memory"] = "64Gi" } } }],
                    },
                },
            },
        };

        var response = (await _client.ReviewAdmissionAsync(review, Ct)).Response!;

        Assert.Equal("uid-7", response.Uid);
        Assert.True(response.Allowed);
        Assert.Equal("JSONPatch", response.PatchType);
        var patch = System.Text.Encoding.UTF8.GetString(Convert.FromBase64String(response.Patch!));
        Assert.Contains("/metadata/annotations/vgac.io~1probability-long-wait", patch, StringComparison.Ordinal);
        using var parsed = System.Text.Json.JsonDocument.Parse(patch);
        Assert.True(parsed.RootElement.GetArrayLength() >= 4);
    }
}

/// <summary>The simulator answers every endpoint of the client's table with its verb (CONTRIBUTING.md, "Adding a VGAC endpoint").</summary>
public sealed class SimulatorEndpointTableTests(SimulatorFixture sim) : IClassFixture<SimulatorFixture>
{
    public static TheoryData<string> Endpoints => [.. Client.VgacEndpoints.All.Select(e => e.ToString())];

    [Theory]
    [MemberData(nameof(Endpoints))]
    public async Task Simulator_EveryEndpointOfTheTable_AnswersItsVerb(string endpoint)
    {
        var e = Client.VgacEndpoints.All.Single(x => x.ToString() == endpoint);
        using var http = new HttpClient { BaseAddress = sim.Host.Url };
        using var request = new HttpRequestMessage(new HttpMethod(e.Method), e.Route.Replace("{job_id}", "no-such-job", StringComparison.Ordinal).TrimStart('/'));
        if (e.Method == "POST")
        {
            request.Content = new StringContent("{}", System.Text.Encoding.UTF8, "application/json");
        }

        using var response = await http.SendAsync(request, TestContext.Current.CancellationToken);

        // Routed: an answer, or VGAC's own refusal of this request (its error body: a job it does not know, Slurm
        // endpoints on a Kubernetes cluster), never the server's "no such route" or "not this verb".
        var body = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        Assert.NotEqual(System.Net.HttpStatusCode.MethodNotAllowed, response.StatusCode);
        Assert.True(response.StatusCode != System.Net.HttpStatusCode.NotFound || body.Contains("\"detail\"", StringComparison.Ordinal),
            $"{endpoint}: {(int)response.StatusCode} {body}");
    }
}

public sealed class SlurmSimulatorApiTests(SlurmSimulatorFixture sim) : IClassFixture<SlurmSimulatorFixture>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task SlurmStatusAndQueue_AgreeWithSummary()
    {
        var summary = await sim.Client.GetClusterSummaryAsync(Ct);
        var status = await sim.Client.GetSlurmStatusAsync(Ct);
        var queue = await sim.Client.GetSlurmQueueAsync(1000, Ct);

        Assert.Equal(SchedulerType.Slurm, summary.SchedulerType);
        Assert.Equal(["gpu", "gpu-small"], status.Partitions.Select(p => p.Name));
        Assert.Equal(summary.TotalGpus, status.Partitions.Sum(p => p.TotalGpus));
        Assert.Equal(summary.TotalNodes, status.Partitions.Sum(p => p.TotalNodes));
        Assert.Equal(summary.PendingJobs + summary.RunningJobs, queue.Total);
        Assert.Equal(summary.RunningJobs, queue.Jobs.Count(j => j.State == "RUNNING"));
        Assert.All(queue.Jobs.Where(j => j.State == "PENDING"), j => Assert.Contains(j.Reason, new[] { "Resources", "Priority", "ReqNodeNotAvail" }));
    }
}
