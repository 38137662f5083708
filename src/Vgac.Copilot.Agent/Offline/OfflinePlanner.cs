using System.Diagnostics;
using System.Text.Json;
using Vgac.Copilot.Agent.Planning;
using Vgac.Copilot.Plugins.Catalog;

namespace Vgac.Copilot.Agent.Offline;

/// <summary>
/// The planner with no model: recognises what is asked from the vocabulary in <c>prompts/offline/intents.json</c>
/// (weighted keywords, so paraphrases work), pulls the job spec out of the words, calls the same tools through the
/// same guards as every other path, and writes the answer from the intent's template and those results only.
/// </summary>
public sealed class OfflinePlanner(ToolInvoker tools, IReadOnlyList<Intent> intents) : IPlanner
{
    private const double Threshold = 2;

    public string Kind => "offline";

    public string? Model => null;

    public static OfflinePlanner Create(ToolInvoker tools) =>
        new(tools, IntentVocabulary.Load(Path.Combine(PromptCatalog.Root, "offline", "intents.json")));

    public void Reset()
    {
    }

    public async Task<PlannerAnswer> AskAsync(string question, CancellationToken cancellationToken = default)
    {
        var started = Stopwatch.GetTimestamp();
        var entities = EntityExtractor.Extract(question);
        if (entities.InvalidGpus is { } invalid)
        {
            // Never quietly answer for a different job than the one asked about.
            return Done($"A job cannot ask for \"{invalid}\": give a number of GPUs between 0 and 1024.", [], understood: false);
        }

        var intent = Recognize(question, entities);
        if (intent is null)
        {
            return Done(NotUnderstood(), [], understood: false);
        }

        if (intent.Needs.Contains("job_id") && entities.JobId is null)
        {
            return Done("Which job? Give its id, for example \"annotate job-004060\" (observer_job_queue lists the waiting jobs).", [], understood: false);
        }

        if (intent.Needs.Contains("gpus") && entities.Gpus is null)
        {
            return Done($"To answer that I need the job's size: how many GPUs? For example: \"how long would 4 A100s wait in namespace ml-research?\"", [], understood: false);
        }

        var calls = new List<ToolCallRecord>();
        var results = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        foreach (var tool in intent.Tools)
        {
            var call = await tools.InvokeAsync(tool.Name, Arguments(tool, entities), cancellationToken).ConfigureAwait(false);
            calls.Add(call);
            if (!call.Ok)
            {
                return Done($"I could not get that from VGAC: {call.Result} [{call.Name}]", calls);
            }

            results[tool.Name] = JsonDocument.Parse(call.Result).RootElement.Clone();
        }

        return Done(AnswerWriter.Write(intent, results, entities), calls);

        PlannerAnswer Done(string answer, IReadOnlyList<ToolCallRecord> made, bool understood = true) =>
            new(answer, Kind, null, made, null, Math.Round(Stopwatch.GetElapsedTime(started).TotalMilliseconds, 1), understood);
    }

    /// <summary>
    /// The best-scoring intent whose needs the question meets; failing that, the best one that lacks only the job
    /// size (so the planner can ask for it); null when nothing scores enough (out of scope or unclear).
    /// </summary>
    public Intent? Recognize(string question, Entities? entities = null)
    {
        var q = " " + question.ToLowerInvariant() + " ";
        var e = entities ?? EntityExtractor.Extract(question);
        var hasVariants = e.GpuVariants.Count > 1 || e.PriorityVariants.Count > 1;
        var scored = intents
            .Select(i => (Intent: i, Score: i.Keywords.Where(k => q.Contains(k.Key, StringComparison.Ordinal)).Sum(k => k.Value)
                + (i.Needs.Contains("gpus") && e.Gpus is not null ? 1.5 : 0)
                + (i.Needs.Contains("job_id") && e.JobId is not null ? 1.5 : 0)
                + (i.Needs.Contains("variants") && hasVariants ? 3 : 0)))
            .Where(s => s.Score >= Threshold && (!s.Intent.Needs.Contains("variants") || hasVariants))
            .OrderByDescending(s => s.Score)
            .ToList();
        var satisfied = scored.FirstOrDefault(s => (!s.Intent.Needs.Contains("gpus") || e.Gpus is not null) && (!s.Intent.Needs.Contains("job_id") || e.JobId is not null));
        return satisfied.Intent ?? scored.FirstOrDefault().Intent;
    }

    internal static Dictionary<string, object?> Arguments(IntentTool tool, Entities e)
    {
        var args = tool.Arguments.ToDictionary(kv => kv.Key, kv => (object?)kv.Value);
        if (!tool.FromEntities)
        {
            return args;
        }

        if (tool.Name == "actor_propose_action")
        {
            args["job_id"] = e.JobId;
            args["tier"] = 0;
            return args;
        }

        if (tool.Name == "predictor_what_if")
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

        if (e.Priority is { } p && !(tool.Name == "predictor_what_if" && e.PriorityVariants.Count > 1))
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

        return args;
    }

    internal static string NotUnderstood() =>
        "I did not understand that as a question about this GPU cluster. I can answer: "
        + "cluster status (\"how busy is the cluster?\"), why jobs are waiting (\"why are my jobs stuck?\"), "
        + "wait predictions (\"how long would 4 A100s with 64 GB wait in namespace ml-research?\"), what-if comparisons "
        + "(\"compare 1, 2 or 4 GPUs\"), calibration and drift (\"is the model still calibrated?\"), nodes, the Slurm queue, "
        + "failure patterns, the capacity forecast, and scheduling policy advice.";
}
