using System.Text.Json;
using Vgac.Copilot.Simulator;
using Vgac.Copilot.Simulator.Hosting;
using Vgac.Copilot.Testing;

namespace Vgac.Copilot.Cli.Tests;

/// <summary>Several clusters at once: configuration, every command's --cluster, guards that never mix.</summary>
public sealed class ClusterTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>A user config naming two clusters; returns the environment that points at it.</summary>
    private static Dictionary<string, string> WithClusters(string clustersJson, string? extra = null, Dictionary<string, string>? environment = null)
    {
        var home = Vgac.Copilot.Testing.TestPaths.NewFolder("vgac-clusters-home-");
        Directory.CreateDirectory(Path.Combine(home, "vgac"));
        File.WriteAllText(Path.Combine(home, "vgac", "config.json"), $$"""{"Clusters": {{clustersJson}}{{(extra is null ? "" : ", " + extra)}}}""");
        var env = environment ?? [];
        env["XDG_CONFIG_HOME"] = home;
        return env;
    }

    private static string Two(Uri eks, Uri slurm, string eksExtra = "", string slurmExtra = "") => $$"""
        [{"Name": "eks", "BaseUrl": "{{eks}}", "Labels": {"region": "us-east-1"}{{eksExtra}}},
         {"name": "slurm", "base_url": "{{slurm}}"{{slurmExtra}}}]
        """;

    [Fact]
    public async Task Config_TwoClusters_ListsThemWithTheDefault_KeysFromTheEnvironmentNeverShown()
    {
        var env = WithClusters(Two(new Uri("https://eks.example"), new Uri("https://slurm.example"), slurmExtra: """, "ApiKeyEnv": "SLURM_VGAC_KEY" """),
            extra: """ "DefaultCluster": "slurm" """, new() { ["SLURM_VGAC_KEY"] = "slurm-secret-key-123" });

        var text = await CliHarness.RunAsync(["config"], env, Ct);
        var json = await CliHarness.RunAsync(["config", "-o", "json"], env, Ct);

        Assert.True(text.ExitCode == 0, text.ToString());
        Assert.Contains("Clusters (default: slurm):", text.Out, StringComparison.Ordinal);
        Assert.Matches(@"\n    eks    https://eks\.example  region=us-east-1", text.Out);
        Assert.Matches(@"\n  \* slurm  https://slurm\.example", text.Out);
        Assert.DoesNotContain("slurm-secret-key-123", text.Out + json.Out + text.Error, StringComparison.Ordinal);
        using var report = JsonDocument.Parse(json.Out);
        Assert.Equal("slurm", report.RootElement.GetProperty("default_cluster").GetString());
        Assert.Equal(["eks", "slurm"], report.RootElement.GetProperty("clusters").EnumerateArray().Select(c => c.GetProperty("name").GetString()));
    }

    [Theory]
    [InlineData("""[{"Name": "EKS_prod", "BaseUrl": "https://a.example"}]""", "Clusters:0: Name must be a lower-case DNS-1123 label")]
    [InlineData("""[{"Name": "eks", "BaseUrl": "https://a.example"}, {"Name": "eks", "BaseUrl": "https://b.example"}]""", "Clusters:1: the name 'eks' is used twice")]
    [InlineData("""[{"Name": "eks", "BaseUrll": "https://a.example"}]""", "'BaseUrll' is not a cluster setting (did you mean 'BaseUrl'?)")]
    [InlineData("""[{"Name": "eks", "BaseUrl": "ftp://a.example"}]""", "Clusters:0 (eks): BaseUrl must be an absolute http or https URL.")]
    [InlineData("""[{"Name": "eks", "BaseUrl": "https://a.example", "ApiKeyEnv": "NOT_SET_ANYWHERE"}]""", "ApiKeyEnv names the environment variable 'NOT_SET_ANYWHERE', which is not set.")]
    [InlineData("""[{"Name": "eks", "BaseUrl": "https://a.example", "Guards": {"BaselineEce": 2}}]""", "invalid configuration for cluster 'eks'")]
    public async Task Start_InvalidCluster_OneLineNamingTheEntry_Exit2(string clusters, string expected)
    {
        // Two entries where the case needs one more to be a multi-cluster setup.
        var env = WithClusters(clusters.Contains("BaselineEce", StringComparison.Ordinal)
            ? clusters.TrimEnd(']') + """, {"Name": "slurm", "BaseUrl": "https://b.example"}]"""
            : clusters);

        var result = await CliHarness.RunAsync(["predict", "--gpus", "1"], env, Ct);

        Assert.Equal(ExitCodes.UsageError, result.ExitCode);
        Assert.Contains(expected, result.Error, StringComparison.Ordinal);
        Assert.Single(result.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.DoesNotContain("Exception", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Cluster_Unknown_SaysWhichAreConfigured_WithTheClosest()
    {
        var env = WithClusters(Two(new Uri("https://eks.example"), new Uri("https://slurm.example")));

        var result = await CliHarness.RunAsync(["predict", "--gpus", "1", "--cluster", "slrum"], env, Ct);

        Assert.Equal(ExitCodes.UsageError, result.ExitCode);
        Assert.Contains("no cluster is named 'slrum' (did you mean 'slurm'?); configured: eks, slurm.", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Predict_OnOneCluster_OneCallToItsVgacOnly_WithItsOwnKey_JudgedByItsOwnCalibration()
    {
        // EKS is calibrated; Slurm's model has drifted far past its baseline.
        await using var eks = await new ScriptedVgac { Probability = 0.8, Confidence = 0.9, Ece = 0.018 }.StartAsync(Ct);
        await using var slurm = await new ScriptedVgac { Probability = 0.8, Confidence = 0.9, Ece = 0.2, Scheduler = "slurm" }.StartAsync(Ct);
        var env = WithClusters(Two(eks.BaseAddress, slurm.BaseAddress, eksExtra: """, "ApiKey": "eks-key-0001" """, slurmExtra: """, "ApiKeyEnv": "SLURM_KEY" """),
            environment: new() { ["SLURM_KEY"] = "slurm-key-0002" });

        var onSlurm = await CliHarness.RunAsync(["predict", "--gpus", "2", "--cluster", "slurm", "-o", "json"], env, Ct);
        var slurmCalls = slurm.Requests.Count;
        var onEks = await CliHarness.RunAsync(["predict", "--gpus", "2", "-o", "json"], env, Ct);

        Assert.True(onSlurm.ExitCode == 0, onSlurm.ToString());
        Assert.True(onEks.ExitCode == 0, onEks.ToString());
        Assert.All(slurm.Requests, r => Assert.Equal("Bearer slurm-key-0002", r.Headers["Authorization"]));
        Assert.All(eks.Requests, r => Assert.Equal("Bearer eks-key-0001", r.Headers["Authorization"]));
        Assert.Equal(slurmCalls, slurm.Requests.Count); // the EKS run never asked Slurm's VGAC anything
        Assert.Contains(eks.Requests, r => r.Path == "/api/predict/wait");

        using var slurmJson = JsonDocument.Parse(onSlurm.Out);
        using var eksJson = JsonDocument.Parse(onEks.Out);
        Assert.Equal("recalibration_required", slurmJson.RootElement.GetProperty("shown_as").GetString());
        Assert.Equal("slurm", slurmJson.RootElement.GetProperty("cluster").GetString());
        Assert.Equal("confident", eksJson.RootElement.GetProperty("shown_as").GetString());
        Assert.True(eksJson.RootElement.GetProperty("highest_tier").GetInt32() >= 2, onEks.Out);
    }

    [Fact]
    public async Task Predict_OnACluster_KeepsTheFastPath_OneCall_CalibrationCachedPerCluster_NeverMixed()
    {
        await using var eks = await new ScriptedVgac { Probability = 0.8, Ece = 0.018, FinishedJobs = 200 }.StartAsync(Ct);
        await using var slurm = await new ScriptedVgac { Probability = 0.8, Ece = 0.2, FinishedJobs = 200, Scheduler = "slurm" }.StartAsync(Ct);
        var env = WithClusters(Two(eks.BaseAddress, slurm.BaseAddress));
        env["VGAC_DATA_DIR"] = Vgac.Copilot.Testing.TestPaths.NewFolder("vgac-clusters-data-");
        env["VGAC_AUDIT_DB"] = Path.Combine(env["VGAC_DATA_DIR"], "audit.db");

        await CliHarness.RunAsync(["predict", "--gpus", "2", "--cluster", "slurm"], env, Ct);
        await CliHarness.RunAsync(["predict", "--gpus", "2", "--cluster", "eks"], env, Ct);
        var (eksBefore, slurmBefore) = (eks.Requests.Count, slurm.Requests.Count);
        var again = await CliHarness.RunAsync(["predict", "--gpus", "2", "--cluster", "slurm", "-o", "json"], env, Ct);

        Assert.True(again.ExitCode == 0, again.ToString());
        Assert.Equal(["/api/predict/wait"], slurm.Requests.Skip(slurmBefore).Select(r => r.Path));
        Assert.Equal(eksBefore, eks.Requests.Count);
        using var json = JsonDocument.Parse(again.Out);
        Assert.Equal("recalibration_required", json.RootElement.GetProperty("shown_as").GetString()); // Slurm's own cached status, not EKS's
    }

    [Fact]
    public async Task Guards_PerClusterOverride_AppliesToThatClusterOnly()
    {
        // Both report ECE 0.04; Slurm's own baseline says that is normal for it, EKS's default baseline (0.018) does not.
        await using var eks = await new ScriptedVgac { Probability = 0.8, Confidence = 0.9, Ece = 0.04 }.StartAsync(Ct);
        await using var slurm = await new ScriptedVgac { Probability = 0.8, Confidence = 0.9, Ece = 0.04, Scheduler = "slurm" }.StartAsync(Ct);
        var env = WithClusters(Two(eks.BaseAddress, slurm.BaseAddress, slurmExtra: """, "Guards": {"BaselineEce": 0.04, "AllowWeakerThanDefault": true}"""));

        var onSlurm = await CliHarness.RunAsync(["predict", "--gpus", "2", "--cluster", "slurm", "-o", "json"], env, Ct);
        var onEks = await CliHarness.RunAsync(["predict", "--gpus", "2", "--cluster", "eks", "-o", "json"], env, Ct);

        using var slurmJson = JsonDocument.Parse(onSlurm.Out);
        using var eksJson = JsonDocument.Parse(onEks.Out);
        Assert.Equal("stable", slurmJson.RootElement.GetProperty("drift").GetProperty("level").GetString());
        Assert.NotEqual("stable", eksJson.RootElement.GetProperty("drift").GetProperty("level").GetString());
    }

    [Fact]
    public async Task Doctor_OneClusterDown_ItsLineFails_TheOtherIsStillChecked()
    {
        await using var eks = await LoopbackServer.StartAsync(request => request.Path switch
        {
            "/api/predict/health" => ScriptedResponse.Json("""{"status":"healthy","model_loaded":true,"model_version":"v3"}"""),
            "/api/cluster/summary" => ScriptedResponse.Json("""{"cluster_id":"eks-prod","scheduler_type":"kubernetes","total_nodes":4,"ready_nodes":4,"total_gpus":32,"available_gpus":12,"gpu_utilization":0.78,"pending_jobs":12,"running_jobs":8,"queue_depth":12}"""),
            "/api/jobs/predict/calibration" => ScriptedResponse.Json("""{"ece":0.018,"brier_score":0.12,"sample_count":1847,"recalibration_needed":false}"""),
            _ => new ScriptedResponse(404, """{"detail":"Not Found"}"""),
        }, Ct);
        await using var slurm = await LoopbackServer.StartAsync(_ => new ScriptedResponse(503, """{"detail":"down for maintenance"}"""), Ct);
        var env = WithClusters(Two(eks.BaseAddress, slurm.BaseAddress));

        var result = await CliHarness.RunAsync(["doctor"], env, Ct);

        var lines = result.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.StartsWith("  ok    eks  ", lines[0], StringComparison.Ordinal);
        Assert.StartsWith("  FAIL  slurm", lines[1], StringComparison.Ordinal);
        Assert.Contains("Verdict: 1 of 2 clusters need attention", result.Out, StringComparison.Ordinal);
        Assert.Contains("eks-prod (kubernetes): 12/32 GPUs free", lines[0], StringComparison.Ordinal);
        Assert.Equal(ExitCodes.VgacError, result.ExitCode); // the failing cluster's code: VGAC answered 503
    }

    [Fact]
    public async Task Watch_TwoRealSimulators_OneFailsMidCycle_TheOtherKeepsWatching_TrailPerClusterChecksClean()
    {
        await using var eks = await SimulatorHost.StartAsync(new SimulatorOptions { Speed = 0, ClusterId = "eks" }, cancellationToken: Ct);
        await using var slurmSim = await SimulatorHost.StartAsync(new SimulatorOptions { Speed = 0, Flavor = Contracts.SchedulerType.Slurm, ClusterId = "slurm", Seed = 7 }, cancellationToken: Ct);

        // Slurm's VGAC behind a proxy that answers its first calls, then fails: the second cycle dies half-way through.
        using var forward = new HttpClient { BaseAddress = slurmSim.Url };
        var answered = 0;
        var failFrom = int.MaxValue;
        await using var slurm = await LoopbackServer.StartAsync(request =>
        {
            if (Interlocked.Increment(ref answered) >= Volatile.Read(ref failFrom))
            {
                return new ScriptedResponse(503, """{"detail":"slurm controller unreachable"}""");
            }

            using var message = new HttpRequestMessage(new HttpMethod(request.Method), request.Path + request.Query)
            {
                Content = request.Method == "GET" ? null : new StringContent(request.Body, System.Text.Encoding.UTF8, "application/json"),
            };
            using var response = forward.Send(message, Ct);
            return new ScriptedResponse((int)response.StatusCode, response.Content.ReadAsStringAsync(Ct).GetAwaiter().GetResult());
        }, Ct);
        var db = Path.Combine(Vgac.Copilot.Testing.TestPaths.NewFolder("vgac-clusters-trail-"), "audit.db");
        var env = WithClusters(Two(eks.Url, slurm.BaseAddress));
        env["VGAC_AUDIT_DB"] = db;

        var first = await CliHarness.RunAsync(["watch", "--once", "-o", "json"], env, Ct);
        var perCycle = Volatile.Read(ref answered);
        Volatile.Write(ref failFrom, perCycle + 3); // three calls into the next cycle
        var second = await CliHarness.RunAsync(["watch", "--cycles", "1", "-o", "json"], env, Ct);
        var check = await CliHarness.RunAsync(["audit", "--check", "-o", "json"], env, Ct);
        var slurmOnly = await CliHarness.RunAsync(["audit", "--cluster", "slurm", "-o", "json"], env, Ct);

        Assert.True(first.ExitCode == 0, first.ToString());
        Assert.True(second.ExitCode == ExitCodes.VgacUnavailable, second.ToString()); // one cluster's cycle was an outage
        var cycles = second.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement).ToDictionary(e => e.GetProperty("cluster").GetString()!);
        Assert.False(cycles["eks"].TryGetProperty("outage", out var eksOutage) && eksOutage.ValueKind != JsonValueKind.Null, second.Out);
        Assert.True(cycles["eks"].GetProperty("observation").ValueKind == JsonValueKind.Object, second.Out);
        Assert.Contains("is unavailable", cycles["slurm"].GetProperty("outage").GetString(), StringComparison.Ordinal);
        Assert.Equal("slurm", cycles["slurm"].GetProperty("observation").GetProperty("cluster").GetProperty("cluster_id").GetString()); // it failed after observing

        Assert.True(check.ExitCode == 0, check.ToString());
        var checks = check.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.Equal(["eks", "slurm"], checks.Select(c => c.GetProperty("cluster").GetString()));
        Assert.Equal(1, checks[1].GetProperty("check").GetProperty("outages").GetInt32());
        Assert.Equal(0, checks[0].GetProperty("check").GetProperty("outages").GetInt32());
        Assert.All(slurmOnly.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries), l => Assert.Equal("slurm", JsonDocument.Parse(l).RootElement.GetProperty("cluster").GetString()));

    }

    [Fact]
    public async Task Actions_EveryClustersProposals_OrOnes_ApprovedThroughItsOwnClustersVgac()
    {
        // Both answer with the same Kubernetes job ("job-1"): the same id on two clusters is two jobs.
        await using var eks = await new ScriptedVgac { Probability = 0.6 }.StartAsync(Ct);
        await using var slurm = await new ScriptedVgac { Probability = 0.6 }.StartAsync(Ct);
        var env = WithClusters(Two(eks.BaseAddress, slurm.BaseAddress));
        env["VGAC_AUDIT_DB"] = Path.Combine(Vgac.Copilot.Testing.TestPaths.NewFolder("vgac-clusters-actions-"), "audit.db");

        var watch = await CliHarness.RunAsync(["watch", "--once"], env, Ct);
        var all = await CliHarness.RunAsync(["actions", "list", "--all", "-o", "json"], env, Ct);
        var text = await CliHarness.RunAsync(["actions", "list", "--all"], env, Ct);
        var eksOnly = await CliHarness.RunAsync(["actions", "list", "--all", "--cluster", "eks", "-o", "json"], env, Ct);

        Assert.True(watch.ExitCode == 0, watch.ToString());
        var records = all.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement.Clone()).ToList();
        Assert.Equal(["eks", "slurm"], records.Select(r => r.GetProperty("cluster").GetString()).Distinct().Order(StringComparer.Ordinal));
        // One job id on two clusters is two jobs, so two proposals with ids of their own.
        Assert.Equal(records.Count, records.Select(r => r.GetProperty("proposal").GetProperty("proposal_id").GetString()).Distinct().Count());
        Assert.StartsWith("cluster", text.Out, StringComparison.Ordinal);
        var eksRecords = eksOnly.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement.GetProperty("cluster").GetString()).ToList();
        Assert.Equal(records.Count(r => r.GetProperty("cluster").GetString() == "eks"), eksRecords.Count);
        Assert.All(eksRecords, c => Assert.Equal("eks", c));

        // Approving Slurm's proposal asks Slurm's VGAC for the fresh prediction, never EKS's.
        var waiting = records.First(r => r.GetProperty("cluster").GetString() == "slurm" && r.GetProperty("state").GetString() == "awaiting_approval");
        var (eksBefore, slurmBefore) = (eks.Requests.Count, slurm.Requests.Count);
        var approve = await CliHarness.RunAsync(["actions", "approve", waiting.GetProperty("proposal").GetProperty("proposal_id").GetString()!], env, Ct);
        Assert.True(slurm.Requests.Count > slurmBefore, approve.ToString());
        Assert.Equal(eksBefore, eks.Requests.Count);
    }

    [Fact]
    public async Task CalibrationAuditLive_OnACluster_AsksThatClustersVgacOnly_AndRecordsTheAuditAsItsOwn()
    {
        await using var eks = await new ScriptedVgac { Ece = 0.018, FinishedJobs = 200 }.StartAsync(Ct);
        await using var slurm = await new ScriptedVgac { Ece = 0.03, FinishedJobs = 200, Scheduler = "slurm" }.StartAsync(Ct);
        var env = WithClusters(Two(eks.BaseAddress, slurm.BaseAddress));
        env["VGAC_AUDIT_DB"] = Path.Combine(Vgac.Copilot.Testing.TestPaths.NewFolder("vgac-clusters-audit-"), "audit.db");

        var result = await CliHarness.RunAsync(["calibration", "audit", "--live", "--cluster", "slurm"], env, Ct);
        var trail = await CliHarness.RunAsync(["audit", "-o", "json"], env, Ct);

        Assert.True(result.ExitCode is 0 or ExitCodes.SloFailed, result.ToString());
        Assert.Contains(slurm.Requests, r => r.Path == "/api/jobs/history");
        Assert.Empty(eks.Requests);
        var records = trail.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.Contains(records, r => r.GetProperty("kind").GetString() == "calibration");
        Assert.All(records, r => Assert.Equal("slurm", r.GetProperty("cluster").GetString()));
    }
}

