using System.Text.Json;
using Vgac.Copilot.Cli.Composition;
using Vgac.Copilot.Contracts;
using Vgac.Copilot.Core.Agents;

namespace Vgac.Copilot.Cli.Input;

/// <summary>Reads job specs from JSONL (one object per line, contract field names); errors name the line.</summary>
internal static class JobSpecFile
{
    public const int MaxSpecs = 1000;

    public static List<JobSpec> Read(string path)
    {
        if (!File.Exists(path))
        {
            throw new ConfigurationException($"--batch: file '{path}' does not exist.");
        }

        var specs = new List<JobSpec>();
        var number = 0;
        foreach (var line in File.ReadLines(path))
        {
            number++;
            if (string.IsNullOrWhiteSpace(line))
            {
                continue;
            }

            JobSpec? spec;
            try
            {
                spec = JsonSerializer.Deserialize(line, VgacJsonContext.Default.JobSpec);
            }
            catch (JsonException ex)
            {
                throw new ConfigurationException($"{path}: line {number}: not a job spec: {ex.Message.Split(" Path:")[0]}{(ex.Path is { Length: > 1 } p ? $" (field {p.TrimStart('$', '.')})" : "")}");
            }

            var problems = spec is null ? ["expected a JSON object."] : JobSpecRules.Validate(spec);
            if (problems.Count > 0)
            {
                throw new ConfigurationException($"{path}: line {number}: {string.Join(" ", problems)}");
            }

            specs.Add(spec!);
            if (specs.Count > MaxSpecs)
            {
                throw new ConfigurationException($"{path}: more than {MaxSpecs} specs; split the file.");
            }
        }

        return specs.Count > 0 ? specs : throw new ConfigurationException($"{path}: no job specs in the file.");
    }
}
