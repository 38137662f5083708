using System.CommandLine;
using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Vgac.Copilot.Cli.Composition;
using Vgac.Copilot.Cli.Hosting;
using Vgac.Copilot.Cli.Watching;
using Vgac.Copilot.Core.Clusters;
using Vgac.Copilot.Core.Guards;
using Vgac.Copilot.Actions;
using Vgac.Copilot.Audit;

namespace Vgac.Copilot.Cli.Commands;

/// <summary><c>vgac audit</c>: read the audit trail, or check it against the guards.</summary>
internal sealed class AuditCommand : VgacCommand
{
    private readonly Option<string?> since = new("--since") { Description = "Only records since then: a duration back from now (30m, 2h, 7d) or a timestamp.", HelpName = "when" };
    private readonly Option<double?> sinceHours = new("--since-hours") { Description = "Only records from the last N hours (same as --since Nh).", HelpName = "hours" };
    private readonly Option<string?> job = new("--job") { Description = "Only records about this job.", HelpName = "id" };
    private readonly Option<bool> check = new("--check") { Description = "Re-check the trail against the guards: totals and any violation (exit 9 if one is found); from where the last clean check stopped." };
    private readonly Option<bool> toolCalls = new("--tool-calls") { Description = "Only the MCP tool calls that proposed or ran actions: who called, through which client, with what, and what came of it." };
    private readonly Option<bool> full = new("--full") { Description = "With --check: walk the whole trail, not only what was added since the last clean check." };

    public AuditCommand(CliContext context, params Command[] subcommands)
        : base(context, "audit", "Read the audit trail: observations, calibration, proposals, decisions, executions, verifications, outages; oldest first.")
    {
        foreach (var subcommand in subcommands)
        {
            Subcommands.Add(subcommand);
        }

        foreach (var option in new Option[] { since, sinceHours, job, toolCalls, check, full })
        {
            Options.Add(option);
        }

        AddFormat();
        Options.Add(AuditTrail.Option);
        Options.Add(AuditTrail.LatestDemo);
        Examples =
        [
            ("vgac audit --since 2h", "the last two hours of the trail"),
            ("vgac audit --check", "what was added since the last clean check, re-checked against the guards and the chain (exit 9 on a violation)"),
            ("vgac audit --check --full", "the whole trail, every record and every executed action"),
            ("vgac audit --tool-calls --since 1d", "who asked the MCP server to propose or apply an action today, and what came of it"),
        ];
    }

    protected override IEnumerable<KeyValuePair<string, string?>>? Settings(ParseResult parse) => AuditTrail.Settings(parse, demo: false, Context.Environment);

    protected override async Task<int> ExecuteAsync(ParseResult parse, CommandSession session, CancellationToken token)
    {
        if (parse.GetValue(sinceHours) is <= 0)
        {
            throw new ConfigurationException($"--since-hours must be positive, got {parse.GetValue(sinceHours)}.");
        }

        var store = session.Get<AuditStore>().AllClusters();
        if (!store.Exists)
        {
            await Context.Error.WriteLineAsync($"vgac: no audit trail at {store.Path} yet: 'vgac watch' starts one (or pass --audit-db).").ConfigureAwait(false);
            return ExitCodes.NotFound;
        }

        // A demo trail runs on the simulator's clock: "2h" counts back from its newest record, not from now.
        var now = parse.GetValue(AuditTrail.LatestDemo) && (parse.GetValue(since) is not null || parse.GetValue(sinceHours) is not null)
            ? (await store.QueryAsync(cancellationToken: token).ConfigureAwait(false)).Select(e => e.At).DefaultIfEmpty(DateTimeOffset.UtcNow).Max()
            : DateTimeOffset.UtcNow;
        DateTimeOffset? from = parse.GetValue(since) is { } text ? Durations.Since(text, now)
            : parse.GetValue(sinceHours) is { } h ? now.AddHours(-h)
            : null;
        var json = parse.GetValue(Format!) == "json";

        // The whole trail unless the run names a cluster; each cluster checked against its own guards.
        var named = parse.GetResult(GlobalOptions.Cluster) is not null;
        var inTrail = named ? [session.Clusters.Selected] : await store.ClustersAsync(token).ConfigureAwait(false);
        var order = session.Clusters.Clusters.Select(c => c.Name).ToList();
        var clusters = inTrail.OrderBy(c => order.IndexOf(c) is var i and >= 0 ? i : int.MaxValue).ToList(); // as configured, then any others
        if (parse.GetValue(check))
        {
            return await CheckAsync(session, store, clusters, from, parse.GetValue(full), json, token).ConfigureAwait(false);
        }

        var view = named ? store.ForCluster(session.Clusters.Selected) : store.AllClusters();
        IReadOnlyList<AuditKind>? kinds = parse.GetValue(toolCalls) ? [AuditKind.ToolCall] : null;
        foreach (var e in await view.QueryAsync(from, parse.GetValue(job), kinds: kinds, cancellationToken: token).ConfigureAwait(false))
        {
            await session.Out.WriteLineAsync(json ? ActionsJson.Records.Serialize(e) : TrailText.Event(e, clusters.Count > 1)).ConfigureAwait(false);
        }

        return ExitCodes.Success;
    }

