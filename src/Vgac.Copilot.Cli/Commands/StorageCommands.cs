using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Vgac.Copilot.Cli.Composition;
using Vgac.Copilot.Cli.Hosting;
using Vgac.Copilot.Cli.Watching;
using Vgac.Copilot.Storage.Postgres;
using Vgac.Copilot.Audit.Storage;
using Vgac.Copilot.Audit;

namespace Vgac.Copilot.Cli.Commands;

/// <summary><c>vgac storage</c>: the store's schema.</summary>
internal sealed class StorageCommand(StorageMigrateCommand migrate, StorageStatusCommand status)
    : CommandGroup("storage", "The store behind the audit trail (SQLite by default, or PostgreSQL for a team): schema version and migrations.", migrate, status);

/// <summary><c>vgac storage status</c>: where the store is and which schema version it has, changing nothing.</summary>
internal sealed class StorageStatusCommand : VgacCommand
{
    public StorageStatusCommand(CliContext context)
        : base(context, "status", "Show the store (without credentials), its schema version and the migrations still to apply; changes nothing.")
    {
        AddFormat();
        Options.Add(AuditTrail.Option);
    }

    protected override IEnumerable<KeyValuePair<string, string?>>? Settings(ParseResult parse) => AuditTrail.Settings(parse, demo: false, Context.Environment);

    protected override async Task<int> ExecuteAsync(ParseResult parse, CommandSession session, CancellationToken cancellationToken)
    {
        var status = await session.Get<IAuditBackend>().StatusAsync(cancellationToken).ConfigureAwait(false);
        await session.Out.WriteLineAsync(IsJson(parse) ? StorageText.Json(status, applied: null) : StorageText.Status(status)).ConfigureAwait(false);
        return ExitCodes.Success;
    }
}

/// <summary><c>vgac storage migrate</c>: applies the schema migrations the store lacks (each once, in order).</summary>
internal sealed class StorageMigrateCommand : VgacCommand
{
    private readonly Option<string?> grantTo = new("--grant-to")
    {
        Description = "PostgreSQL: the application's role, granted only what vgac needs: INSERT and SELECT on the trail, leases through functions, its own chat sessions (run as the owner).",
        HelpName = "role",
    };

    public StorageMigrateCommand(CliContext context)
        : base(context, "migrate", "Bring the store's schema up to date (every command does this on first use; run it as the owner when the application's role may not).")
    {
        Options.Add(grantTo);
        AddFormat();
        Options.Add(AuditTrail.Option);
        Examples =
        [
            ("vgac storage migrate", "the configured store, up to date"),
            ("VGAC_STORAGE_CONNECTION='Host=db;Username=vgac_owner;...' vgac storage migrate --grant-to vgac_app", "PostgreSQL, as its owner, for an append-only application role"),
        ];
    }

    protected override IEnumerable<KeyValuePair<string, string?>>? Settings(ParseResult parse) => AuditTrail.Settings(parse, demo: false, Context.Environment);

    protected override async Task<int> ExecuteAsync(ParseResult parse, CommandSession session, CancellationToken cancellationToken)
    {
        var backend = session.Get<IAuditBackend>();
        var applied = await backend.MigrateAsync(cancellationToken).ConfigureAwait(false);
        if (parse.GetValue(grantTo) is { } role)
        {
            if (backend is not PostgresAuditBackend postgres)
            {
                throw new ConfigurationException("--grant-to applies to a PostgreSQL store (Storage:Provider = postgres); an SQLite file has no roles.");
            }

            await postgres.GrantAsync(role, cancellationToken).ConfigureAwait(false);
        }

        var status = await backend.StatusAsync(cancellationToken).ConfigureAwait(false);
        if (IsJson(parse))
        {
            await session.Out.WriteLineAsync(StorageText.Json(status, applied)).ConfigureAwait(false);
            return ExitCodes.Success;
        }

        var text = new StringBuilder();
        text.AppendLine(applied.Count == 0
            ? $"{status.Location}: schema already at version {status.Version}; nothing to apply."
            : $"{status.Location}: applied {applied.Count} migration{(applied.Count == 1 ? "" : "s")}; schema at version {status.Version}.");
        foreach (var step in applied)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"  {step.Version,3}  {step.Name}");
        }

        if (parse.GetValue(grantTo) is { } granted)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"granted '{granted}' {Storage.Postgres.PostgresAuditBackend.GrantsInWords}.");
        }

        await session.Out.WriteAsync(text.ToString()).ConfigureAwait(false);
        return ExitCodes.Success;
    }
}

