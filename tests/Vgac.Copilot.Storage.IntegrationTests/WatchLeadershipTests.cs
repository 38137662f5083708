using Microsoft.Extensions.DependencyInjection;
using Vgac.Copilot.Storage.Postgres;
using Vgac.Copilot.Testing;
using Vgac.Copilot.Watch.Loop;
using Vgac.Copilot.Audit.Storage;
using Vgac.Copilot.Audit;
using Vgac.Copilot.Storage.Sqlite;
using Vgac.Copilot.Watch.Tests;

namespace Vgac.Copilot.Storage.IntegrationTests;

/// <summary>Watch replicas on one store: one leads and runs cycles, the others stand by and take over when it stops or stalls.</summary>
public sealed class WatchLeadershipTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [MemberData(nameof(Stores.Providers), MemberType = typeof(Stores))]
    public async Task Replicas_LeaderStops_StandbyTakesOver_CyclesNumberOnWithoutRepeats(string provider)
    {
        await using var vgac = await new ScriptedVgac { Probability = 0.9, Confidence = 0.9, Ece = 0.02 }.StartAsync(Ct);
        var location = await Stores.LocationAsync(provider);
        var settings = new Dictionary<string, string?>
        {
            ["Storage:Provider"] = provider,
            ["Storage:ConnectionString"] = provider == StorageOptions.Postgres ? location : null,
            ["Watch:AuditPath"] = provider == StorageOptions.Sqlite ? location : null,
            ["Storage:LeaseSeconds"] = "2",
            ["Watch:IntervalSeconds"] = "0.2",
        };
        await using var first = WatchHarness.Build(vgac.BaseAddress, out var audit, settings, s => s.AddPostgresStorage());
        await using var second = WatchHarness.Build(vgac.BaseAddress, out _, settings, s => s.AddPostgresStorage());
        var (leader, standby) = (first.GetRequiredService<WatchLeadership>(), second.GetRequiredService<WatchLeadership>());
        using var stopFirst = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        using var stopSecond = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        var notes = new List<string>();
        var firstCycles = new List<long>();
        var secondCycles = new List<long>();

        var firstRun = first.GetRequiredService<WatchLoop>().RunAsync((r, _) => Record(firstCycles, r.Cycle), null, null, stopFirst.Token, leader);
        await WaitUntil(() => Count(firstCycles) >= 2);
        var secondRun = second.GetRequiredService<WatchLoop>().RunAsync((r, _) => Record(secondCycles, r.Cycle), null, null, stopSecond.Token, standby,
            lease => Record(notes, lease.Holder));
        await WaitUntil(() => Count(notes) >= 1);
        await Task.Delay(600, Ct);
        var whileStandingBy = Count(secondCycles);

        await stopFirst.CancelAsync();
        await firstRun;
        await leader.DisposeAsync();
        await WaitUntil(() => Count(secondCycles) >= 2);
        await stopSecond.CancelAsync();
        await secondRun;
        await standby.DisposeAsync();

        var cycles = (await audit.QueryAsync(kind: AuditKind.Observation, cancellationToken: Ct)).Select(e => e.Cycle).ToList();
        Assert.Equal(0, whileStandingBy);
        Assert.Equal([leader.Holder], notes);
        Assert.Equal(cycles.Distinct().Count(), cycles.Count);
        Assert.Equal(Enumerable.Range(1, cycles.Count).Select(c => (long)c), cycles);
        Assert.True(secondCycles.Min() > firstCycles.Max(), $"{string.Join(",", firstCycles)} then {string.Join(",", secondCycles)}");
        Assert.True((await AuditChain.VerifyAsync(audit, Ct)).Intact);
    }

    [Fact]
    public async Task Standby_StoreUnreachableForAWhile_KeepsAskingInsteadOfStopping_LeadsOnceItAnswers()
    {
        // The trail's path is a folder at first, so every open fails as a store outage would; then the folder goes.
        var path = Path.Combine(Vgac.Copilot.Testing.TestPaths.NewFolder("vgac-lease-"), "audit.db");
        Directory.CreateDirectory(path);
        await using var backend = new SqliteAuditBackend(path);
        await using var leadership = new WatchLeadership(backend, new LeaseFenceHolder(), "eks", TimeSpan.FromSeconds(0.6), TimeProvider.System,
            Microsoft.Extensions.Logging.Abstractions.NullLogger<WatchLeadership>.Instance);

        var leading = leadership.LeadAsync(_ => Task.CompletedTask, Ct);
        await Task.Delay(700, Ct);
        var stillAsking = !leading.IsCompleted;
        Directory.Delete(path);
        var lease = await leading.WaitAsync(TimeSpan.FromSeconds(30), Ct);

        Assert.True(stillAsking);
        Assert.Equal((leadership.Holder, 1L), (lease!.Holder, lease.Token));
        Assert.True(leadership.Leading);
    }

    private static Task Record<T>(List<T> list, T value)
    {
        lock (list)
        {
            list.Add(value);
        }

        return Task.CompletedTask;
    }

    private static int Count<T>(List<T> list)
    {
        lock (list)
        {
            return list.Count;
        }
    }

    private static async Task WaitUntil(Func<bool> condition)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        timeout.CancelAfter(TimeSpan.FromSeconds(30));
        while (!condition())
        {
            await Task.Delay(50, timeout.Token);
        }
    }
}