    /// <summary>
    /// <c>--check</c>: the chain once for the whole trail, then each cluster's records against its own guards (a
    /// cluster no longer configured by those of the one the run is for); a clean check is remembered, so the next
    /// one judges only what was added since.
    /// </summary>
    private static async Task<int> CheckAsync(
        CommandSession session, AuditStore store, IReadOnlyList<string> clusters, DateTimeOffset? from, bool full, bool json, CancellationToken token)
    {
        var several = clusters.Count > 1;
        var clean = true;
        var chain = await AuditChain.VerifyAsync(store, token, full: full || from is not null).ConfigureAwait(false);
        // An incremental check judges what was added since the last clean one, with the window the guards look back over.
        var judgedFrom = from ?? TrailCheck.Since(chain, session.Get<GuardPolicy>().Options, session.Get<ActionOptions>());
        foreach (var cluster in clusters.DefaultIfEmpty(session.Clusters.Selected))
        {
            var services = session.Clusters.Has(cluster) ? await session.Clusters.ServicesAsync(cluster, token).ConfigureAwait(false) : session.Services;
            var report = await new AuditCheck(store.ForCluster(cluster), services.GetRequiredService<GuardPolicy>(), services.GetRequiredService<ActionOptions>(),
                    services.GetRequiredService<Microsoft.Extensions.Options.IOptions<Client.VgacClientOptions>>().Value.BaseUrl)
                .RunAsync(judgedFrom, token, chain).ConfigureAwait(false);
            var shown = json ? ActionsJson.Records.Serialize(report) : TrailText.Check(report, store.Path);
            await session.Out.WriteLineAsync(json && several ? $$"""{"cluster":"{{System.Text.Json.JsonEncodedText.Encode(cluster)}}","check":{{shown}}}""" : several ? $"[{cluster}] {shown}" : shown).ConfigureAwait(false);
            clean &= report.Clean;
        }

        if (clean)
        {
            TrailCheck.Verified(store, chain);
        }

        return clean ? ExitCodes.Success : ExitCodes.AuditViolation;
    }
}

/// <summary><c>--audit-db</c>: which audit trail (default: the user's data folder); shared by watch, audit and actions.</summary>
internal static class AuditTrail
{
    public static readonly Option<string?> Option = new("--audit-db") { Description = "An SQLite audit trail to use (default: the configured store; without one, vgac/audit.db in the user's data folder).", HelpName = "path" };

    /// <summary><c>--demo</c> on the trail's readers: open the latest trail 'vgac watch --demo' wrote.</summary>
    public static readonly Option<bool> LatestDemo = new("--demo") { Description = "Open the latest demo trail (the newest one 'vgac watch --demo' recorded a cycle in)." };

    private const string DemoPrefix = "demo-audit-";

    /// <summary>
    /// Where the audit trail is: <c>--audit-db</c>, else configuration; a demo run gets a new file of its own
    /// (<paramref name="demo"/>), a reader given <c>--demo</c> opens the newest such file.
    /// </summary>
    /// <param name="parse">The command line.</param>
    /// <param name="demo">A demo run, which writes a new trail of its own.</param>
    /// <param name="environment">The process's environment (<c>VGAC_AUDIT_DB</c>).</param>
    /// <param name="actsOnDemo">The simulator of a command that acts on the demo trail's clusters (<c>actions approve</c>, <c>apply</c>): it is set to the trail's time; null for a reader.</param>
    /// <param name="proposal">With <paramref name="actsOnDemo"/>: the one proposal decided on, whose time the simulators are set to.</param>
    public static IEnumerable<KeyValuePair<string, string?>> Settings(ParseResult parse, bool demo, IReadOnlyDictionary<string, string> environment, Hosting.IDemoSimulator? actsOnDemo = null, string? proposal = null)
    {
        // Demo trails live beside the configured trail (VGAC_AUDIT_DB), else in the user's data folder.
        var folder = Path.GetDirectoryName(environment.TryGetValue("VGAC_AUDIT_DB", out var configured) && configured.Length > 0
            ? Path.GetFullPath(configured)
            : AuditStore.DefaultPath())!;
        if (parse.GetValue(Option) is { } path)
        {
            yield return new("Storage:Provider", "sqlite");
            yield return new(AuditServiceCollectionExtensions.SqlitePathKey, Path.GetFullPath(path));
        }
        else if (demo)
        {
            yield return new("Storage:Provider", "sqlite");
            yield return new(AuditServiceCollectionExtensions.SqlitePathKey, Path.Combine(folder, string.Create(CultureInfo.InvariantCulture, $"{DemoPrefix}{DateTime.UtcNow:yyyyMMdd-HHmmss}.db")));
        }
        else if (parse.GetResult(LatestDemo) is not null && parse.GetValue(LatestDemo))
        {
            var (latest, newest) = Latest(folder);
            yield return new("Storage:Provider", "sqlite");
            yield return new(AuditServiceCollectionExtensions.SqlitePathKey, latest);
            if (actsOnDemo is not null)
            {
                // The demo's simulators as they stood when the proposal decided on was made (else at the trail's newest
                // record): its job waits there as it did, and the guards are asked again on the simulator's numbers.
                newest = proposal is not null && Storage.Sqlite.SqliteAuditBackend.NewestRecordAt(latest, proposal) is { } made ? made : newest;
                var hours = Math.Clamp((newest - actsOnDemo.Epoch).TotalHours, 0, 24 * 90);
                yield return new("Simulator:Speed", "0");
                yield return new("Simulator:WarmupHours", hours.ToString("0.####", CultureInfo.InvariantCulture));
            }
        }
    }

    /// <summary>The newest demo trail with a record in it (a demo stopped before its first cycle leaves an empty one), and its newest record's time.</summary>
    private static (string Path, DateTimeOffset Newest) Latest(string folder)
    {
        if (Directory.Exists(folder))
        {
            foreach (var file in Directory.GetFiles(folder, DemoPrefix + "*.db").Order(StringComparer.Ordinal).Reverse())
            {
                if (Storage.Sqlite.SqliteAuditBackend.NewestRecordAt(file) is { } newest)
                {
                    return (file, newest);
                }
            }
        }

        throw new ConfigurationException($"no demo trail with a recorded cycle in {folder} yet: 'vgac watch --demo' writes one.");
    }
}
