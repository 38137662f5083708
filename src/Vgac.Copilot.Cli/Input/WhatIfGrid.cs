using System.Globalization;
using Vgac.Copilot.Cli.Composition;
using Vgac.Copilot.Contracts;

namespace Vgac.Copilot.Cli.Input;

/// <summary>
/// <c>--what-if gpus=1,2,4 --what-if priority=0,5</c>: the grid of variants of one spec (cartesian product),
/// predicted together in one batch call.
/// </summary>
internal static class WhatIfGrid
{
    public const int MaxVariants = 64;

    private static readonly string[] Fields = ["gpus", "cpu", "memory_gb", "priority", "namespace", "queue", "gpu_type", "duration_minutes"];

    public static List<JobSpec> Expand(JobSpec baseSpec, IReadOnlyList<string> whatIfs)
    {
        var specs = new List<JobSpec> { baseSpec };
        foreach (var whatIf in whatIfs)
        {
            var parts = whatIf.Split('=', 2);
            var field = parts[0].Trim().Replace('-', '_').ToLowerInvariant();
            if (parts.Length != 2 || !Fields.Contains(field))
            {
                throw new ConfigurationException($"--what-if '{whatIf}': expected FIELD=v1,v2,... with FIELD one of {string.Join(", ", Fields)}.");
            }

            var values = parts[1].Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
            if (values.Length == 0)
            {
                throw new ConfigurationException($"--what-if '{whatIf}': give at least one value.");
            }

            specs = [.. specs.SelectMany(s => values.Select(v => Apply(s, field, v, whatIf)))];
            if (specs.Count > MaxVariants)
            {
                throw new ConfigurationException($"--what-if: {specs.Count} variants is more than {MaxVariants}; narrow the grid.");
            }
        }

        return specs;
    }

    private static JobSpec Apply(JobSpec spec, string field, string value, string whatIf)
    {
        int Int() => int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) ? v : throw Bad("a whole number");
        double Number() => double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) ? v : throw Bad("a number");
        ConfigurationException Bad(string expected) => new($"--what-if '{whatIf}': {field} must be {expected}, got '{value}'.");

        return field switch
        {
            "gpus" => spec with { Gpus = Int() },
            "cpu" => spec with { Cpu = Number() },
            "memory_gb" => spec with { MemoryGb = Number() },
            "priority" => spec with { Priority = Int() },
            "namespace" => spec with { Namespace = value },
            "queue" => spec with { Queue = value },
            "gpu_type" => spec with { GpuType = value },
            _ => spec with { EstimatedDurationMinutes = Int() },
        };
    }
}
