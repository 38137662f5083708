using Vgac.Copilot.Audit;
using Vgac.Copilot.Audit.Storage;
using Vgac.Copilot.Testing;

namespace Vgac.Copilot.Watch.Tests;

/// <summary>The trail's key file: made whole before anyone can read it, and only when the trail is written or checked.</summary>
public sealed class TrailKeyTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Resolve_ManyProcessesStartAtOnceWithoutAKeyFile_EachReadsTheOneWholeKey()
    {
        var file = Path.Combine(TestPaths.NewFolder("key-race-"), "config", "audit.key");
        var options = new StorageOptions { AuditKeyFile = file };
        using var start = new ManualResetEventSlim();

        var resolving = Enumerable.Range(0, 16).Select(_ => Task.Run(() =>
        {
            start.Wait(Ct);
            return TrailKey.Resolve(options)!.Mac("record");
        }, Ct)).ToList();
        start.Set();
        var links = await Task.WhenAll(resolving);

        Assert.Single(links.Distinct());
        Assert.Equal(44, File.ReadAllText(file).Length); // 32 bytes in base64
        Assert.Equal(["audit.key"], Directory.EnumerateFiles(Path.GetDirectoryName(file)!).Select(Path.GetFileName));
    }

    [Fact]
    public async Task AuditStore_BuiltButNotWritten_MakesNoKeyFile_TheFirstAppendMakesIt()
    {
        await using var vgac = await new ScriptedVgac().StartAsync(Ct);
        var file = Path.Combine(TestPaths.NewFolder("key-lazy-"), "audit.key");
        using var services = WatchHarness.Build(vgac.BaseAddress, out var audit, new() { ["Storage:AuditKeyFile"] = file });

        var exists = audit.Exists;
        var before = File.Exists(file);
        await audit.AppendAsync([new AuditEvent(0, DateTimeOffset.UtcNow, 1, AuditKind.Observation, null, null, null, "seen", null)], Ct);

        Assert.False(exists);
        Assert.False(before);
        Assert.True(File.Exists(file));
    }
}
