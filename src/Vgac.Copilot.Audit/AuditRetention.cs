using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Vgac.Copilot.Audit.Storage;
using Vgac.Copilot.Core.Text;

namespace Vgac.Copilot.Audit;

/// <summary>What <c>vgac audit export</c> wrote: a contiguous run of records and the hashes that anchor it to the chain.</summary>
/// <param name="FromId">The first record exported.</param>
/// <param name="ThroughId">The last record exported.</param>
/// <param name="Records">How many.</param>
/// <param name="Anchor">The hash the first record links to (null at the very start of the chain).</param>
/// <param name="LastHash">The last record's hash: the next record, and any later checkpoint, links to it.</param>
/// <param name="Sha256">SHA-256 of the export's text, so the file can be checked later.</param>
public sealed record ExportRecord(long FromId, long ThroughId, long Records, string? Anchor, string LastHash, string Sha256)
{
    public static ExportRecord? Read(AuditEvent e) => e.Kind == AuditKind.Export && e.Payload is { } p ? AuditJson.Records.Deserialize<ExportRecord>(p) : null;
}

/// <summary>What <c>vgac audit prune</c> removed, and the hash those records ended on, so the chain still verifies.</summary>
public sealed record Checkpoint(long ThroughId, string LastHash, long Removed, string Before)
{
    public static Checkpoint? Read(AuditEvent e) => e.Kind == AuditKind.Checkpoint && e.Payload is { } p ? AuditJson.Records.Deserialize<Checkpoint>(p) : null;
}

/// <summary>The result of a prune: what went, and what was asked for but stays because no export covers it.</summary>
public sealed record PruneReport(long Removed, long? ThroughId, long UncoveredFrom, long UncoveredThrough)
{
    public bool LeftUncovered => UncoveredThrough >= UncoveredFrom && UncoveredFrom > 0;
}

/// <summary>
/// Retention for a trail that would otherwise only grow (~114 MB a week at 30-s cycles): export a time range as
/// JSON lines carrying the chain's anchor hashes, then prune what an export covers, leaving a checkpoint record so
/// the chain still verifies. Export and prune are trail-wide (every cluster's records), and each leaves its own
/// record in the trail.
/// </summary>
public sealed class AuditRetention(AuditStore store, TimeProvider time)
{
    public const string Format = "vgac-audit-export";

