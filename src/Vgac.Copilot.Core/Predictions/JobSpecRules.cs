using Vgac.Copilot.Contracts;

namespace Vgac.Copilot.Core.Predictions;

/// <summary>Checks a job spec before any call to VGAC; each problem names the field (as <c>JobSpecInput</c> spells it) and what was expected.</summary>
public static class JobSpecRules
{
    public const int MaxGpus = 1024;

    /// <summary>Every problem with <paramref name="spec"/>; empty (and nothing allocated) when there is none.</summary>
    public static IReadOnlyList<string> Validate(JobSpec spec)
    {
        List<string>? problems = null;
        if (spec.Gpus is < 0 or > MaxGpus)
        {
            (problems ??= []).Add($"gpus must be between 0 and {MaxGpus}, got {spec.Gpus}.");
        }

        if (!(spec.Cpu > 0 && double.IsFinite(spec.Cpu)))
        {
            (problems ??= []).Add($"cpu_millicores must be greater than 0, got {spec.Cpu}.");
        }

        if (!(spec.MemoryGb > 0 && double.IsFinite(spec.MemoryGb)))
        {
            (problems ??= []).Add($"memory_gb must be greater than 0, got {spec.MemoryGb}.");
        }

        if (string.IsNullOrWhiteSpace(spec.Namespace))
        {
            (problems ??= []).Add("namespace must not be empty.");
        }

        if (spec.EstimatedDurationMinutes is < 0)
        {
            (problems ??= []).Add($"duration_minutes must be 0 or more, got {spec.EstimatedDurationMinutes}.");
        }

        return problems is null ? [] : problems;
    }
}
