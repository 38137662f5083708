namespace Vgac.Copilot.Watch.Storage;

/// <summary>The SQL both backends use for an <see cref="AuditQuery"/>: only the filters given (so each database can use its indexes).</summary>
public static class AuditQuerySql
{
    /// <summary>The WHERE clause (empty for none) and its parameters, named with the provider's marker (<c>$</c> or <c>@</c>).</summary>
    public static (string Where, IReadOnlyList<KeyValuePair<string, object>> Parameters) Build(AuditQuery filter, string? cluster, char marker)
    {
        var clauses = new List<string>();
        var parameters = new List<KeyValuePair<string, object>>();
        void Filter(string column, string op, string name, string? value)
        {
            if (value is not null)
            {
                clauses.Add($"{column} {op} {marker}{name}");
                parameters.Add(new($"{marker}{name}", value));
            }
        }

        Filter("at", ">=", "since", filter.Since is { } since ? AuditStore.Stamp(since) : null);
        Filter("at", "<", "until", filter.Until is { } until ? AuditStore.Stamp(until) : null);
        Filter("job_id", "=", "job", filter.JobId);
        Filter("kind", "=", "kind", filter.Kind);
        Filter("proposal_id", "=", "proposal", filter.ProposalId);
        Filter("cluster", "=", "cluster", cluster);
        if (filter.Kinds is { Count: > 0 } kinds)
        {
            clauses.Add("kind IN (" + string.Join(", ", kinds.Select((_, i) => $"{marker}kind{i}")) + ")");
            parameters.AddRange(kinds.Select((kind, i) => new KeyValuePair<string, object>($"{marker}kind{i}", kind)));
        }

        return (clauses.Count == 0 ? "" : " WHERE " + string.Join(" AND ", clauses), parameters);
    }
}