/// <summary>The planners and the REPL across the two demo clusters.</summary>
public sealed class ClusterConversationTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Ask_CompareTwoClusters_OfflinePlannerFansOut_AnswersSideBySide_Grounded()
    {
        var result = await CliHarness.RunAsync(["ask", "--demo", "compare the wait for 4 GPUs on eks and slurm", "--format", "json"], cancellationToken: Ct);

        Assert.True(result.ExitCode == 0, result.ToString());
        using var json = JsonDocument.Parse(result.Out);
        var calls = json.RootElement.GetProperty("tool_calls").EnumerateArray().ToList();
        Assert.Equal(["eks", "slurm"], calls.Select(c => c.GetProperty("arguments").GetProperty("cluster").GetString()));
        Assert.All(calls, c => Assert.Equal("predictor_predict_wait", c.GetProperty("name").GetString()));
        var answer = json.RootElement.GetProperty("answer").GetString()!;
        Assert.Contains("On eks: For 4 GPU(s)", answer, StringComparison.Ordinal);
        Assert.Contains("On slurm: For 4 GPU(s)", answer, StringComparison.Ordinal);
        Assert.Matches(@"Side by side: eks P\(long wait\) 0\.\d\d \(\w+\), about [\d.]+ min; slurm P\(long wait\) 0\.\d\d", answer);
        Assert.True(json.RootElement.GetProperty("answer_check").GetProperty("passed").GetBoolean(), result.Out);
    }

    [Fact]
    public async Task Ask_NamesOneCluster_GoesThereOnly()
    {
        var result = await CliHarness.RunAsync(["ask", "--demo", "what is the cluster status on slurm?", "--format", "json"], cancellationToken: Ct);

        Assert.True(result.ExitCode == 0, result.ToString());
        using var json = JsonDocument.Parse(result.Out);
        var call = Assert.Single(json.RootElement.GetProperty("tool_calls").EnumerateArray());
        Assert.Equal("slurm", call.GetProperty("arguments").GetProperty("cluster").GetString());
        Assert.StartsWith("Cluster slurm (slurm):", json.RootElement.GetProperty("answer").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Chat_ClusterCommand_SwitchesWhereQuestionsGo_PromptShowsIt_FollowUpOnAnotherCluster()
    {
        var result = await CliHarness.RunAsync(["chat", "--demo"], cancellationToken: Ct,
            input: "/cluster\nhow busy is the cluster?\n/cluster slurm\nhow busy is the cluster?\nwhen would 2 GPUs start?\nand on eks?\n/cluster gke\nexit\n");

        Assert.True(result.ExitCode == 0, result.ToString());
        var text = result.Out;
        Assert.Contains("vgac[eks]>", text, StringComparison.Ordinal);
        Assert.Contains("vgac[slurm]>", text, StringComparison.Ordinal);
        Assert.Matches(@"\* eks\s+embedded simulator \(kubernetes\)", text);
        Assert.Contains("Cluster eks (kubernetes):", text, StringComparison.Ordinal);
        Assert.Contains("questions now go to slurm", text, StringComparison.Ordinal);
        Assert.Contains("Cluster slurm (slurm):", text, StringComparison.Ordinal);
        Assert.Contains("no cluster is named gke", text, StringComparison.Ordinal);

        // "and on eks?" asks the previous question (2 GPUs) of the cluster it names.
        Assert.Contains("· predictor_predict_wait gpus=2 ok", text, StringComparison.Ordinal);
        Assert.Contains("· predictor_predict_wait gpus=2, cluster=eks ok", text, StringComparison.Ordinal);
        Assert.Contains("clusters eks, slurm (questions go to eks; /cluster switches)", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Chat_SlurmQueueThenOnEks_AnswersTheEquivalentQuestionThere_NeverA404()
    {
        var result = await CliHarness.RunAsync(["chat", "--demo"], cancellationToken: Ct, input: "show the slurm queue on slurm\nand on eks?\nslurm queue on eks and slurm\nexit\n");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("Slurm queue: ", result.Out, StringComparison.Ordinal);
        Assert.Contains("eks is not a Slurm cluster, so it has no Slurm queue; its job queue instead:", result.Out, StringComparison.Ordinal);
        Assert.Matches(@"\d+ jobs are pending \(\d+ GPUs requested\)", result.Out);
        Assert.Contains("On slurm: Slurm queue: ", result.Out, StringComparison.Ordinal);
        Assert.DoesNotContain("404", result.Out, StringComparison.Ordinal);
        Assert.DoesNotContain("could not get that", result.Out, StringComparison.Ordinal);
    }
}