/// <summary><c>vgac audit export</c>: a time range of the trail as JSON lines, anchored to the hash chain.</summary>
internal sealed class AuditExportCommand : VgacCommand
{
    private readonly Option<string?> since = new("--since") { Description = "From then: a duration back from now (7d) or a timestamp (default: the start of the trail).", HelpName = "when" };
    private readonly Option<string?> until = new("--until") { Description = "Up to (not including) then: a duration back from now or a timestamp (default: now).", HelpName = "when" };
    private readonly Option<string?> output = new("--output") { Description = "Write to this file (it must not exist yet); default: standard output.", HelpName = "file" };

    public AuditExportCommand(CliContext context)
        : base(context, "export", "Write a time range of the trail (every cluster) as JSON lines: a header with the chain's anchor hashes, then one record per line.")
    {
        Options.Add(since);
        Options.Add(until);
        Options.Add(output);
        Options.Add(AuditTrail.Option);
        Examples = [("vgac audit export --until 30d --output trail-to-nov.jsonl", "everything older than 30 days, for the archive (then 'vgac audit prune --before 30d')")];
    }

    protected override IEnumerable<KeyValuePair<string, string?>>? Settings(ParseResult parse) => AuditTrail.Settings(parse, demo: false, Context.Environment);

    protected override async Task<int> ExecuteAsync(ParseResult parse, CommandSession session, CancellationToken cancellationToken)
    {
        var now = DateTimeOffset.UtcNow;
        DateTimeOffset? from = parse.GetValue(since) is { } s ? Durations.Since(s, now, "--since") : null;
        DateTimeOffset? to = parse.GetValue(until) is { } u ? Durations.Since(u, now, "--until") : null;
        if (from >= to)
        {
            throw new ConfigurationException("--since must be before --until.");
        }

        var store = session.Get<AuditStore>();
        if (!store.Exists)
        {
            await Context.Error.WriteLineAsync($"vgac: no audit trail at {store.Path} yet: nothing to export.").ConfigureAwait(false);
            return ExitCodes.NotFound;
        }

        var retention = session.Get<AuditRetention>();
        ExportRecord? export;
        if (parse.GetValue(output) is { } file)
        {
            var path = Path.GetFullPath(file);
            FileStream stream;
            try
            {
                stream = new FileStream(path, FileMode.CreateNew, FileAccess.Write);
            }
            catch (IOException) when (File.Exists(path))
            {
                throw new ConfigurationException($"--output: {path} already exists; an export never overwrites one (choose another name).");
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                throw new ConfigurationException($"--output: cannot write {path}: {ex.Message}");
            }

            await using (stream.ConfigureAwait(false))
            {
                await using var writer = new StreamWriter(stream, new UTF8Encoding(false));
                export = await retention.ExportAsync(from, to, writer, path, cancellationToken).ConfigureAwait(false);
            }

            if (export is null)
            {
                File.Delete(path);
            }
        }
        else
        {
            export = await retention.ExportAsync(from, to, session.Out, "standard output", cancellationToken).ConfigureAwait(false);
        }

        await Context.Error.WriteLineAsync(export is null
            ? "vgac: no records in that range; nothing exported."
            : $"exported records {export.FromId}-{export.ThroughId} ({export.Records}); last hash {export.LastHash[..16]}…, sha256 {export.Sha256[..16]}…; recorded in the trail.").ConfigureAwait(false);
        return export is null ? ExitCodes.NotFound : ExitCodes.Success;
    }
}

