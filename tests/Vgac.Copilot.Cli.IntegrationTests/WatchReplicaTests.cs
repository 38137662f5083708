using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Npgsql;
using Vgac.Copilot.Testing;

namespace Vgac.Copilot.Cli.IntegrationTests;

/// <summary>
/// Three real <c>vgac watch</c> processes on one PostgreSQL store: one leads, two stand by; the leader is killed with
/// SIGKILL in the middle of its work, a standby takes over, and the trail afterwards has every cycle once, every
/// action at most once, and passes <c>audit --check</c>.
/// </summary>
public sealed class WatchReplicaTests(ITestOutputHelper output)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task ThreeReplicas_LeaderKilledMidCycle_OneStandbyTakesOverWithTheNextFencingToken_TrailWholeAndAtMostOnce()
    {
        var (server, unavailable) = await PostgresServer.SharedAsync();
        if (server is null)
        {
            Assert.Skip(unavailable!);
        }

        // Every VGAC answer takes 40 ms and every delivery 300 ms, so the kill lands inside a cycle or a delivery.
        await using var vgac = await new ScriptedVgac { Probability = 0.6, RotateJobs = true, Latency = TimeSpan.FromMilliseconds(40) }.StartAsync(Ct);
        await using var receiver = await LoopbackServer.StartAsync(_ => new ScriptedResponse(200, "ok", ContentType: "text/plain", Delay: TimeSpan.FromMilliseconds(300)), Ct);
        var connection = await server!.CreateDatabaseAsync("vgac_replicas");
        var logs = Vgac.Copilot.Testing.TestPaths.NewFolder("vgac-replica-logs-");
        var env = new Dictionary<string, string>
        {
            ["VGAC_API_BASE_URL"] = vgac.BaseAddress.ToString(),
            ["VGAC_WEBHOOK_URL"] = new Uri(receiver.BaseAddress, "/hook").ToString(),
            ["VGAC_STORAGE_PROVIDER"] = "postgres",
            ["VGAC_STORAGE_CONNECTION"] = connection,
            ["VGAC_LOG_DIR"] = logs,
            ["VGAC_LOG_LEVEL"] = "Information", // who leads with which fencing token, on stderr
            ["Vgac__MaxRetries"] = "0",
        };
        var interval = TimeSpan.FromSeconds(2);
        var replicas = Enumerable.Range(0, 3).Select(i => Replica.Start(i, env, interval)).ToList();
        try
        {
            // The leader is whichever reports cycles; the others say who leads and wait.
            var leader = await FirstAsync(replicas, r => r.Cycles.Count >= 3, TimeSpan.FromSeconds(90));
            var standbys = replicas.Where(r => r != leader).ToList();
            await WaitAsync(() => standbys.All(r => r.Errors.Any(l => l.Contains("standing by", StringComparison.Ordinal))), TimeSpan.FromSeconds(30));
            Assert.All(standbys, r => Assert.Empty(r.Cycles));

            // Kill it while it works: the moment its next delivery reaches the receiver (which answers 300 ms later),
            // with the action started and its outcome not yet written.
            var deliveries = receiver.Requests.Count;
            await WaitAsync(() => receiver.Requests.Count > deliveries, TimeSpan.FromSeconds(30));
            var killedAt = Stopwatch.GetTimestamp();
            leader.Kill();

            var successor = await FirstAsync(standbys, r => r.Cycles.Count >= 1, TimeSpan.FromSeconds(60));
            var handover = Stopwatch.GetElapsedTime(killedAt);
            await WaitAsync(() => successor.Cycles.Count >= 3, TimeSpan.FromSeconds(60));
            output.WriteLine($"leader {leader.Index} reported cycles {string.Join(",", leader.Cycles)}; killed; replica {successor.Index} led after {handover.TotalSeconds:0.00} s with cycles {string.Join(",", successor.Cycles)}");
            // The logic, not the wall clock (a busy machine may take longer): the leader held token 1, exactly one
            // standby led after it with token 2, the other never led, and the successor's cycles follow the leader's.
            Assert.Contains(leader.Errors, l => l.Contains("(fencing token 1)", StringComparison.Ordinal) && l.Contains("Leading", StringComparison.Ordinal));
            Assert.Contains(successor.Errors, l => l.Contains("(fencing token 2)", StringComparison.Ordinal) && l.Contains("Leading", StringComparison.Ordinal));
            var other = standbys.Single(r => r != successor);
            Assert.Empty(other.Cycles);
            Assert.DoesNotContain(other.Errors, l => l.Contains("Leading", StringComparison.Ordinal));
            Assert.True(successor.Cycles.Min() > leader.Cycles.Max());
        }
        finally
        {
            foreach (var replica in replicas)
            {
                await replica.StopAsync();
            }
        }

        // The trail: each cycle once (one observation or outage note, never two), one start per proposal, each closed
        // by one outcome, one delivery per idempotency key, and audit --check clean (guards and hash chain).
        await using var source = NpgsqlDataSource.Create(connection);
        var perCycle = await ColumnAsync(source,
            "SELECT cycle || ':' || SUM((kind = 'observation')::int) || ':' || SUM((kind = 'outage')::int) FROM events WHERE kind IN ('observation', 'outage') GROUP BY cycle");
        Assert.All(perCycle, row =>
        {
            var parts = row.Split(':').Select(int.Parse).ToArray();
            Assert.True(parts[1] <= 1 && parts[2] <= 1 && parts[1] + parts[2] >= 1, $"cycle {parts[0]}: {parts[1]} observations, {parts[2]} outages");
        });
        var starts = await ColumnAsync(source, "SELECT proposal_id FROM events WHERE kind = 'execution_started'");
        Assert.NotEmpty(starts);
        Assert.Equal(starts.Count, starts.Distinct().Count());
        var outcomes = await ColumnAsync(source, "SELECT proposal_id FROM events WHERE kind = 'execution'");
        Assert.Equal(starts.Order(), outcomes.Order()); // each start closed by one outcome, the killed leader's as interrupted
        var keys = receiver.Requests.Select(r => r.Headers["Idempotency-Key"]).ToList();
        Assert.Equal(keys.Count, keys.Distinct().Count());

        var check = await CliProcess.RunAsync(["audit", "--check"], env, TimeSpan.FromSeconds(60), Ct);
        output.WriteLine(check.ToString());
        Assert.True(check.ExitCode == 0, check.ToString());
        Assert.Contains("hash chain:", check.Out, StringComparison.Ordinal);
    }

    private static async Task<List<string>> ColumnAsync(NpgsqlDataSource source, string sql)
    {
        await using var command = source.CreateCommand(sql);
        var values = new List<string>();
        await using var reader = await command.ExecuteReaderAsync(Ct);
        while (await reader.ReadAsync(Ct))
        {
            values.Add(Convert.ToString(reader.GetValue(0), CultureInfo.InvariantCulture)!);
        }

        return values;
    }

    private static async Task<Replica> FirstAsync(IReadOnlyList<Replica> replicas, Func<Replica, bool> condition, TimeSpan timeout)
    {
        Replica? found = null;
        await WaitAsync(() => (found = replicas.FirstOrDefault(condition)) is not null, timeout);
        return found!;
    }

    private static async Task WaitAsync(Func<bool> condition, TimeSpan timeout)
    {
        var deadline = Stopwatch.GetTimestamp();
        while (!condition())
        {
            Assert.True(Stopwatch.GetElapsedTime(deadline) < timeout, "timed out waiting");
            await Task.Delay(20, Ct);
        }
    }

    /// <summary>One <c>vgac watch</c> process: the cycles it reported (JSON lines on stdout) and what it said on stderr.</summary>
    private sealed class Replica
    {
        private readonly Process _process;
        private readonly ConcurrentQueue<long> _cycles = new();
        private readonly ConcurrentQueue<string> _errors = new();
        private readonly Task _reading;

        private Replica(int index, Process process)
        {
            Index = index;
            _process = process;
            _reading = Task.WhenAll(Task.Run(async () =>
            {
                while (await process.StandardOutput.ReadLineAsync() is { } line)
                {
                    if (line.StartsWith('{'))
                    {
                        _cycles.Enqueue(JsonDocument.Parse(line).RootElement.GetProperty("cycle").GetInt64());
                    }
                }
            }), Task.Run(async () =>
            {
                while (await process.StandardError.ReadLineAsync() is { } line)
                {
                    _errors.Enqueue(line);
                }
            }));
        }

        public int Index { get; }

        public IReadOnlyList<long> Cycles => [.. _cycles];

        public IReadOnlyList<string> Errors => [.. _errors];

        public static Replica Start(int index, IReadOnlyDictionary<string, string> env, TimeSpan interval)
        {
            var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            foreach (var arg in new[] { CliProcess.VgacDll, "watch", "--autonomy", "notify", "--interval", $"{interval.TotalSeconds.ToString(CultureInfo.InvariantCulture)}s", "--format", "json" })
            {
                info.ArgumentList.Add(arg);
            }

            TestEnvironment.Apply(info);
            foreach (var (key, value) in env)
            {
                info.Environment[key] = value;
            }

            return new Replica(index, Process.Start(info)!);
        }

        public void Kill() => _process.Kill(entireProcessTree: true);

        public async Task StopAsync()
        {
            if (!_process.HasExited)
            {
                using (var term = Process.Start("kill", ["-TERM", _process.Id.ToString(CultureInfo.InvariantCulture)]))
                {
                    await term.WaitForExitAsync();
                }

                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
                try
                {
                    await _process.WaitForExitAsync(timeout.Token);
                }
                catch (OperationCanceledException)
                {
                    _process.Kill(entireProcessTree: true);
                }
            }

            await _reading;
            _process.Dispose();
        }
    }
}
