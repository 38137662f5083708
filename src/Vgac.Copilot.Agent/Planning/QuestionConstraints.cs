using System.Globalization;
using Vgac.Copilot.Agent.Offline;
using Vgac.Copilot.Core.Text;

namespace Vgac.Copilot.Agent.Planning;

/// <summary>
/// What a question narrows to (a namespace, a queue, a window, a job, a spec) and whether the tool calls behind an
/// answer applied it. Both planners end an answer with <see cref="Note"/>, so that an answer never silently covers
/// more than was asked: each constraint the calls did not carry is named, with the tools that could not take it.
/// </summary>
public static class QuestionConstraints
{
    /// <summary>One constraint of the question: how it is said back, and the tool arguments that carry it.</summary>
    public sealed record Constraint(string Says, string Value, IReadOnlyList<string> Arguments);

    /// <summary>The constraints a question's spec carries, in a fixed order.</summary>
    public static IReadOnlyList<Constraint> Of(Entities e)
    {
        var list = new List<Constraint>();
        AddText(e.Namespace, ns => ($"namespace {ns}", ns), "namespace");
        AddText(e.Queue, q => ($"queue {q}", q), "queue");
        AddText(e.JobId, id => ($"job {id}", id), "job_id");
        // Said back in the question's own words: a figure worked out from "this week" is one no tool gave.
        Add(e.WindowHours, h => (e.WindowSaid ?? "the window asked", e.WindowSaid ?? Number(h)), "window_hours", "since_hours");
        Add(e.Gpus, n => ($"{n} GPU{(n == 1 ? "" : "s")}", Number(n)), "gpus");
        AddText(e.GpuType, t => ($"{t} GPUs", t), "gpu_type");
        Add(e.Cpus, n => ($"{n} CPU cores", Number(n)), "cpu_millicores");
        Add(e.MemoryGb, m => ($"{Number(m)} GB of memory", Number(m)), "memory_gb");
        Add(e.DurationMinutes, m => ($"a runtime of {Words.Duration(m * 60.0)}", Number(m)), "duration_minutes");
        Add(e.Distributed, d => (d ? "a distributed job" : "a single-node job", d ? "distributed" : "single-node"), "distributed");
        Add(e.Priority, p => ($"priority {p}", Number(p)), "priority");
        return list;

        void Add<T>(T? value, Func<T, (string Says, string Value)> describe, params string[] arguments)
            where T : struct
        {
            if (value is { } v)
            {
                var (says, shown) = describe(v);
                list.Add(new Constraint(says, shown, arguments));
            }
        }

        void AddText(string? value, Func<string, (string Says, string Value)> describe, params string[] arguments)
        {
            if (value is { } v)
            {
                var (says, shown) = describe(v);
                list.Add(new Constraint(says, shown, arguments));
            }
        }
    }

    /// <summary>The constraints none of <paramref name="calls"/> carried (a what-if varying a field carries it too).</summary>
    public static IReadOnlyList<Constraint> NotApplied(Entities e, IReadOnlyList<ToolCallRecord> calls) =>
        calls.Count == 0 ? [] : [.. Of(e).Where(c => !calls.Any(call => Carries(call, c)))];

    /// <summary>
    /// The sentence that ends an answer whose calls left constraints out, or null when every one was applied. With
    /// <paramref name="answer"/>, a constraint the answer already speaks of (a model that said so itself) is not
    /// repeated.
    /// </summary>
    public static string? Note(Entities e, IReadOnlyList<ToolCallRecord> calls, string? answer = null)
    {
        var left = NotApplied(e, calls).Where(c => answer is null || !answer.Contains(c.Value, StringComparison.OrdinalIgnoreCase)).ToList();
        if (left.Count == 0)
        {
            return null;
        }

        var tools = calls.Select(c => c.Name).Distinct(StringComparer.Ordinal).ToList();
        var what = left.Count == 1 ? left[0].Says : string.Join(", ", left.Take(left.Count - 1).Select(c => c.Says)) + " or " + left[^1].Says;
        return $"Not narrowed to {what}: {string.Join(", ", tools)} {(tools.Count == 1 ? "does" : "do")} not take {(left.Count == 1 ? "it" : "them")}, so this covers more than was asked.";
    }

    private static bool Carries(ToolCallRecord call, Constraint constraint) =>
        constraint.Arguments.Any(name => call.Arguments.TryGetValue(name, out var value) && value is not null)
        || call.Arguments.TryGetValue("vary", out var varied) && varied is string field && constraint.Arguments.Contains(field, StringComparer.Ordinal);

    private static string Number(double value) => value.ToString("0.##", CultureInfo.InvariantCulture);
}