    /// <summary>Writes the records between the times (a contiguous run of ids) as JSON lines; returns what it wrote, or null when none fall in the range.</summary>
    /// <exception cref="AuditStoreException">The run's chain does not hold (an export vouches only for an intact chain).</exception>
    public async Task<ExportRecord?> ExportAsync(DateTimeOffset? since, DateTimeOffset? until, TextWriter output, string destination, CancellationToken cancellationToken)
    {
        var all = store.AllClusters();
        var inRange = await all.QueryAsync(since: since, until: until, cancellationToken: cancellationToken).ConfigureAwait(false);
        if (inRange.Count == 0)
        {
            return null;
        }

        var (from, through) = (inRange[0].Id, inRange[^1].Id);
        var lines = new List<string>();
        string? anchor = null, previous = null, last = null;
        await foreach (var record in store.Backend.ChainAsync(from, cancellationToken).ConfigureAwait(false))
        {
            if (record.Event.Id > through)
            {
                break;
            }

            if (record.Hash is null || AuditChain.Holds(store.Key, record) == false
                || (previous is not null && record.PreviousHash != previous))
            {
                throw new AuditStoreException($"record {record.Event.Id} does not verify ('vgac audit --check' says more); nothing was exported.");
            }

            anchor ??= record.PreviousHash ?? "";
            (previous, last) = (record.Hash, record.Hash);
            lines.Add(Line(record));
        }

        var export = new ExportRecord(from, through, lines.Count, anchor is "" ? null : anchor, last!, "");
        var header = Header(export, since, until, store.Anchor?.Read().Written);
        var text = new StringBuilder().AppendLine(header);
        foreach (var line in lines)
        {
            text.AppendLine(line);
        }

        var content = text.ToString();
        await output.WriteAsync(content.AsMemory(), cancellationToken).ConfigureAwait(false);
        await output.FlushAsync(cancellationToken).ConfigureAwait(false);
        export = export with { Sha256 = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(content))) };
        await store.AppendTrailRecordAsync(new AuditEvent(0, time.GetUtcNow(), 0, AuditKind.Export, null, null, null,
            $"exported records {from}-{through} ({lines.Count}) to {destination}", AuditJson.Records.Serialize(export)), cancellationToken).ConfigureAwait(false);
        return export;
    }

    /// <summary>
    /// Removes the records before <paramref name="before"/> that exports cover (from the trail's first record on,
    /// without gaps, each export's last hash still the chain's), and leaves a checkpoint. Records before the date that
    /// no export covers stay, and the report says which.
    /// </summary>
    /// <exception cref="AuditStoreException">The chain does not verify: pruning would destroy the evidence.</exception>
    public async Task<PruneReport> PruneAsync(DateTimeOffset before, CancellationToken cancellationToken)
    {
        var chain = await AuditChain.VerifyAsync(store, cancellationToken).ConfigureAwait(false);
        if (!chain.Intact)
        {
            throw new AuditStoreException($"the hash chain is broken at record {chain.BrokenAt} ({chain.Why}); nothing was pruned, so the evidence stays.");
        }

        // The front of the trail that is older than the date, the hash of each of its records, and where each
        // proposal's records begin and end (a proposal and its decisions and outcome are removed together or not at all).
        var hashes = new Dictionary<long, string?>();
        var spans = new Dictionary<string, (long First, long Last)>(StringComparer.Ordinal);
        long first = 0, lastOld = 0;
        var old = true;
        await foreach (var record in store.Backend.ChainAsync(0, cancellationToken).ConfigureAwait(false))
        {
            var id = record.Event.Id;
            if (record.Event.ProposalId is { } proposal)
            {
                spans[proposal] = spans.TryGetValue(proposal, out var span) ? (span.First, id) : (id, id);
            }

            old &= record.Event.At < before;
            if (old)
            {
                first = first == 0 ? id : first;
                lastOld = id;
                hashes[id] = record.Hash;
            }
        }

        if (lastOld == 0)
        {
            return new PruneReport(0, null, 0, 0);
        }

        // Exports, joined from the first record on; an export counts only while its last hash is still the chain's.
        var exports = (await store.AllClusters().QueryAsync(kind: AuditKind.Export, cancellationToken: cancellationToken).ConfigureAwait(false))
            .Select(ExportRecord.Read).OfType<ExportRecord>().OrderBy(e => e.FromId).ToList();
        var covered = first - 1;
        foreach (var export in exports)
        {
            if (export.FromId <= covered + 1 && export.ThroughId > covered
                && (!hashes.TryGetValue(export.ThroughId, out var hash) || hash == export.LastHash))
            {
                covered = export.ThroughId;
            }
        }

        var through = KeepProposalsWhole(Math.Min(covered, lastOld), spans.Values);
        long removed = 0;
        if (through >= first)
        {
            removed = await store.Backend.PruneAsync(through, last => new AuditEvent(0, time.GetUtcNow(), 0, AuditKind.Checkpoint, null, null, null,
                $"pruned records {first}-{through} (exported; before {before.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture)} UTC)",
                AuditJson.Records.Serialize(new Checkpoint(last.Event.Id, last.Hash ?? "", through - first + 1, AuditStore.Stamp(before)))), store.Key, cancellationToken).ConfigureAwait(false);
        }

        return new PruneReport(removed, through >= first ? through : null, Math.Max(through + 1, first), lastOld);
    }

    /// <summary>Moves a cut back until no proposal has records on both sides of it.</summary>
    private static long KeepProposalsWhole(long through, IEnumerable<(long First, long Last)> spans)
    {
        var split = spans.Where(s => s.First <= through && s.Last > through).Select(s => s.First).DefaultIfEmpty(long.MaxValue).Min();
        return split == long.MaxValue ? through : KeepProposalsWhole(split - 1, spans);
    }

    /// <param name="export">What the export covers.</param>
    /// <param name="since">The window asked for, if any.</param>
    /// <param name="until">The window asked for, if any.</param>
    /// <param name="tip">The trail's anchor (its tip outside the store) at export time: the copy says how far the trail reached.</param>
    private static string Header(ExportRecord export, DateTimeOffset? since, DateTimeOffset? until, AnchorPoint? tip)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("format", Format);
            json.WriteNumber("version", 1);
            json.WriteNumber("from_id", export.FromId);
            json.WriteNumber("through_id", export.ThroughId);
            json.WriteNumber("records", export.Records);
            if (export.Anchor is { } anchor)
            {
                json.WriteString("anchor", anchor);
            }
            else
            {
                json.WriteNull("anchor");
            }

            json.WriteString("last_hash", export.LastHash);
            if (tip is not null)
            {
                json.WriteStartObject("trail_anchor");
                json.WriteNumber("id", tip.Id);
                json.WriteString("hash", tip.Hash);
                json.WriteEndObject();
            }

            WriteTime(json, "since", since);
            WriteTime(json, "until", until);
            json.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    private static void WriteTime(Utf8JsonWriter json, string name, DateTimeOffset? at)
    {
        if (at is { } value)
        {
            json.WriteString(name, AuditStore.Stamp(value));
        }
        else
        {
            json.WriteNull(name);
        }
    }

    /// <summary>One record with everything its hash covers, so an export can be verified on its own.</summary>
    private static string Line(ChainedRecord record)
    {
        var e = record.Event;
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteNumber("id", e.Id);
            json.WriteString("at", AuditStore.Stamp(e.At));
            json.WriteNumber("cycle", e.Cycle);
            json.WriteString("cluster", e.Cluster);
            json.WriteString("kind", e.Kind.Wire());
            json.WriteString("job_id", e.JobId);
            if (e.Tier is { } tier)
            {
                json.WriteNumber("tier", tier);
            }
            else
            {
                json.WriteNull("tier");
            }

            json.WriteString("proposal_id", e.ProposalId);
            json.WriteString("summary", e.Summary);
            json.WriteString("payload", e.Payload);
            json.WriteString("prev_hash", record.PreviousHash);
            json.WriteString("hash", record.Hash);
            json.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.ToArray());
    }
}
