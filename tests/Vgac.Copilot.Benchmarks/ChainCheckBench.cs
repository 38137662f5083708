using System.Diagnostics;
using System.Globalization;
using Vgac.Copilot.Storage.Postgres;
using Vgac.Copilot.Testing;
using Vgac.Copilot.Actions;
using Vgac.Copilot.Audit.Storage;
using Vgac.Copilot.Audit;
using Vgac.Copilot.Storage.Sqlite;

namespace Vgac.Copilot.Benchmarks;

/// <summary>
/// <c>audit --check</c>'s chain walk at a trail's real size: N records written through the store's own writer (keyed
/// links, the anchor kept), then a full pass and an incremental one (from the point the full pass verified, after one
/// more cycle), each with its time and the process's memory. SQLite by default; <c>--postgres</c> on a throw-away
/// server of the tests' kind. Targets: incremental ≤ 1 s, full ≤ 10 s per 10 M records, memory flat.
/// </summary>
internal static class ChainCheckBench
{
    private const int CycleRecords = 12;

    public static async Task RunAsync(long records, bool postgres)
    {
        var folder = Directory.CreateTempSubdirectory("vgac-chain-bench-").FullName;
        PostgresServer? server = null;
        try
        {
            IAuditBackend backend;
            if (postgres)
            {
                (server, var unavailable) = await PostgresServer.SharedAsync();
                if (server is null)
                {
                    Console.WriteLine($"chain check (postgres): skipped, {unavailable}");
                    return;
                }

                backend = new PostgresAuditBackend(await server.CreateDatabaseAsync("vgac_chain_bench"));
            }
            else
            {
                backend = new SqliteAuditBackend(Path.Combine(folder, "audit.db"));
            }

            await using var _ = backend;
            var key = TrailKey.FromText("a-benchmark-key-of-at-least-32-characters", "benchmark");
            var store = new AuditStore(backend, "eks", key: key, anchor: TrailAnchor.For(folder, backend.Location));
            var written = Stopwatch.StartNew();
            var start = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
            var cycle = 0L;
            for (long n = 0; n < records; n += CycleRecords * 100)
            {
                // A hundred cycles of twelve records per append (the writer, links and anchor as the watch uses them).
                var batch = new List<AuditEvent>(CycleRecords * 100);
                for (var c = 0; c < 100 && n + batch.Count < records; c++)
                {
                    cycle++;
                    var at = start.AddSeconds(30 * cycle);
                    for (var r = 0; r < CycleRecords && n + batch.Count < records; r++)
                    {
                        batch.Add(new AuditEvent(0, at, cycle, r == 0 ? AuditKind.Observation : AuditKind.SkippedDuplicate, $"job-{cycle % 5000:000000}", 3, null,
                            "15/104 GPUs free, 18 pending, 4 findings", r == 0 ? "{\"gpus_free\":15,\"pending\":18}" : null));
                    }
                }

                await store.AppendAsync(batch, CancellationToken.None);
            }

            written.Stop();
            var provider = postgres ? "postgres" : "sqlite";
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"chain check ({provider}): {records:N0} records written in {written.Elapsed.TotalSeconds:0.0} s ({records / written.Elapsed.TotalSeconds:N0}/s)"));

            var read = await TimeAsync(async () =>
            {
                // The store's read alone (no link checked): what the walk cannot go below on one reader.
                long n = 0;
                await foreach (var rows in backend.ChainRowsAsync(1, CancellationToken.None))
                {
                    n += rows.Count;
                    rows.Dispose();
                }

                return new ChainReport(n, 0, null, null);
            });
            Report("read only", read);
            var full = await TimeAsync(() => AuditChain.VerifyAsync(store, CancellationToken.None));
            Report("full pass", full);
            TrailCheck.Verified(store, full.Report);
            await store.AppendAsync([new AuditEvent(0, start.AddSeconds(30 * (cycle + 1)), cycle + 1, AuditKind.Observation, null, null, null, "one more cycle", null)], CancellationToken.None);
            var incremental = await TimeAsync(() => AuditChain.VerifyAsync(store, CancellationToken.None, full: false));
            Report("incremental", incremental);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private static void Report(string label, (ChainReport Report, TimeSpan Elapsed, long ManagedDelta, long PeakWorkingSet) run) =>
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  {label,-12} {run.Elapsed.TotalSeconds,7:0.000} s, {run.Report.Verified,10:N0} records verified{(run.Report.Intact ? "" : $" (BROKEN at {run.Report.BrokenAt})")}; managed heap +{run.ManagedDelta / 1048576.0:0.0} MB, peak working set {run.PeakWorkingSet / 1048576.0:0} MB"));

    private static async Task<(ChainReport Report, TimeSpan Elapsed, long ManagedDelta, long PeakWorkingSet)> TimeAsync(Func<Task<ChainReport>> walk)
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        var before = GC.GetTotalMemory(forceFullCollection: true);
        var started = Stopwatch.GetTimestamp();
        var report = await walk();
        var elapsed = Stopwatch.GetElapsedTime(started);
        var after = GC.GetTotalMemory(forceFullCollection: false);
        using var self = Process.GetCurrentProcess();
        return (report, elapsed, Math.Max(0, after - before), self.PeakWorkingSet64);
    }
}
