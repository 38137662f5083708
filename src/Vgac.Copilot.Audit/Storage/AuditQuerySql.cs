using System.Data.Common;
using Vgac.Copilot.Core.Text;

namespace Vgac.Copilot.Audit.Storage;

/// <summary>How both backends run an <see cref="AuditQuery"/>: only the filters given (so each database can use its indexes).</summary>
public static class AuditQuerySql
{
    /// <summary>Fills <paramref name="command"/> (on an open connection) with the query, its parameters named with the provider's marker, and reads every record.</summary>
    public static async Task<List<AuditEvent>> RunAsync(DbCommand command, AuditQuery filter, string? cluster, char marker, CancellationToken cancellationToken)
    {
        var clauses = new List<string>();
        void Add(string name, object value)
        {
            var parameter = command.CreateParameter();
            parameter.ParameterName = $"{marker}{name}";
            parameter.Value = value;
            command.Parameters.Add(parameter);
        }

        void Filter(string column, string op, string name, string? value)
        {
            if (value is not null)
            {
                clauses.Add($"{column} {op} {marker}{name}");
                Add(name, value);
            }
        }

        Filter("at", ">=", "since", filter.Since is { } since ? AuditStore.Stamp(since) : null);
        Filter("at", "<", "until", filter.Until is { } until ? AuditStore.Stamp(until) : null);
        Filter("job_id", "=", "job", filter.JobId);
        Filter("kind", "=", "kind", filter.Kind?.Wire());
        Filter("proposal_id", "=", "proposal", filter.ProposalId);
        Filter("cluster", "=", "cluster", cluster);
        if (filter.ChainedOnly)
        {
            // Only records of the chain: an id in the sequence and a link (a planted row has neither, or a link that check names).
            clauses.Add("id > 0 AND hash IS NOT NULL");
        }

        if (filter.Kinds is { Count: > 0 } kinds)
        {
            clauses.Add("kind IN (" + string.Join(", ", kinds.Select((_, i) => $"{marker}kind{i}")) + ")");
            for (var i = 0; i < kinds.Count; i++)
            {
                Add($"kind{i}", kinds[i].Wire());
            }
        }

        command.CommandText = $"SELECT {AuditRows.Columns} FROM events" + (clauses.Count == 0 ? "" : " WHERE " + string.Join(" AND ", clauses)) + " ORDER BY id";
        return await AuditRows.ReadAllAsync(command, AuditRows.Read, cancellationToken).ConfigureAwait(false);
    }
}
