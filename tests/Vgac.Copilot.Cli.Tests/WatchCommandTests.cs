using System.Text.Json;
using Vgac.Copilot.Testing;

namespace Vgac.Copilot.Cli.Tests;

/// <summary><c>vgac watch</c>, <c>vgac actions</c> and <c>vgac audit</c> end to end, as a person would use them.</summary>
public sealed class WatchCommandTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public void FailedCycleLine_SaysWhatWasRecordedBeforeTheFailure_OrThatNothingWas()
    {
        var next = new Watch.Loop.NextCycle(TimeSpan.FromSeconds(30), 1);
        var after = Watching.WatchView.Line(Watch.CycleReport.Failed(DateTimeOffset.UnixEpoch, Actions.Autonomy.Notify, "the store went away", "cycle 7's 12 records (1 proposal, 1 start)"), next);
        var before = Watching.WatchView.Line(Watch.CycleReport.Failed(DateTimeOffset.UnixEpoch, Actions.Autonomy.Notify, "the store went away"), next);

        Assert.StartsWith("cycle failed after recording cycle 7's 12 records (1 proposal, 1 start) (a start left without an outcome is closed as interrupted by the next cycle): the store went away", after, StringComparison.Ordinal);
        Assert.StartsWith("cycle failed, nothing recorded, proposed or run: the store went away", before, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Actions_ApprovalFlowThroughTheCli_ProposeListShowApproveAndAudit()
    {
        await using var vgac = await new ScriptedVgac { Probability = 0.6 }.StartAsync(Ct);
        await using var receiver = await LoopbackServer.StartAsync(_ => new ScriptedResponse(200, "ok", ContentType: "text/plain"), Ct);
        var env = Environment(vgac, receiver);

        var watch = await CliHarness.RunAsync(["watch", "--once"], env, Ct);
        Assert.True(watch.ExitCode == 0, watch.ToString());
        Assert.Contains("awaiting approval", watch.Out, StringComparison.Ordinal);
        Assert.Empty(receiver.Requests);

        var list = await CliHarness.RunAsync(["actions", "list", "--format", "json"], env, Ct);
        using var listed = JsonDocument.Parse(Assert.Single(Lines(list.Out)));
        var id = listed.RootElement.GetProperty("proposal").GetProperty("proposal_id").GetString()!;
        var preview = listed.RootElement.GetProperty("proposal").GetProperty("preview").GetString()!;
        Assert.Equal("awaiting_approval", listed.RootElement.GetProperty("state").GetString());
        var table = await CliHarness.RunAsync(["actions", "list"], env, Ct);
        Assert.Equal(["PROPOSAL", "PROPOSED", "JOB", "T", "ACTION", "P(LONG)", "CONF", "STATE"], Lines(table.Out)[0].Split(' ', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith(id, Lines(table.Out)[1], StringComparison.Ordinal);

        var show = await CliHarness.RunAsync(["actions", "show", id], env, Ct);
        Assert.True(show.ExitCode == 0, show.ToString());
        Assert.Contains(preview, show.Out, StringComparison.Ordinal);
        Assert.Contains("warn job job-1 (tier 2)", show.Out, StringComparison.Ordinal);

        var approve = await CliHarness.RunAsync(["actions", "approve", id, "--reason", "checked the queue"], env, Ct);
        Assert.True(approve.ExitCode == 0, approve.ToString());
        Assert.Contains("executed", approve.Out, StringComparison.Ordinal);
        Assert.Equal(preview, Assert.Single(receiver.Requests).Body);

        var again = await CliHarness.RunAsync(["actions", "approve", id], env, Ct);
        Assert.Equal(7, again.ExitCode);
        Assert.Contains("already executed", again.Error, StringComparison.Ordinal);
        Assert.Single(receiver.Requests);

        var missing = await CliHarness.RunAsync(["actions", "reject", "prop-0000000000-9"], env, Ct);
        Assert.Equal(8, missing.ExitCode);
        Assert.Contains("no proposal 'prop-0000000000-9'", missing.Error, StringComparison.Ordinal);

        var pending = await CliHarness.RunAsync(["actions", "list"], env, Ct);
        Assert.Contains("Nothing awaits approval.", pending.Out, StringComparison.Ordinal);

        var trail = await CliHarness.RunAsync(["audit", "--job", "job-1", "--format", "json"], env, Ct);
        var kinds = Lines(trail.Out).Select(l => JsonDocument.Parse(l).RootElement.GetProperty("kind").GetString()).ToList();
        Assert.Equal(["proposal", "approval", "execution_started", "execution"], kinds);

        var recent = await CliHarness.RunAsync(["audit", "--since", "1h", "--format", "json"], env, Ct);
        var future = await CliHarness.RunAsync(["audit", "--since", "2999-01-01T00:00Z"], env, Ct);
        var badSince = await CliHarness.RunAsync(["audit", "--since", "yesterday"], env, Ct);
        Assert.True(Lines(recent.Out).Length > kinds.Count, recent.ToString());
        Assert.Equal((0, ""), (future.ExitCode, future.Out));
        Assert.Equal(2, badSince.ExitCode);
        Assert.Contains("--since must be a duration back from now", badSince.Error, StringComparison.Ordinal);

        var check = await CliHarness.RunAsync(["audit", "--check"], env, Ct);
        Assert.True(check.ExitCode == 0, check.ToString());
        Assert.Contains("1 executed", check.Out, StringComparison.Ordinal);
        Assert.Contains("no violations", check.Out, StringComparison.Ordinal);
        Assert.DoesNotContain("hook-secret", watch.Out + approve.Out + trail.Out + check.Out + approve.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WatchDemo_DayWithDriftAndFaults_RunsUnattendedWithACleanTrail()
    {
        var db = TempDb();

        var result = await CliHarness.RunAsync(
            ["watch", "--demo", "--autonomy", "full", "--cycles", "48", "--sim-step", "30m", "--interval", "10ms", "--format", "json", "--audit-db", db], cancellationToken: Ct);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal(96, Lines(result.Out).Length); // 48 cycles on each demo cluster
        Assert.Contains("[eks] [demo +02h] drift injected", result.Error, StringComparison.Ordinal);
        Assert.Contains("[eks] [demo +17h] VGAC outage", result.Error, StringComparison.Ordinal);
        Assert.Contains("[eks] audit trail", result.Error, StringComparison.Ordinal);
        Assert.Contains("[slurm] audit trail", result.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("violation:", result.Error, StringComparison.Ordinal);
        Assert.Equal(2, result.Error.Split("guard check: no violations").Length - 1);
        // It ends by saying where to go next, with the trail it wrote.
        Assert.Contains($"vgac audit --audit-db '{db}' --check", result.Error, StringComparison.Ordinal);
        var all = Lines(result.Out).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        var reports = all.Where(r => r.GetProperty("cluster").GetString() == "eks").ToList();
        var calm = all.Where(r => r.GetProperty("cluster").GetString() == "slurm").ToList();
        Assert.Equal((48, 48), (reports.Count, calm.Count));
        Assert.Contains(reports, r => r.TryGetProperty("outage", out var outage) && outage.ValueKind == JsonValueKind.String);

        // The EKS outage and drift are EKS's alone: Slurm's cycles went on, none of them an outage.
        Assert.DoesNotContain(calm, r => r.TryGetProperty("outage", out var outage) && outage.ValueKind == JsonValueKind.String);

        // The story holds together: calm until the drift is injected (before cycle 5), then the cycles show it within a few.
        string? Drift(JsonElement r) => r.TryGetProperty("calibration", out var c) && c.ValueKind == JsonValueKind.Object ? c.GetProperty("drift").GetString() : null;
        Assert.All(reports.Take(4), r => Assert.Equal("stable", Drift(r)));
        Assert.Contains(reports.Skip(4).Take(8), r => Drift(r) is "reduce_autonomy" or "recalibration_required");
        Assert.Contains(reports, r => Drift(r) == "recalibration_required");

        // The trail follows the simulated day: 48 half-hour steps span a day of audit timestamps.
        var first = reports[0].GetProperty("at").GetDateTimeOffset();
        var last = reports[^1].GetProperty("at").GetDateTimeOffset();
        Assert.Equal(TimeSpan.FromHours(23.5), last - first);
    }

    [Fact]
    public async Task Actions_NewerProposalSupersedesTheOlder_ApproveAllDecidesEachWaitingOneOnce()
    {
        await using var vgac = await new ScriptedVgac { Probability = 0.6 }.StartAsync(Ct);
        await using var receiver = await LoopbackServer.StartAsync(_ => new ScriptedResponse(200, "ok", ContentType: "text/plain"), Ct);
        var env = Environment(vgac, receiver);
        env["Watch__DedupeMinutes"] = "0.001"; // every cycle proposes again for the same job and tier

        Assert.Equal(0, (await CliHarness.RunAsync(["watch", "--once"], env, Ct)).ExitCode);
        await Task.Delay(TimeSpan.FromSeconds(1.5), Ct); // past the 60 ms window, whatever the trail's timestamp resolution
        Assert.Equal(0, (await CliHarness.RunAsync(["watch", "--once"], env, Ct)).ExitCode);
        var list = await CliHarness.RunAsync(["actions", "list", "--all", "--format", "json"], env, Ct);
        var records = Lines(list.Out).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        var older = records[0].GetProperty("proposal").GetProperty("proposal_id").GetString()!;
        var newer = records[^1].GetProperty("proposal").GetProperty("proposal_id").GetString()!;
        var approveOlder = await CliHarness.RunAsync(["actions", "approve", older], env, Ct);
        var waiting = await CliHarness.RunAsync(["actions", "list"], env, Ct);
        var tier = records[^1].GetProperty("proposal").GetProperty("tier").GetInt32();
        var otherTier = await CliHarness.RunAsync(["actions", "approve", "--all", "--tier", (tier % 4 + 1).ToString(System.Globalization.CultureInfo.InvariantCulture)], env, Ct);
        var all = await CliHarness.RunAsync(["actions", "approve", "--all", "--tier", tier.ToString(System.Globalization.CultureInfo.InvariantCulture)], env, Ct);
        var again = await CliHarness.RunAsync(["actions", "approve", "--all"], env, Ct);
        var neither = await CliHarness.RunAsync(["actions", "approve"], env, Ct);

        Assert.Equal(2, records.Count);
        Assert.Equal(["superseded", "awaiting_approval"], records.Select(r => r.GetProperty("state").GetString()));
        Assert.Equal(ExitCodes.ActionRefused, approveOlder.ExitCode);
        Assert.Contains($"cannot approve {older}: {newer} replaced it", approveOlder.Error, StringComparison.Ordinal);
        Assert.Equal(2, Lines(waiting.Out).Length); // the header and the newer proposal only
        Assert.Contains("Nothing awaits approval.", otherTier.Error, StringComparison.Ordinal);
        Assert.True(all.ExitCode == ExitCodes.Success, all.ToString());
        Assert.StartsWith($"{newer}: executed", Lines(all.Out).Single(), StringComparison.Ordinal);
        Assert.Contains("1 proposal approved and run, 0 others not run.", all.Error, StringComparison.Ordinal);
        Assert.Single(receiver.Requests);
        Assert.Contains("Nothing awaits approval.", again.Error, StringComparison.Ordinal);
        Assert.Equal(ExitCodes.UsageError, neither.ExitCode);
        Assert.Contains("or --all", neither.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Approve_AgainstAVgacThatDoesNotKnowTheJob_IsNotFoundExit8_NotAnOutage()
    {
        await using var vgac = await new ScriptedVgac { Probability = 0.6 }.StartAsync(Ct);
        await using var receiver = await LoopbackServer.StartAsync(_ => new ScriptedResponse(200, "ok", ContentType: "text/plain"), Ct);
        await using var other = await LoopbackServer.StartAsync(_ => new ScriptedResponse(404, """{"detail":"Job not found"}"""), Ct);
        var env = Environment(vgac, receiver);
        Assert.Equal(0, (await CliHarness.RunAsync(["watch", "--once"], env, Ct)).ExitCode);
        var list = await CliHarness.RunAsync(["actions", "list", "--format", "json"], env, Ct);
        var id = JsonDocument.Parse(Lines(list.Out)[0]).RootElement.GetProperty("proposal").GetProperty("proposal_id").GetString()!;

        // A demo's proposal approved against a fresh simulator is the same situation: that VGAC never saw the job.
        // (Configured, not a --vgac-url flag: an approval acts only through the cluster's configured VGAC.)
        var result = await CliHarness.RunAsync(["actions", "approve", id], new Dictionary<string, string>(env) { ["VGAC_API_BASE_URL"] = other.BaseAddress.ToString() }, Ct);

        Assert.Equal(ExitCodes.NotFound, result.ExitCode);
        Assert.Contains("VGAC does not know job", result.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("could not confirm", result.Error, StringComparison.Ordinal);
        Assert.Empty(receiver.Requests);
    }

    [Fact]
    public async Task Readers_Demo_OpenTheLatestDemoTrail_SinceCountsBackFromItsNewestRecord()
    {
        var folder = Vgac.Copilot.Testing.TestPaths.NewFolder("vgac-demo-trails-");
        var env = new Dictionary<string, string> { ["VGAC_AUDIT_DB"] = Path.Combine(folder, "audit.db") };
        var none = await CliHarness.RunAsync(["audit", "--demo"], env, Ct);

        var watch = await CliHarness.RunAsync(["watch", "--demo", "--cycles", "6", "--sim-step", "30m", "--interval", "10ms", "--format", "json"], env, Ct);
        var all = await CliHarness.RunAsync(["audit", "--demo", "--format", "json"], env, Ct);
        var lastHour = await CliHarness.RunAsync(["audit", "--demo", "--since", "1h", "--format", "json"], env, Ct);
        var proposals = await CliHarness.RunAsync(["actions", "list", "--demo", "--all", "--format", "json"], env, Ct);

        Assert.Equal(ExitCodes.UsageError, none.ExitCode);
        Assert.Contains("no demo trail with a recorded cycle in", none.Error, StringComparison.Ordinal);
        Assert.True(watch.ExitCode == ExitCodes.Success, watch.ToString());
        Assert.Single(Directory.GetFiles(folder, "demo-audit-*.db"));
        Assert.True(all.ExitCode == ExitCodes.Success, all.ToString());
        // The demo's clock is the simulator's (January): counted back from now, "1h" would find nothing at all.
        var times = Lines(all.Out).Select(l => JsonDocument.Parse(l).RootElement.GetProperty("at").GetDateTimeOffset()).ToList();
        var recent = Lines(lastHour.Out);
        Assert.NotEmpty(recent);
        Assert.True(recent.Length < times.Count, "--since 1h keeps only the demo's last hour");
        Assert.All(recent, l => Assert.True(JsonDocument.Parse(l).RootElement.GetProperty("at").GetDateTimeOffset() >= times.Max().AddHours(-1)));
        Assert.True(proposals.ExitCode == ExitCodes.Success, proposals.ToString());
    }

    [Fact]
    public async Task WatchLines_ManyProposals_ListsFiveACycleAndCountsTheRest()
    {
        var db = TempDb();

        var result = await CliHarness.RunAsync(["watch", "--demo", "--cycles", "9", "--sim-step", "30m", "--interval", "10ms", "--audit-db", db], cancellationToken: Ct);

        Assert.True(result.ExitCode == 0, result.ToString());
        var lines = result.Out.Split('\n');
        // Cycle 8 of the demo day proposes for 18 waiting jobs: five are listed, the rest counted.
        var cycle8 = Array.FindIndex(lines, l => l.StartsWith("[eks] cycle 8:", StringComparison.Ordinal));
        Assert.Matches(@"\b18 proposed\b", lines[cycle8]);
        Assert.All(lines[(cycle8 + 1)..(cycle8 + 6)], l => Assert.StartsWith("  prop-", l, StringComparison.Ordinal));
        Assert.Equal("  ... and 13 more proposals, all in the audit trail", lines[cycle8 + 6].TrimEnd('\r'));
    }

    [Fact]
    public async Task WatchDemo_ReusingATrail_TimeNeverGoesBackwards()
    {
        var db = TempDb();
        string[] run = ["watch", "--demo", "--cycles", "3", "--sim-step", "30m", "--interval", "10ms", "--format", "json", "--audit-db", db];

        var first = await CliHarness.RunAsync(run, cancellationToken: Ct);
        var second = await CliHarness.RunAsync(run, cancellationToken: Ct);
        var trail = await CliHarness.RunAsync(["audit", "--audit-db", db, "--format", "json"], cancellationToken: Ct);

        Assert.True(first.ExitCode == 0 && second.ExitCode == 0, first.ToString() + second);
        // Each demo cluster runs on its own simulator's clock: time never goes backwards within a cluster.
        foreach (var cluster in new[] { "eks", "slurm" })
        {
            var at = (string output) => Lines(output).Select(l => JsonDocument.Parse(l).RootElement).Where(e => e.GetProperty("cluster").GetString() == cluster)
                .Select(e => e.GetProperty("at").GetDateTimeOffset()).ToList();
            var firstEnd = at(first.Out).Max();
            var secondStart = at(second.Out).Min();
            Assert.True(secondStart > firstEnd, $"{cluster}: the second run starts at {secondStart:u}, before the first ended ({firstEnd:u})");
            var ids = Lines(trail.Out).Select(l => JsonDocument.Parse(l).RootElement).Where(e => e.GetProperty("cluster").GetString() == cluster)
                .Select(e => (Id: e.GetProperty("id").GetInt64(), At: e.GetProperty("at").GetDateTimeOffset())).OrderBy(e => e.Id).ToList();
            Assert.NotEmpty(ids);
            Assert.All(ids.Zip(ids.Skip(1)), pair => Assert.True(pair.Second.At >= pair.First.At, $"{cluster}: record {pair.Second.Id} is older than record {pair.First.Id}"));
        }
    }

    [Fact]
    public async Task WatchOnce_VgacDown_SaysSoAndExits3_WithoutPromisingABackoff()
    {
        var result = await CliHarness.RunAsync(["watch", "--once", "--vgac-url", "http://127.0.0.1:1", "--timeout", "2"], cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal(ExitCodes.VgacUnavailable, result.ExitCode);
        Assert.Contains("cycle 1: VGAC outage, nothing proposed or run", result.Out + result.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("backing off", result.Out + result.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("Exception", result.Out + result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Watch_AnotherWatchHoldsTheTrail_ExitTwoSayingSo()
    {
        await using var vgac = await new ScriptedVgac().StartAsync(Ct);
        var db = TempDb();
        var env = new Dictionary<string, string> { ["VGAC_API_BASE_URL"] = vgac.BaseAddress.ToString(), ["VGAC_AUDIT_DB"] = db };

        using (Vgac.Copilot.Watch.Loop.WatchLock.Acquire(db))
        {
            var blocked = await CliHarness.RunAsync(["watch", "--once"], env, Ct);
            Assert.Equal(2, blocked.ExitCode);
            Assert.Contains("another vgac watch", blocked.Error, StringComparison.Ordinal);
        }

        var free = await CliHarness.RunAsync(["watch", "--once"], env, Ct);
        Assert.True(free.ExitCode == 0, free.ToString());
    }

    [Fact]
    public async Task Readers_NoTrailYet_SaySoWithoutCreatingOne()
    {
        var db = Path.Combine(Path.GetTempPath(), $"vgac-none-{Guid.NewGuid():N}", "audit.db");
        var env = new Dictionary<string, string> { ["VGAC_AUDIT_DB"] = db };

        var audit = await CliHarness.RunAsync(["audit"], env, Ct);
        var list = await CliHarness.RunAsync(["actions", "list"], env, Ct);
        var show = await CliHarness.RunAsync(["actions", "show", "prop-1"], env, Ct);

        Assert.Equal((8, 0, 8), (audit.ExitCode, list.ExitCode, show.ExitCode));
        Assert.Contains("no audit trail at", audit.Error, StringComparison.Ordinal);
        Assert.Contains("No audit trail at", list.Out, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.GetDirectoryName(db)));
    }

    [Fact]
    public async Task Config_WebhookUrlSet_ShownAsSetButHidden()
    {
        var db = TempDb();
        var result = await CliHarness.RunAsync(["config"], new Dictionary<string, string>
        {
            ["VGAC_WEBHOOK_URL"] = "https://hooks.example.com/services/hook-secret",
            ["VGAC_AUDIT_DB"] = db,
            ["Watch__Autonomy"] = "notify",
        }, Ct);

        var json = await CliHarness.RunAsync(["config", "--format", "json"], new Dictionary<string, string>
        {
            ["VGAC_WEBHOOK_URL"] = "https://hooks.example.com/services/hook-secret",
            ["VGAC_AUDIT_DB"] = db,
        }, Ct);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("(set, hidden)", result.Out, StringComparison.Ordinal);
        Assert.Contains("notify", result.Out, StringComparison.Ordinal);
        Assert.DoesNotContain("hook-secret", result.Out + result.Error + json.Out, StringComparison.Ordinal);
        using var settings = JsonDocument.Parse(json.Out);
        Assert.Contains(settings.RootElement.GetProperty("settings").EnumerateArray(),
            s => s.GetProperty("key").GetString() == "Watch:AuditPath" && s.GetProperty("value").GetString() == db);
    }

    [Theory]
    [InlineData("--interval", "soon", "--interval must be a positive duration")]
    [InlineData("--autonomy", "maybe", "--autonomy must be off, notify or full, got 'maybe'")]
    [InlineData("--cycles", "0", "--cycles must be at least 1")]
    [InlineData("--sim-step", "-10m", "--sim-step must be a positive duration")]
    public async Task Watch_BadOption_ExitTwoNamingIt(string option, string value, string message)
    {
        var result = await CliHarness.RunAsync(["watch", option, value], new Dictionary<string, string> { ["VGAC_API_BASE_URL"] = "http://127.0.0.1:1" }, Ct);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains(message, result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Watch_BadWebhookUrl_ExitTwoWithoutEchoingIt()
    {
        var result = await CliHarness.RunAsync(["watch", "--once"], new Dictionary<string, string>
        {
            ["VGAC_API_BASE_URL"] = "http://127.0.0.1:1",
            ["VGAC_WEBHOOK_URL"] = "not-a-url/hook-secret",
            ["VGAC_AUDIT_DB"] = TempDb(),
        }, Ct);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("Watch:Webhook:Url (VGAC_WEBHOOK_URL) must be an absolute http(s) URL", result.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("hook-secret", result.Error, StringComparison.Ordinal);
    }

    private static Dictionary<string, string> Environment(LoopbackServer vgac, LoopbackServer receiver) => new()
    {
        ["VGAC_API_BASE_URL"] = vgac.BaseAddress.ToString(),
        ["VGAC_WEBHOOK_URL"] = new Uri(receiver.BaseAddress, "/services/hook-secret").ToString(),
        ["VGAC_AUDIT_DB"] = TempDb(),
        ["Vgac__MaxRetries"] = "0",
    };

    private static string TempDb() => Path.Combine(Vgac.Copilot.Testing.TestPaths.NewFolder("vgac-cli-audit-"), "audit.db");

    private static string[] Lines(string text) => text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
}
