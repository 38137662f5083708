using Vgac.Copilot.Contracts;

namespace Vgac.Copilot.Client.Tests;

/// <summary>A wire case for every endpoint of the contract. Response bodies for the three endpoints the contract
/// shows are its own examples, verbatim.</summary>
internal static class EndpointCases
{
    private const string Job = """
        {"job_id":"j-42","name":"train-llm","user":"ana","namespace":"ml-research","queue":"gpu","state":"pending","job_type":"gpu",
         "gpus":4,"gpu_type":"A100","cpu":8000,"memory_gb":64,"priority":5,"submit_time":"2026-11-26T10:00:00Z","wait_seconds":120.5,
         "queue_position":3,"reason":"Resources","prediction_at_submit":{"probability_long_wait":0.81,"confidence":0.9,"is_calibrated":true},
         "some_future_field":{"ignored":true}}
        """;

    private static readonly JobSpec Spec = new() { Gpus = 4, Cpu = 8000, MemoryGb = 64, Priority = 5, Namespace = "ml-research", GpuType = "A100" };

    public static readonly IReadOnlyList<EndpointCase> All =
    [
        new(VgacEndpoints.PredictWait, "/api/predict/wait", "", "\"gpus\":4",
            """
            {"probability_long_wait": 0.87, "estimated_wait_seconds": 3600, "wait_category": "high", "confidence": 0.92,
             "is_calibrated": true, "recommendation": "Consider lower priority queue", "latency_us": 8500}
            """,
            async (c, ct) => await c.PredictWaitAsync(Spec, ct),
            o => { var r = (PredictionResult)o; Assert.Equal(0.87, r.ProbabilityLongWait); Assert.Equal(8500, r.LatencyUs); Assert.Equal("Consider lower priority queue", r.Recommendation); }),
        new(VgacEndpoints.PredictBatch, "/api/predict/batch", "", "\"jobs\":[{\"gpus\":4",
            """{"predictions":[{"probability_long_wait":0.2,"estimated_wait_seconds":30,"wait_category":"low","confidence":0.7,"is_calibrated":true,"latency_us":90}],"count":1,"total_latency_us":120}""",
            async (c, ct) => await c.PredictBatchAsync([Spec], ct),
            o => { var r = (BatchPredictResponse)o; Assert.Equal(1, r.Count); Assert.Equal("low", r.Predictions[0].WaitCategory); }),
        new(VgacEndpoints.PredictStats, "/api/predict/stats", "", null,
            """{"total_predictions":1200,"avg_latency_us":85.5,"p99_latency_us":300,"model_version":"v3.0-phase2-eks","is_calibrated":true}""",
            async (c, ct) => await c.GetPredictionStatsAsync(ct),
            o => { var r = (PredictionServiceStats)o; Assert.Equal(1200, r.TotalPredictions); Assert.Equal("v3.0-phase2-eks", r.ModelVersion); }),
        new(VgacEndpoints.PredictClusterState, "/api/predict/cluster-state", "", null,
            """{"total_gpus":32,"available_gpus":12,"pending_jobs":12,"pending_gpu_jobs":10,"running_jobs":8,"gpu_utilization":0.78,"pending_ratio":0.6,"bifurcation_ratio":0.3,"avg_wait_last_hour":240,"p95_wait_last_hour":1800}""",
            async (c, ct) => await c.GetPredictorClusterStateAsync(ct),
            o => { var r = (PredictorClusterState)o; Assert.Equal(10, r.PendingGpuJobs); Assert.Equal(1800, r.P95WaitLastHour); }),
        new(VgacEndpoints.PredictWebhook, "/api/predict/webhook", "", "\"nvidia.com/gpu\":\"2\"",
            """{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","response":{"uid":"u-1","allowed":true,"warnings":["high wait risk"],"patchType":"JSONPatch","patch":"W10="}}""",
            async (c, ct) => await c.ReviewAdmissionAsync(new AdmissionReview
            {
                Request = new AdmissionRequest
                {
                    Uid = "u-1",
                    Namespace = "ml",
                    Object = new PodObject { Spec = new PodSpecification { Containers = [new PodContainer { Resources = new ContainerResources { Limits = new Dictionary<string, string> { ["nvidia.com/gpu"] = "2" } } }] } },
                },
            }, ct),
            o => { var r = (AdmissionReview)o; Assert.True(r.Response!.Allowed); Assert.Equal("u-1", r.Response.Uid); Assert.Equal("high wait risk", Assert.Single(r.Response.Warnings!)); }),
        new(VgacEndpoints.PredictHealth, "/api/predict/health", "", null,
            """{"status":"healthy","model_loaded":true,"model_version":"v3.0-phase2-eks"}""",
            async (c, ct) => await c.GetPredictionHealthAsync(ct),
            o => { var r = (PredictionHealth)o; Assert.Equal("healthy", r.Status); Assert.True(r.ModelLoaded); }),
        new(VgacEndpoints.JobsQueue, "/api/jobs/queue", "?limit=5", null,
            $$"""{"timestamp":"2026-11-26T10:05:00Z","queue_depth":12,"pending_jobs":12,"running_jobs":8,"pending_gpus":30,"jobs":[{{Job}}]}""",
            async (c, ct) => await c.GetJobQueueAsync(5, ct),
            o => { var r = (JobQueueSnapshot)o; Assert.Equal(12, r.QueueDepth); Assert.Equal(JobState.Pending, r.Jobs[0].State); Assert.Equal(0.81, r.Jobs[0].PredictionAtSubmit!.ProbabilityLongWait); }),
        new(VgacEndpoints.JobsPending, "/api/jobs/pending", "?limit=10&namespace=ml-research", null,
            $$"""{"jobs":[{{Job}}],"total":14}""",
            async (c, ct) => await c.GetPendingJobsAsync(10, "ml-research", ct),
            o => { var r = (JobList)o; Assert.Equal(14, r.Total); Assert.Equal("j-42", r.Jobs[0].JobId); Assert.Equal(JobType.Gpu, r.Jobs[0].JobType); }),
        new(VgacEndpoints.JobsRunning, "/api/jobs/running", "", null,
            """{"jobs":[{"job_id":"j-1","namespace":"default","state":"running","gpus":1,"submit_time":"2026-11-26T09:00:00Z","start_time":"2026-11-26T09:00:30Z","nodes":["gpu-node-1"]}],"total":1}""",
            async (c, ct) => await c.GetRunningJobsAsync(cancellationToken: ct),
            o => { var r = (JobList)o; Assert.Equal(JobState.Running, r.Jobs[0].State); Assert.Equal("gpu-node-1", r.Jobs[0].Nodes![0]); }),
        new(VgacEndpoints.JobsHistory, "/api/jobs/history", "?limit=100&state=failed&since=2026-11-25T00%3A00%3A00.0000000%2B00%3A00", null,
            """{"jobs":[{"job_id":"j-9","namespace":"default","state":"failed","gpus":2,"submit_time":"2026-11-25T09:00:00Z","start_time":"2026-11-25T09:10:00Z","wait_seconds":600,"long_wait":true,"reason":"OOMKilled"}],"total":1}""",
            async (c, ct) => await c.GetJobHistoryAsync(new JobHistoryQuery(Limit: 100, State: JobState.Failed, Since: new DateTimeOffset(2026, 11, 25, 0, 0, 0, TimeSpan.Zero)), ct),
            o => { var r = (JobList)o; Assert.Equal(JobState.Failed, r.Jobs[0].State); Assert.True(r.Jobs[0].LongWait); Assert.Equal(600, r.Jobs[0].WaitSeconds); }),
        new(VgacEndpoints.JobsHistoryStats, "/api/jobs/history/stats", "?window_hours=24", null,
            """{"window_hours":24,"total_jobs":500,"succeeded":450,"failed":40,"cancelled":10,"avg_wait_seconds":95,"p50_wait_seconds":2,"p90_wait_seconds":106,"p95_wait_seconds":300,"long_wait_threshold_seconds":133,"long_wait_rate":0.1,"by_namespace":[{"namespace":"ml","jobs":100,"avg_wait_seconds":50,"long_wait_rate":0.05}]}""",
            async (c, ct) => await c.GetJobHistoryStatsAsync(24, ct),
            o => { var r = (JobHistoryStats)o; Assert.Equal(500, r.TotalJobs); Assert.Equal(133, r.LongWaitThresholdSeconds); Assert.Equal("ml", r.ByNamespace[0].Namespace); }),
        new(VgacEndpoints.JobsHistoryFailures, "/api/jobs/history/failures", "", null,
            """{"window_hours":24,"total_jobs":500,"total_failures":40,"failure_rate":0.08,"patterns":[{"reason":"OOMKilled","count":25,"share":0.625,"namespaces":["ml"],"example_job_ids":["j-9"]}]}""",
            async (c, ct) => await c.GetFailureAnalysisAsync(cancellationToken: ct),
            o => { var r = (FailureAnalysis)o; Assert.Equal(40, r.TotalFailures); Assert.Equal("OOMKilled", r.Patterns[0].Reason); }),
        new(VgacEndpoints.JobById, "/api/jobs/j-42", "", null, Job,
            async (c, ct) => await c.GetJobAsync("j-42", ct),
            o => { var r = (JobInfo)o; Assert.Equal("j-42", r.JobId); Assert.Equal(3, r.QueuePosition); }),
        new(VgacEndpoints.JobsPredict, "/api/jobs/predict", "", "\"job_id\":\"j-42\"",
            """{"job_id":"j-42","predicted_wait_seconds":900,"predicted_probability_long_wait":0.64,"confidence":0.55,"is_calibrated":true,"model_version":"v3","ece":0.03,"expected_wait_range":{"p10":60,"p90":2400},"top_factors":[{"feature":"pending_ratio","value":0.6,"contribution":0.4}],"recommendation":null}""",
            async (c, ct) => await c.PredictJobAsync(new JobPredictRequest { JobId = "j-42", Gpus = 2 }, ct),
            o => { var r = (WaitPrediction)o; Assert.Equal(0.55, r.Confidence); Assert.Equal(2400, r.ExpectedWaitRange!["p90"]); Assert.Equal("pending_ratio", r.TopFactors[0].Feature); }),
        new(VgacEndpoints.JobsPredictBatch, "/api/jobs/predict/batch", "", "\"jobs\":[{\"job_id\":\"a\"",
            """{"predictions":[{"job_id":"a","predicted_wait_seconds":10,"predicted_probability_long_wait":0.1,"confidence":0.8,"is_calibrated":true,"model_version":"v3","top_factors":[]}],"count":1}""",
            async (c, ct) => await c.PredictJobBatchAsync([new JobPredictRequest { JobId = "a", Gpus = 1 }], ct),
            o => { var r = (JobBatchPredictResponse)o; Assert.Equal("a", r.Predictions[0].JobId); }),
        new(VgacEndpoints.JobsPredictPending, "/api/jobs/predict/batch", "?limit=3", null,
            """{"predictions":[],"count":0}""",
            async (c, ct) => await c.PredictPendingJobsAsync(3, ct),
            o => Assert.Equal(0, ((JobBatchPredictResponse)o).Count)),
        new(VgacEndpoints.JobsPredictCalibration, "/api/jobs/predict/calibration", "", null,
            """
            {"ece": 0.018, "brier_score": 0.12, "sample_count": 1847, "last_recalibration": "2025-02-01T00:00:00Z", "recalibration_needed": false}
            """,
            async (c, ct) => await c.GetCalibrationAsync(ct),
            o => { var r = (CalibrationMetrics)o; Assert.Equal(0.018, r.Ece); Assert.Equal(1847, r.SampleCount); Assert.False(r.RecalibrationNeeded); }),
        new(VgacEndpoints.ClusterSummary, "/api/cluster/summary", "", null,
            """
            {"cluster_id": "eks-prod-gpu", "scheduler_type": "kubernetes", "total_nodes": 4, "ready_nodes": 4, "total_gpus": 32,
             "available_gpus": 12, "gpu_utilization": 0.78, "pending_jobs": 12, "running_jobs": 8, "queue_depth": 12}
            """,
            async (c, ct) => await c.GetClusterSummaryAsync(ct),
            o => { var r = (ClusterSummary)o; Assert.Equal("eks-prod-gpu", r.ClusterId); Assert.Equal(SchedulerType.Kubernetes, r.SchedulerType); Assert.Equal(0.78, r.GpuUtilization); }),
        new(VgacEndpoints.ClusterSummaryQuick, "/api/cluster/summary/quick", "", null,
            """{"cluster_id":"eks-prod-gpu","total_gpus":32,"available_gpus":12,"gpu_utilization":0.78,"pending_jobs":12,"running_jobs":8}""",
            async (c, ct) => await c.GetQuickClusterSummaryAsync(ct),
            o => Assert.Equal(12, ((QuickClusterSummary)o).AvailableGpus)),
        new(VgacEndpoints.ClusterBifurcation, "/api/cluster/bifurcation", "", null,
            """{"bifurcation_ratio":0.42,"is_bifurcated":true,"fast_start_fraction":0.7,"long_wait_fraction":0.2,"long_wait_threshold_seconds":133,"sample_count":300}""",
            async (c, ct) => await c.GetBifurcationAsync(ct),
            o => { var r = (BifurcationAnalysis)o; Assert.True(r.IsBifurcated); Assert.Equal(300, r.SampleCount); }),
        new(VgacEndpoints.ClusterNodes, "/api/cluster/nodes", "", null,
            """{"nodes":[{"name":"gpu-node-1","status":"not_ready","gpu_type":"A100","total_gpus":8,"allocated_gpus":0,"available_gpus":0}],"total":1}""",
            async (c, ct) => await c.GetNodesAsync(ct),
            o => Assert.Equal(NodeStatus.NotReady, ((NodeList)o).Nodes[0].Status)),
        new(VgacEndpoints.ClusterSlurmStatus, "/api/cluster/slurm/status", "", null,
            """{"cluster_name":"pcluster","controller":"up","partitions":[{"name":"gpu","state":"up","total_nodes":4,"total_gpus":16,"allocated_gpus":12}]}""",
            async (c, ct) => await c.GetSlurmStatusAsync(ct),
            o => Assert.Equal(12, ((SlurmStatus)o).Partitions[0].AllocatedGpus)),
        new(VgacEndpoints.ClusterSlurmQueue, "/api/cluster/slurm/queue", "?limit=50", null,
            """{"jobs":[{"job_id":"1001","partition":"gpu","state":"PENDING","reason":"Resources","gpus":4,"submit_time":"2026-11-26T10:00:00Z"}],"total":1}""",
            async (c, ct) => await c.GetSlurmQueueAsync(50, ct),
            o => Assert.Equal("Resources", ((SlurmQueue)o).Jobs[0].Reason)),
        new(VgacEndpoints.ClusterCapacityForecast, "/api/cluster/capacity/forecast", "?horizon_hours=6", null,
            """{"generated_at":"2026-11-26T10:00:00Z","horizon_hours":6,"method":"running-job completions","points":[{"hours_ahead":1,"expected_available_gpus":14.5,"expected_pending_jobs":6}]}""",
            async (c, ct) => await c.GetCapacityForecastAsync(6, ct),
            o => Assert.Equal(14.5, ((CapacityForecast)o).Points[0].ExpectedAvailableGpus)),
    ];
}
