using System.Globalization;
using System.Text.RegularExpressions;

namespace Vgac.Copilot.Agent.Offline;

/// <summary>A job spec as written in words: "4 A100s, 64 GB, namespace ml-research, priority 5".</summary>
public sealed record Entities(int? Gpus, string? GpuType, double? MemoryGb, string? Namespace, int? Priority, IReadOnlyList<int> GpuVariants, IReadOnlyList<int> PriorityVariants)
{
    /// <summary>A GPU count written in the question that no job can ask for (negative), verbatim.</summary>
    public string? InvalidGpus { get; init; }

    /// <summary>A job id named in the question (<c>job-004060</c>).</summary>
    public string? JobId { get; init; }
}

/// <summary>Pulls the job spec out of a question. Deterministic regular expressions, no model.</summary>
public static partial class EntityExtractor
{
    public static Entities Extract(string question)
    {
        var q = question.ToLowerInvariant().Replace('×', 'x');
        var gpuCounts = GpuCount().Matches(q).Select(m => int.Parse(m.Groups["n"].Value, CultureInfo.InvariantCulture)).ToList();
        var list = GpuList().Match(q);
        var variants = list.Success
            ? Numbers().Matches(list.Groups["list"].Value).Select(m => int.Parse(m.Value, CultureInfo.InvariantCulture)).Distinct().ToList()
            : gpuCounts.Distinct().ToList();
        var priorities = PriorityList().Match(q) is { Success: true } p
            ? Numbers().Matches(p.Groups["list"].Value).Select(m => int.Parse(m.Value, CultureInfo.InvariantCulture)).Distinct().ToList()
            : [];
        var negative = NegativeGpus().Match(q);
        return new Entities(
            variants.Count > 0 ? variants[0] : null,
            GpuType().Match(q) is { Success: true } t ? t.Groups[1].Value.ToUpperInvariant() : null,
            Memory().Match(q) is { Success: true } mem ? double.Parse(mem.Groups[1].Value, CultureInfo.InvariantCulture) : null,
            Namespace().Match(q) is { Success: true } ns ? ns.Groups["ns"].Value : null,
            priorities.Count > 0 ? priorities[0] : null,
            variants.Count > 1 ? variants : [],
            priorities.Count > 1 ? priorities : [])
        {
            InvalidGpus = negative.Success ? negative.Value.Trim() : null,
            JobId = JobIdPattern().Match(q) is { Success: true } id ? id.Value : null,
        };
    }

    [GeneratedRegex(@"\b(?:job|swf|openb-pod)-\d+\b")]
    private static partial Regex JobIdPattern();

    [GeneratedRegex(@"-\s*\d{1,4}\s*(?:x\s*)?(?:(?:a100|v100|h100|t4|l4|a10g?)s?|gpus?)\b")]
    private static partial Regex NegativeGpus();

    [GeneratedRegex(@"(?<n>\d{1,4})\s*(?:x\s*)?(?:(?:nvidia\s+)?(?:a100|v100|h100|t4|l4|a10g?)s?|gpus?|cards?)\b")]
    private static partial Regex GpuCount();

    [GeneratedRegex(@"(?<list>\d{1,4}(?:\s*(?:,|or|and|vs\.?|versus|/)\s*\d{1,4})+)\s*(?:x\s*)?(?:(?:a100|v100|h100|t4|l4|a10g?)s?|gpus?)\b")]
    private static partial Regex GpuList();

    [GeneratedRegex(@"priority\s*(?:of\s*)?(?<list>\d{1,3}(?:\s*(?:,|or|and|vs\.?|versus|/)\s*\d{1,3})*)")]
    private static partial Regex PriorityList();

    [GeneratedRegex(@"\d+")]
    private static partial Regex Numbers();

    [GeneratedRegex(@"\b(a100|v100|h100|t4|l4|a10g?)s?\b")]
    private static partial Regex GpuType();

    [GeneratedRegex(@"(\d+(?:\.\d+)?)\s*(?:gb|gib|g)\b(?!\w)")]
    private static partial Regex Memory();

    [GeneratedRegex(@"(?:namespace|ns|team)\s*[:=]?\s*(?<ns>[a-z0-9][a-z0-9-]*)|\bin\s+(?<ns>[a-z0-9]+(?:-[a-z0-9]+)+)\b")]
    private static partial Regex Namespace();
}