/// <summary><c>vgac audit prune</c>: removes exported records older than a date, leaving a checkpoint.</summary>
internal sealed class AuditPruneCommand : VgacCommand
{
    private readonly Option<string> before = new("--before") { Description = "Remove records older than this: a duration back from now (90d) or a timestamp.", HelpName = "when", Required = true };

    public AuditPruneCommand(CliContext context)
        : base(context, "prune", "Remove records older than a date that an export covers, leaving a checkpoint record so the hash chain still verifies.")
    {
        Options.Add(before);
        AddFormat();
        Options.Add(AuditTrail.Option);
        Examples = [("vgac audit prune --before 30d", "what an export already holds, older than 30 days")];
    }

    protected override IEnumerable<KeyValuePair<string, string?>>? Settings(ParseResult parse) => AuditTrail.Settings(parse, demo: false, Context.Environment);

    protected override async Task<int> ExecuteAsync(ParseResult parse, CommandSession session, CancellationToken cancellationToken)
    {
        var cut = Durations.Since(parse.GetValue(before)!, DateTimeOffset.UtcNow, "--before");
        var store = session.Get<AuditStore>();
        if (!store.Exists)
        {
            await Context.Error.WriteLineAsync($"vgac: no audit trail at {store.Path} yet: nothing to prune.").ConfigureAwait(false);
            return ExitCodes.NotFound;
        }

        var report = await session.Get<AuditRetention>().PruneAsync(cut, cancellationToken).ConfigureAwait(false);
        var when = cut.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture) + " UTC";
        if (IsJson(parse))
        {
            await session.Out.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                $$"""{"removed":{{report.Removed}},"through_id":{{(report.ThroughId is { } t ? t.ToString(CultureInfo.InvariantCulture) : "null")}},"uncovered_from":{{(report.LeftUncovered ? report.UncoveredFrom : 0)}},"uncovered_through":{{(report.LeftUncovered ? report.UncoveredThrough : 0)}}}""")).ConfigureAwait(false);
        }
        else
        {
            await session.Out.WriteLineAsync(report.Removed > 0
                ? $"pruned {report.Removed} records (through record {report.ThroughId}, all exported); a checkpoint keeps the chain verifiable."
                : $"nothing pruned before {when}.").ConfigureAwait(false);
            if (report.LeftUncovered)
            {
                await session.Out.WriteLineAsync(
                    $"records {report.UncoveredFrom}-{report.UncoveredThrough} are older than {when} but stay: no export covers them yet "
                    + $"('vgac audit export --until {cut.ToString("yyyy-MM-ddTHH:mmZ", CultureInfo.InvariantCulture)} --output FILE' first), or a proposal among them has records after the cut.").ConfigureAwait(false);
            }
        }

        return ExitCodes.Success;
    }
}

/// <summary>The store's status in words and in JSON.</summary>
internal static class StorageText
{
    public static string Status(SchemaStatus status)
    {
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"store: {status.Provider} at {status.Location}");
        text.AppendLine(status.Pending.Count == 0
            ? $"schema: version {status.Version} (up to date)"
            : $"schema: version {status.Version}; {status.Pending.Count} migration{(status.Pending.Count == 1 ? "" : "s")} to apply ('vgac storage migrate')");
        foreach (var step in status.Applied)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"  {step.Version,3}  {step.Name}");
        }

        foreach (var step in status.Pending)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"  {step.Version,3}  {step.Name}  (pending)");
        }

        return text.ToString().TrimEnd();
    }

    public static string Json(SchemaStatus status, IReadOnlyList<MigrationStep>? applied)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("provider", status.Provider);
            json.WriteString("location", status.Location);
            json.WriteNumber("version", status.Version);
            Steps(json, "pending", status.Pending);
            if (applied is not null)
            {
                Steps(json, "applied_now", applied);
            }

            json.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    private static void Steps(Utf8JsonWriter json, string name, IReadOnlyList<MigrationStep> steps)
    {
        json.WriteStartArray(name);
        foreach (var step in steps)
        {
            json.WriteStartObject();
            json.WriteNumber("version", step.Version);
            json.WriteString("name", step.Name);
            json.WriteEndObject();
        }

        json.WriteEndArray();
    }
}
