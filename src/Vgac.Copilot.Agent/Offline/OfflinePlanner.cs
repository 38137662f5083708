using System.Diagnostics;
using System.Text;
using System.Text.Json;
using Vgac.Copilot.Agent.Planning;
using Vgac.Copilot.Tools.Catalog;

namespace Vgac.Copilot.Agent.Offline;

/// <summary>
/// The planner with no model: understands the question with <see cref="OfflineUnderstanding"/> (a classifier
/// trained on the phrasing corpus, the job spec read from the words, two questions in one answered in one reply, a
/// follow-up reusing the previous spec), calls the same tools through the same guards as every other path, and
/// writes each answer from its intent's template and those results only. With several clusters configured, a question
/// that names clusters goes to them ("on slurm"), one that names two or more is answered for each, side by side.
/// </summary>
public sealed class OfflinePlanner(ToolInvoker tools, OfflineUnderstanding understanding, IReadOnlyList<string>? clusters = null) : IPlanner
{
    private Understanding? _previous;
    private IReadOnlyList<string> _previousClusters = [];

    public string Kind => "offline";

    public string? Model => null;

    public static OfflinePlanner Create(ToolInvoker tools, IReadOnlyList<string>? clusters = null) => new(tools, OfflineUnderstanding.Default, clusters);

    public void Reset() => (_previous, _previousClusters) = (null, []);

    /// <summary>Whether answering <paramref name="question"/> takes data from the cluster (a tool call), as this planner understands it; changes nothing.</summary>
    public bool NeedsTools(string question)
    {
        var (_, asked) = ClusterMentions.Find(question, clusters ?? [], understanding.Classifier);
        return understanding.Understand(asked, _previous).Reply is null;
    }

    public async Task<PlannerAnswer> AskAsync(string question, CancellationToken cancellationToken = default)
    {
        using var activity = PlannerTelemetry.Start(Kind, Model);
        var answer = await AnswerAsync(question, cancellationToken).ConfigureAwait(false);
        PlannerTelemetry.Answered(activity, Kind, answer.Limit ?? (answer.Understood ? "answered" : "not_understood"), answer.ToolCalls.Count, null);
        return answer;
    }

    private async Task<PlannerAnswer> AnswerAsync(string question, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        var (named, asked) = ClusterMentions.Find(question, clusters ?? [], understanding.Classifier);
        var plan = understanding.Understand(asked, _previous);
        if (plan.Reply is not null && named.Count > 0 && _previous is not null && asked.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length <= 3)
        {
            // "and on slurm?": the previous question, asked of the cluster(s) named now.
            plan = _previous;
        }

        if (plan.Reply is { } reply)
        {
            return Done(reply, [], understood: false);
        }

        // A follow-up that names no cluster stays where the previous question went.
        IReadOnlyList<string?> targets = named.Count > 0 ? [.. named] : plan == _previous || plan.Route == "follow_up" ? [.. _previousClusters] : [];
        if (targets.Count == 0)
        {
            targets = [null];
        }

        var calls = new List<ToolCallRecord>();
        var answer = new StringBuilder();
        foreach (var part in plan.Parts)
        {
            var first = calls.Count;
            var (pieces, failed) = await AnswerPartAsync(part, targets, calls, cancellationToken).ConfigureAwait(false);
            if (failed is not null)
            {
                return Done($"I could not get that from VGAC: {failed.Result} [{failed.Name}]", calls);
            }

            answer.Append(answer.Length > 0 ? "\n\n" : "").AppendJoin("\n\n", pieces);
            if (QuestionConstraints.Note(part.Entities, calls[first..]) is { } narrowed)
            {
                answer.Append('\n').Append(narrowed);
            }
        }

        if (plan.Note is { } note)
        {
            answer.Append("\n\n").Append(note);
        }

        _previous = plan.Parts.Count == 1 ? plan : null;
        _previousClusters = _previous is null ? [] : [.. targets.OfType<string>()];
        return Done(answer.ToString(), calls);

        PlannerAnswer Done(string text, IReadOnlyList<ToolCallRecord> made, bool understood = true) =>
            new(text, Kind, null, made, null, Math.Round(Stopwatch.GetElapsedTime(started).TotalMilliseconds, 1), understood);
    }

    /// <summary>
    /// One part of the question asked of each target cluster, written as answers; where a cluster's scheduler has no
    /// such thing (not found), the equivalent question there, said so. Or the first call that failed.
    /// </summary>
    private async Task<(IReadOnlyList<string> Pieces, ToolCallRecord? Failed)> AnswerPartAsync(
        PlannedPart part, IReadOnlyList<string?> targets, List<ToolCallRecord> calls, CancellationToken cancellationToken)
    {
        var answers = new List<(string? Cluster, IReadOnlyDictionary<string, JsonElement> Results)>();
        var instead = new List<string>();
        foreach (var cluster in targets)
        {
            var (results, failed) = await CallAsync(part.Intent, part.Entities, cluster, calls, cancellationToken).ConfigureAwait(false);
            if (failed is { ErrorCode: ToolErrorCodes.NotFound } && part.Intent.Elsewhere is var (other, says) && understanding.Intents.FirstOrDefault(i => i.Name == other) is { } equivalent)
            {
                (var theirs, failed) = await CallAsync(equivalent, part.Entities, cluster, calls, cancellationToken).ConfigureAwait(false);
                if (failed is null)
                {
                    instead.Add($"{says.Replace("{cluster}", cluster ?? "This cluster", StringComparison.Ordinal)}\n{ClusterAnswers.Write(equivalent, part.Entities, [(null, theirs)])}");
                    continue;
                }
            }

            if (failed is not null)
            {
                return ([], failed);
            }

            answers.Add((cluster, results));
        }

        return (answers.Count > 0 ? [ClusterAnswers.Write(part.Intent, part.Entities, answers, named: instead.Count > 0), .. instead] : instead, null);
    }

