using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Vgac.Copilot.Client;
using Vgac.Copilot.Core;
using Vgac.Copilot.Tools;
using Vgac.Copilot.Core.Guards;
using Vgac.Copilot.Watch;
using Vgac.Copilot.Actions;
using Vgac.Copilot.Audit;
using Vgac.Copilot.Storage.Sqlite;

namespace Vgac.Copilot.Benchmarks;

/// <summary>
/// The audit trail after a week of 30-second watch cycles (20,160 cycles): the time to append one cycle's records,
/// and the reads every cycle makes (last cycle, dedupe window, verification window), then the whole-trail reads
/// (audit --check, the approval queue), with the file's size.
/// </summary>
internal static class AuditTrailBench
{
    private const int Cycles = 7 * 24 * 120;

    public static async Task RunAsync()
    {
        var path = Path.Combine(Directory.CreateTempSubdirectory("vgac-audit-bench-").FullName, "audit.db");
        var store = new AuditStore(new SqliteAuditBackend(path));
        var start = new DateTimeOffset(2026, 11, 1, 0, 0, 0, TimeSpan.Zero);
        var observation = "{\"cluster\":{\"cluster_id\":\"c\",\"scheduler\":\"kubernetes\",\"gpus_total\":104},\"findings\":[" + string.Join(",", Enumerable.Repeat("{\"kind\":\"stale_queue\",\"severity\":\"info\",\"detail\":\"The oldest pending job has waited 187 min; the long-wait threshold is 10 min.\"}", 4)) + "]}";
        var appends = new List<double>(Cycles);
        var total = Stopwatch.StartNew();
        for (var c = 1; c <= Cycles; c++)
        {
            var at = start.AddSeconds(30 * c);
            var events = new List<AuditEvent>
            {
                new(0, at, c, AuditKind.Observation, null, null, null, "15/104 GPUs free, 18 pending, 4 findings", observation),
                new(0, at, c, AuditKind.Calibration, null, null, null, "Drift ratio 1.2 (ECE 0.022 against 0.018): stable.", "{\"reported_ece\":0.022,\"drift\":\"stable\"}"),
            };
            for (var j = 0; j < 10; j++)
            {
                var job = string.Create(CultureInfo.InvariantCulture, $"job-{(c * 3) + j:000000}");
                var isNew = j < 2;
                events.Add(new(0, at, c, isNew ? AuditKind.Proposal : AuditKind.SkippedDuplicate, job, 3, isNew ? $"prop-{c:x8}{j}" : null,
                    isNew ? $"suggest {job} (tier 3): allowed by tier_allowed; awaiting approval" : $"tier 3 already proposed for {job} within 60 min",
                    isNew ? "{\"proposal_id\":\"x\",\"preview\":\"" + new string('p', 600) + "\"}" : null));
            }

            var started = Stopwatch.GetTimestamp();
            await store.AppendAsync(events, CancellationToken.None);
            appends.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        }

        total.Stop();
        var now = start.AddSeconds(30 * Cycles);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"audit trail: {Cycles} cycles, {Cycles * 12} records in {total.Elapsed.TotalSeconds:0.0} s; append one cycle p50 {Percentile(appends, 0.5):0.00} ms, p99 {Percentile(appends, 0.99):0.00} ms; file {new FileInfo(path).Length / 1048576.0:0.0} MB"));

        await Time("last cycle", () => store.LastCycleAsync(CancellationToken.None));
        await Time("dedupe window (proposals, last 60 min)", () => store.QueryAsync(now.AddMinutes(-60), kind: AuditKind.Proposal));
        await Time("verification window (executions, last 7 days)", () => store.QueryAsync(now.AddDays(-7), kind: AuditKind.Execution));
        await Time("one job's records", () => store.QueryAsync(jobId: "job-030000"));
        var check = new AuditCheck(store, new GuardPolicy(Options.Create(new GuardOptions())), new ActionOptions());
        await Time("audit --check (whole trail)", () => check.RunAsync());
        var collection = new ServiceCollection()
            .AddSingleton<IConfiguration>(new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["Vgac:BaseUrl"] = "http://127.0.0.1:1", ["Watch:AuditPath"] = path }).Build())
            .AddLogging();
        collection.AddVgacClient();
        collection.AddCopilotCore().AddVgacTools().AddVgacWatch().AddSqliteStorage();
        using var services = collection.BuildServiceProvider();
        await Time("approval queue (actions list, whole trail)", () => services.GetRequiredService<ActionQueue>().ListAsync());
    }

    private static async Task Time<T>(string label, Func<Task<T>> read)
    {
        await read(); // warm
        var times = new List<double>();
        for (var i = 0; i < 5; i++)
        {
            var started = Stopwatch.GetTimestamp();
            await read();
            times.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        }

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {label,-48} median {Percentile(times, 0.5),8:0.00} ms"));
    }

    private static double Percentile(List<double> values, double q)
    {
        var sorted = values.Order().ToArray();
        return sorted[(int)Math.Min(sorted.Length - 1, Math.Floor(q * sorted.Length))];
    }
}
