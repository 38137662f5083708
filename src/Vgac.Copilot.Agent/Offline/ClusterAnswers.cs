using System.Text;
using System.Text.Json;

namespace Vgac.Copilot.Agent.Offline;

/// <summary>
/// One part of an answer asked of one or several clusters: each cluster's answer from the intent's template, named
/// when there are several, and a side-by-side line from the intent's <c>compare</c> template. Both the offline planner
/// and the scripted model write this way, so the two answer a cross-cluster question alike.
/// </summary>
public static class ClusterAnswers
{
    /// <param name="intent">What was asked.</param>
    /// <param name="entities">The question's spec.</param>
    /// <param name="answers">Each cluster's results.</param>
    /// <param name="named">Name the cluster even when only one answers (others were asked, and answered otherwise).</param>
    public static string Write(Intent intent, Entities entities, IReadOnlyList<(string? Cluster, IReadOnlyDictionary<string, JsonElement> Results)> answers, bool named = false)
    {
        var text = new StringBuilder();
        var compared = new List<string>();
        foreach (var (cluster, results) in answers)
        {
            var written = AnswerWriter.Write(intent, results, entities);
            text.Append(text.Length > 0 ? "\n\n" : "").Append((answers.Count > 1 || named) && cluster is not null ? $"On {cluster}: {written}" : written);
            if (answers.Count > 1 && AnswerWriter.Compare(intent, results, entities) is { } line)
            {
                compared.Add($"{cluster} {line}");
            }
        }

        if (compared.Count > 1)
        {
            text.Append("\n\nSide by side: ").Append(string.Join("; ", compared)).Append('.');
        }

        return text.ToString();
    }
}