    /// <summary>One intent's tools asked of one cluster: their results, or the first call that failed.</summary>
    private async Task<(Dictionary<string, JsonElement> Results, ToolCallRecord? Failed)> CallAsync(
        Intent intent, Entities entities, string? cluster, List<ToolCallRecord> calls, CancellationToken cancellationToken)
    {
        var results = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        foreach (var tool in intent.Tools)
        {
            var arguments = Arguments(tool, entities);
            if (cluster is not null)
            {
                arguments[ClusterRouting.Argument] = cluster;
            }

            var call = await tools.InvokeAsync(tool.Name, arguments, cancellationToken).ConfigureAwait(false);
            calls.Add(call);
            if (!call.Ok)
            {
                return (results, call);
            }

            results[tool.Name] = JsonDocument.Parse(call.Result).RootElement.Clone();
        }

        return (results, null);
    }

    /// <summary>A tool's arguments: its fixed ones, and the question's job spec where the intent takes it.</summary>
    public static Dictionary<string, object?> Arguments(IntentTool tool, Entities e)
    {
        var args = tool.Arguments.ToDictionary(kv => kv.Key, kv => (object?)kv.Value);
        if (tool.EntityFields is { } fields)
        {
            NamedFields(args, fields, e);
            return args;
        }

        if (!tool.FromEntities)
        {
            return args;
        }

        if (tool.Name == ToolNames.ActorProposeAction)
        {
            args["job_id"] = e.JobId;
            args["tier"] = 0;
            return args;
        }

        Gpus(args, tool, e);
        JobSpec(args, tool, e);
        return args;
    }

    /// <summary>An intent that names the fields it takes: only those, from the question.</summary>
    private static void NamedFields(Dictionary<string, object?> args, IReadOnlyCollection<string> fields, Entities e)
    {
        if (fields.Contains("namespace") && e.Namespace is { } only)
        {
            args["namespace"] = only;
        }

        if (fields.Contains("job_id") && e.JobId is { } job)
        {
            args["job_id"] = job;
        }

        if (fields.Contains("window_hours") && e.WindowHours is { } hours)
        {
            args["window_hours"] = hours;
        }

        // A tool that takes part of a job spec (the admission preview: no GPU type, no runtime).
        if (fields.Contains("gpus"))
        {
            args["gpus"] = e.Gpus ?? 1;
        }

        if (fields.Contains("priority") && e.Priority is { } level)
        {
            args["priority"] = level;
        }

        if (fields.Contains("memory_gb") && e.MemoryGb is { } memory)
        {
            args["memory_gb"] = memory;
        }

        if (fields.Contains("cpu_millicores") && e.Cpus is { } cores)
        {
            args["cpu_millicores"] = cores * 1000.0;
        }
    }

    /// <summary>The GPUs asked, or, for a what-if, the variants compared (those named, or fewer GPUs or the highest priority).</summary>
    private static void Gpus(Dictionary<string, object?> args, IntentTool tool, Entities e)
    {
        if (tool.Name == ToolNames.PredictorWhatIf && e.GpuVariants.Count <= 1 && e.PriorityVariants.Count <= 1)
        {
            // One job and no variants named ("how can my 8-GPU job start sooner?"): compare it with what it could ask
            // instead, fewer GPUs (half, a quarter), or, for one GPU, the highest priority.
            var gpus = e.Gpus ?? 1;
            int[] fewer = [.. new[] { gpus, gpus / 2, gpus / 4 }.Where(n => n >= 1).Distinct()];
            var priority = e.Priority ?? 0;
            args["vary"] = fewer.Length > 1 ? "gpus" : "priority";
            args["values"] = fewer.Length > 1 ? string.Join(',', fewer) : string.Join(',', new[] { priority, 10 }.Distinct());
            args["gpus"] = gpus;
        }
        else if (tool.Name == ToolNames.PredictorWhatIf)
        {
            var byPriority = e.PriorityVariants.Count > 1 && e.GpuVariants.Count <= 1;
            args["vary"] = byPriority ? "priority" : "gpus";
            args["values"] = string.Join(',', byPriority ? e.PriorityVariants : e.GpuVariants);
            args["gpus"] = byPriority ? e.Gpus ?? 1 : e.GpuVariants[0];
        }
        else
        {
            args["gpus"] = e.Gpus ?? 1;
        }
    }

    /// <summary>The rest of the job spec the question gives; runtime, CPU, spanning nodes and the queue only for the single prediction.</summary>
    private static void JobSpec(Dictionary<string, object?> args, IntentTool tool, Entities e)
    {
        if (e.Priority is { } p && !(tool.Name == ToolNames.PredictorWhatIf && (string?)args["vary"] == "priority"))
        {
            args["priority"] = p;
        }

        if (e.Namespace is { } ns)
        {
            args["namespace"] = ns;
        }

        if (e.GpuType is { } t)
        {
            args["gpu_type"] = t;
        }

        if (e.MemoryGb is { } m)
        {
            args["memory_gb"] = m;
        }

        if (tool.Name == ToolNames.PredictorPredictWait)
        {
            // What only the single prediction takes: runtime, CPU, spanning nodes, the queue.
            if (e.DurationMinutes is { } minutes)
            {
                args["duration_minutes"] = minutes;
            }

            if (e.Cpus is { } cores)
            {
                args["cpu_millicores"] = cores * 1000.0;
            }

            if (e.Distributed is { } distributed)
            {
                args["distributed"] = distributed;
            }

            if (e.Queue is { } queue)
            {
                args["queue"] = queue;
            }
        }
    }
}
