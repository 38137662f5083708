using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using Vgac.Copilot.Testing;

namespace Vgac.Copilot.Cli.IntegrationTests;

/// <summary>
/// Kills a running <c>vgac watch</c> process at arbitrary moments (mid-cycle, mid-delivery) and checks the audit
/// trail afterwards: nothing that was reported lost, no half cycle, nothing duplicated, every started action closed.
/// </summary>
public sealed class WatchCrashTests(ITestOutputHelper output)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Watch_KilledRepeatedlyMidCycle_AuditStaysCompleteAndAtMostOnce()
    {
        // Every VGAC answer takes 40 ms and every delivery 300 ms, so a kill lands inside a cycle or a delivery.
        await using var vgac = await new ScriptedVgac { Probability = 0.6, RotateJobs = true, Latency = TimeSpan.FromMilliseconds(40) }.StartAsync(Ct);
        await using var receiver = await LoopbackServer.StartAsync(_ => new ScriptedResponse(200, "ok", ContentType: "text/plain", Delay: TimeSpan.FromMilliseconds(300)), Ct);
        var db = Path.Combine(Vgac.Copilot.Testing.TestPaths.NewFolder("vgac-crash-"), "audit.db");
        var env = new Dictionary<string, string>
        {
            ["VGAC_API_BASE_URL"] = vgac.BaseAddress.ToString(),
            ["VGAC_WEBHOOK_URL"] = new Uri(receiver.BaseAddress, "/hook").ToString(),
            ["VGAC_AUDIT_DB"] = db,
            ["VGAC_LOG_DIR"] = TestPaths.Logs,
            ["Vgac__MaxRetries"] = "0",
        };
        var reported = new ConcurrentBag<long>();
        var random = new Random(7);

        for (var run = 0; run < 5; run++)
        {
            var killAfter = TimeSpan.FromMilliseconds(random.Next(2000));
            var cycles = await RunUntilKilledAsync(["watch", "--autonomy", "notify", "--interval", "50ms", "--format", "json"], env, killAfter);
            output.WriteLine($"run {run}: killed after {killAfter.TotalMilliseconds} ms, {cycles.Count} cycles reported");
            foreach (var c in cycles)
            {
                reported.Add(c);
            }
        }

        // A clean cycle afterwards closes what the kills left open.
        var final = await CliProcess.RunAsync(["watch", "--once", "--autonomy", "notify"], env, TimeSpan.FromSeconds(60), Ct);
        Assert.True(final.ExitCode == 0, final.ToString());

        await using var connection = new SqliteConnection($"Data Source={db};Mode=ReadOnly;Pooling=False");
        await connection.OpenAsync(Ct);
        Assert.Equal("ok", await ScalarAsync<string>(connection, "PRAGMA integrity_check"));

        // Every cycle a process reported (it reports after committing) is in the trail: nothing lost.
        var cyclesInTrail = (await ColumnAsync(connection, "SELECT DISTINCT cycle FROM events")).Select(long.Parse).ToHashSet();
        Assert.NotEmpty(reported);
        Assert.All(reported, c => Assert.Contains(c, cyclesInTrail));

        // No cycle is half there or there twice: an observation or an outage note (or both, when one agent could not do
        // its part) in every cycle, never two of either, never two calibrations.
        var perCycle = await ColumnAsync(connection,
            "SELECT cycle || ':' || SUM(kind = 'observation') || ':' || SUM(kind = 'outage') || ':' || SUM(kind = 'calibration') FROM events WHERE kind IN ('observation', 'outage', 'calibration') GROUP BY cycle");
        Assert.All(perCycle, row =>
        {
            var parts = row.Split(':').Select(int.Parse).ToArray();
            Assert.True(parts[1] <= 1 && parts[2] <= 1 && parts[1] + parts[2] >= 1 && parts[3] <= 1, $"cycle {parts[0]}: {parts[1]} observations, {parts[2]} outages, {parts[3]} calibrations");
        });

        // At most once: one start per proposal, each start closed by exactly one outcome, one delivery per key.
        var starts = await ColumnAsync(connection, "SELECT proposal_id FROM events WHERE kind = 'execution_started'");
        Assert.Equal(starts.Count, starts.Distinct().Count());
        Assert.NotEmpty(starts);
        // Every unattended proposal was committed together with its start: none is left silently waiting.
        var proposals = await ColumnAsync(connection, "SELECT proposal_id FROM events WHERE kind = 'proposal'");
        Assert.Equal(proposals.Order(), starts.Order());
        var outcomes = await ColumnAsync(connection, "SELECT proposal_id FROM events WHERE kind = 'execution'");
        Assert.Equal(starts.Order(), outcomes.Order());
        var keys = receiver.Requests.Select(r => r.Headers["Idempotency-Key"]).ToList();
        Assert.Equal(keys.Count, keys.Distinct().Count());
        Assert.All(keys, k => Assert.Contains(k, starts));
        var states = await ColumnAsync(connection, "SELECT json_extract(payload, '$.state') FROM events WHERE kind = 'execution'");
        output.WriteLine($"{cyclesInTrail.Count} cycles, {starts.Count} executions: {string.Join(", ", states.GroupBy(s => s).Select(g => $"{g.Key} {g.Count()}"))}");

        var check = await CliProcess.RunAsync(["audit", "--check"], env, TimeSpan.FromSeconds(60), Ct);
        Assert.True(check.ExitCode == 0, check.ToString());
    }

    [Fact]
    public async Task Watch_Sigterm_FinishesTheCycleReportsItAndExitsCleanly()
    {
        await using var vgac = await new ScriptedVgac { Probability = 0.6, Latency = TimeSpan.FromMilliseconds(30) }.StartAsync(Ct);
        var db = Path.Combine(Vgac.Copilot.Testing.TestPaths.NewFolder("vgac-term-"), "audit.db");
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in new[] { CliProcess.VgacDll, "watch", "--interval", "200ms", "--format", "json" })
        {
            info.ArgumentList.Add(arg);
        }

        TestEnvironment.Apply(info, new Dictionary<string, string> { ["VGAC_API_BASE_URL"] = vgac.BaseAddress.ToString(), ["VGAC_AUDIT_DB"] = db });
        using var process = Process.Start(info)!;
        var stderr = process.StandardError.ReadToEndAsync(Ct);
        var first = await process.StandardOutput.ReadLineAsync(Ct);
        Assert.NotNull(first);

        using (var term = Process.Start("kill", ["-TERM", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
        {
            await term.WaitForExitAsync(Ct);
        }

        var rest = await process.StandardOutput.ReadToEndAsync(Ct);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        timeout.CancelAfter(TimeSpan.FromSeconds(30));
        await process.WaitForExitAsync(timeout.Token);

        Assert.Equal(0, process.ExitCode);
        Assert.Contains("stopping after the current cycle", await stderr, StringComparison.Ordinal);
        var lastReported = (first + "\n" + rest).Split('\n', StringSplitOptions.RemoveEmptyEntries).Where(l => l.StartsWith('{'))
            .Select(l => JsonDocument.Parse(l).RootElement.GetProperty("cycle").GetInt64()).Max();
        await using var connection = new SqliteConnection($"Data Source={db};Mode=ReadOnly;Pooling=False");
        await connection.OpenAsync(Ct);
        Assert.Equal(lastReported, await ScalarAsync<long>(connection, "SELECT MAX(cycle) FROM events"));
    }

    private static async Task<List<long>> RunUntilKilledAsync(string[] args, Dictionary<string, string> env, TimeSpan killAfter)
    {
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add(CliProcess.VgacDll);
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        TestEnvironment.Apply(info, env);

        using var process = Process.Start(info)!;
        var cycles = new List<long>();
        var running = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var reading = Task.Run(async () =>
        {
            while (await process.StandardOutput.ReadLineAsync() is { } line)
            {
                if (line.StartsWith('{'))
                {
                    lock (cycles)
                    {
                        cycles.Add(JsonDocument.Parse(line).RootElement.GetProperty("cycle").GetInt64());
                    }

                    running.TrySetResult();
                }
            }

            running.TrySetResult();
        });
        _ = process.StandardError.ReadToEndAsync();

        // The kill lands at a random moment once the loop is running (however slowly the machine starts the process).
        await running.Task.WaitAsync(TimeSpan.FromSeconds(60));
        await Task.Delay(killAfter);
        process.Kill(entireProcessTree: true);
        await process.WaitForExitAsync();
        await reading;
        lock (cycles)
        {
            return [.. cycles];
        }
    }

    private static async Task<T> ScalarAsync<T>(SqliteConnection connection, string sql)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        return (T)(await command.ExecuteScalarAsync())!;
    }

    private static async Task<List<string>> ColumnAsync(SqliteConnection connection, string sql)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        var values = new List<string>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            values.Add(Convert.ToString(reader.GetValue(0), System.Globalization.CultureInfo.InvariantCulture)!);
        }

        return values;
    }
}
