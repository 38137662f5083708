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
    public static string Write(Intent intent, Entities entities, IReadOnlyList<(string? Cluster, IReadOnlyDictionary<string, JsonElement> Results)> answers)
    {
        var text = new StringBuilder();
        var compared = new List<string>();
        foreach (var (cluster, results) in answers)
        {
            var written = AnswerWriter.Write(intent, results, entities);
            text.Append(text.Length > 0 ? "\n\n" : "").Append(answers.Count > 1 ? $"On {cluster}: {written}" : written);
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
