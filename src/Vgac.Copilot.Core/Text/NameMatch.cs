namespace Vgac.Copilot.Core.Text;

/// <summary>"Did you mean ...": the known name closest to a mistyped one, for commands, options and fields alike.</summary>
public static class NameMatch
{
    /// <summary>
    /// The nearest name within <paramref name="maxEdits"/> edits (fewer for short tokens: a third of their length; a
    /// swap of neighbours counts as one); else the one
    /// name the token starts or is part of; else null.
    /// </summary>
    public static string? Closest(string token, IEnumerable<string> names, int maxEdits = 2)
    {
        var known = names.Distinct(StringComparer.Ordinal).ToList();
        // Short names allow fewer edits: 'cpu' is two edits from 'gpus' but is not a misspelling of it.
        var allowed = Math.Min(maxEdits, Math.Max(1, token.Length / 3));
        var nearest = known.Select(n => (Name: n, Distance: Distance(token, n))).Where(c => c.Distance <= allowed).OrderBy(c => c.Distance).ToList();
        if (nearest.Count > 0)
        {
            return nearest[0].Name;
        }

        var prefixed = known.Where(n => n.StartsWith(token, StringComparison.Ordinal)).ToList();
        if (prefixed.Count == 1)
        {
            return prefixed[0];
        }

        // A longer or shorter spelling of the same thing: estimated_duration_minutes for duration_minutes, cpu for cpu_millicores.
        var related = known.Where(n => token.Length >= 3 && (n.Contains(token, StringComparison.Ordinal) || token.Contains(n, StringComparison.Ordinal))).ToList();
        return related.Count == 1 ? related[0] : null;
    }

    /// <summary>Edits between two words: insertions, deletions, substitutions, and a swap of neighbours as one.</summary>
    public static int Distance(string a, string b)
    {
        var d = new int[a.Length + 1, b.Length + 1];
        for (var i = 0; i <= a.Length; i++)
        {
            d[i, 0] = i;
        }

        for (var j = 0; j <= b.Length; j++)
        {
            d[0, j] = j;
        }

        for (var i = 1; i <= a.Length; i++)
        {
            for (var j = 1; j <= b.Length; j++)
            {
                var cost = a[i - 1] == b[j - 1] ? 0 : 1;
                d[i, j] = Math.Min(Math.Min(d[i - 1, j] + 1, d[i, j - 1] + 1), d[i - 1, j - 1] + cost);
                if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
                {
                    d[i, j] = Math.Min(d[i, j], d[i - 2, j - 2] + 1);
                }
            }
        }

        return d[a.Length, b.Length];
    }
}
