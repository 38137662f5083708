using System.Text.Json;
using Vgac.Copilot.Core.Jobs;

namespace Vgac.Copilot.Cli.Input;

/// <summary>
/// Reads job specs from JSONL (one object per line, the job-spec schema's names), from a file or from stdin
/// (<c>-</c>); errors name the line and the field.
/// </summary>
internal static class JobSpecFile
{
    public const int MaxSpecs = 1000;

    /// <summary>Longest line accepted: a job spec is a few hundred characters.</summary>
    public const int MaxLineChars = 16 * 1024;

    public static List<JobSpecInput> Read(string path, TextReader stdin)
    {
        if (path != "-" && !File.Exists(path))
        {
            throw new JobSpecException($"--batch: file '{path}' does not exist.");
        }

        using var reader = path == "-" ? null : new StreamReader(path);
        var source = reader ?? stdin;
        var name = path == "-" ? "stdin" : path;
        var specs = new List<JobSpecInput>();
        var number = 0;
        while (source.ReadLine() is { } line)
        {
            number++;
            if (string.IsNullOrWhiteSpace(line))
            {
                continue;
            }

            var where = $"{name}: line {number}";
            if (line.Length > MaxLineChars)
            {
                throw new JobSpecException($"{where}: {line.Length:N0} characters; a job spec is at most {MaxLineChars:N0}.");
            }

            JsonDocument document;
            try
            {
                document = JsonDocument.Parse(line);
            }
            catch (JsonException ex)
            {
                throw new JobSpecException($"{where}: not JSON ({ex.Message.Split(" Path:")[0].Split(" LineNumber:")[0].TrimEnd('.')}).");
            }

            using (document)
            {
                specs.Add(JobSpecSchema.Parse(document.RootElement, where));
            }

            if (specs.Count > MaxSpecs)
            {
                throw new JobSpecException($"{name}: more than {MaxSpecs} specs; split the file.");
            }
        }

        return specs.Count > 0 ? specs : throw new JobSpecException($"{name}: no job specs.");
    }
}
