using Vgac.Copilot.Core.Jobs;

namespace Vgac.Copilot.Cli.Input;

/// <summary>
/// <c>--what-if gpus=1,2,4 --what-if priority=0,5</c>: the grid of variants of one spec (cartesian product),
/// predicted together in one batch call. Field names and values are the job-spec schema's.
/// </summary>
internal static class WhatIfGrid
{
    public const int MaxVariants = 64;

    public static List<JobSpecInput> Expand(JobSpecInput baseSpec, IReadOnlyList<string> whatIfs)
    {
        var specs = new List<JobSpecInput> { baseSpec };
        foreach (var whatIf in whatIfs)
        {
            var parts = whatIf.Split('=', 2);
            if (parts.Length != 2)
            {
                throw new JobSpecException($"--what-if '{whatIf}': expected FIELD=v1,v2,... with FIELD one of {string.Join(", ", JobSpecSchema.Names)}.");
            }

            var field = JobSpecSchema.Get(parts[0].Trim().Replace('-', '_'), $"--what-if '{whatIf}'");
            var values = parts[1].Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
            if (values.Length == 0)
            {
                throw new JobSpecException($"--what-if '{whatIf}': give at least one value.");
            }

            specs = [.. specs.SelectMany(s => values.Select(v => JobSpecSchema.With(s, field, v, $"--what-if '{whatIf}'")))];
            if (specs.Count > MaxVariants)
            {
                throw new JobSpecException($"--what-if: {specs.Count} variants is more than {MaxVariants}; narrow the grid.");
            }
        }

        return specs;
    }
}
