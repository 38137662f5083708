using System.Data.Common;
using System.Globalization;
using Vgac.Copilot.Core.Text;

namespace Vgac.Copilot.Audit.Storage;

/// <summary>How both stores lay out and read back a record: one column list, one mapping.</summary>
public static class AuditRows
{
    /// <summary>The record's columns, in the order <see cref="Read"/> expects; the chain's two follow in <see cref="ChainColumns"/>.</summary>
    public const string Columns = "id, at, cycle, kind, job_id, tier, proposal_id, summary, payload, cluster";

    public const string ChainColumns = Columns + ", prev_hash, hash";

    /// <exception cref="UnknownRecordKindException">The record's kind is none this vgac writes: a newer vgac wrote it, or it was changed behind the trail's back.</exception>
    public static AuditEvent Read(DbDataReader reader) => new(
        reader.GetInt64(0), DateTimeOffset.Parse(reader.GetString(1), CultureInfo.InvariantCulture), reader.GetInt64(2), KindOf(reader),
        reader.IsDBNull(4) ? null : reader.GetString(4), reader.IsDBNull(5) ? null : reader.GetInt32(5), reader.IsDBNull(6) ? null : reader.GetString(6),
        reader.GetString(7), reader.IsDBNull(8) ? null : reader.GetString(8))
    {
        Cluster = reader.GetString(9),
    };

    private static AuditKind KindOf(DbDataReader reader) =>
        WireNames.TryParse(reader.GetString(3), out AuditKind kind) ? kind : throw new UnknownRecordKindException(reader.GetInt64(0), reader.GetString(3));

    public static ChainedRecord ReadChained(DbDataReader reader) =>
        new(Read(reader), reader.IsDBNull(10) ? null : reader.GetString(10), reader.IsDBNull(11) ? null : reader.GetString(11));

    /// <summary>Every row a command returns, mapped.</summary>
    public static async Task<List<T>> ReadAllAsync<T>(DbCommand command, Func<DbDataReader, T> map, CancellationToken cancellationToken)
    {
        var rows = new List<T>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            rows.Add(map(reader));
        }

        return rows;
    }
}
