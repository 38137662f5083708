using System.Globalization;
using Vgac.Copilot.Contracts;
using Vgac.Copilot.Tools.Catalog;

namespace Vgac.Copilot.Tools;

/// <summary>Argument checks shared by the plugins: each failure says which argument and what was expected.</summary>
internal static class ToolArgs
{
    public const int MaxLimit = 100;

    public static int Limit(int limit) => limit is >= 1 and <= MaxLimit
        ? limit
        : throw new ToolInputException($"limit must be between 1 and {MaxLimit}, got {limit}.");

    public static double Hours(double hours, string name, double max = 24 * 30) => hours > 0 && hours <= max
        ? hours
        : throw new ToolInputException(string.Create(CultureInfo.InvariantCulture, $"{name} must be in (0, {max}], got {hours}."));

    public static double Probability(double value, string name) => value is >= 0 and <= 1
        ? value
        : throw new ToolInputException(string.Create(CultureInfo.InvariantCulture, $"{name} must be between 0 and 1, got {value}."));

    public static string JobId(string jobId) => string.IsNullOrWhiteSpace(jobId)
        ? throw new ToolInputException("job_id must not be empty; list jobs with observer_jobs or observer_job_queue to find one.")
        : jobId.Trim();

    /// <summary>A namespace (or Slurm account) to narrow to: null when none is given.</summary>
    public static string? Namespace(string? value)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return null;
        }

        var name = value.Trim();
        return name.Length <= 63 && name.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.')
            ? name
            : throw new ToolInputException($"namespace must be up to 63 letters, digits, '-', '_' or '.', got '{(name.Length > 40 ? name[..40] + "…" : name)}'.");
    }

    public static JobState? State(string? state, params JobState[] allowed)
    {
        if (string.IsNullOrWhiteSpace(state))
        {
            return null;
        }

        var names = string.Join(", ", allowed.Select(s => s.ToString().ToLowerInvariant()));
        return Enum.TryParse<JobState>(state, ignoreCase: true, out var parsed) && allowed.Contains(parsed) && !int.TryParse(state, out _)
            ? parsed
            : throw new ToolInputException($"state must be one of {names}, got '{state}'.");
    }

    public static JobSpec Spec(int gpus, double cpuMillicores, double memoryGb, int priority, string? jobNamespace, string? queue, string? gpuType, bool distributed, int? durationMinutes)
    {
        var spec = new Core.Jobs.JobSpecInput
        {
            Gpus = gpus,
            CpuMillicores = cpuMillicores,
            MemoryGb = memoryGb,
            Priority = priority,
            Namespace = jobNamespace ?? "default", // blanks become "default" in ToContract, as on every other path
            Queue = queue,
            GpuType = gpuType,
            Distributed = distributed,
            DurationMinutes = durationMinutes,
        };
        return Core.Jobs.JobSpecSchema.Checked(spec, "Invalid job spec").ToContract();
    }

    /// <summary>The spec as compact arguments, echoed beside a prediction.</summary>
    public static IReadOnlyDictionary<string, object> Describe(JobSpec s)
    {
        var d = new Dictionary<string, object> { ["gpus"] = s.Gpus, ["priority"] = s.Priority, ["namespace"] = s.Namespace };
        if (s.GpuType is { } t)
        {
            d["gpu_type"] = t;
        }

        if (s.Queue is { } q)
        {
            d["queue"] = q;
        }

        return d;
    }

    public static (IReadOnlyList<T> Shown, int Omitted) Cap<T>(IReadOnlyList<T> items, int limit) =>
        (items.Count <= limit ? items : [.. items.Take(limit)], Math.Max(0, items.Count - limit));
}
