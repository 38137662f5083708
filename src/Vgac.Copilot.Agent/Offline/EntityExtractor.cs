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

    /// <summary>Expected runtime in minutes ("2h", "90 minutes"; "overnight" is 8-12 h, taken as its middle).</summary>
    public int? DurationMinutes { get; init; }

    /// <summary>CPU cores asked for ("32 cores").</summary>
    public int? Cpus { get; init; }

    /// <summary>Whether the job spans nodes ("distributed", "multi-node", "two nodes of 8"); null when not said.</summary>
    public bool? Distributed { get; init; }

    /// <summary>A window to look back over, in hours ("this week" is 168, "the past day" 24, "the last 6 hours" 6).</summary>
    public double? WindowHours { get; init; }

    /// <summary>The window as the question put it ("this week", "the last 6 hours"): said back in those words.</summary>
    public string? WindowSaid { get; init; }

    /// <summary>A queue or Slurm partition named ("partition gpu-long", "the debug queue").</summary>
    public string? Queue { get; init; }

    /// <summary>True when the question names nothing of a job spec.</summary>
    public bool IsEmpty => Gpus is null && GpuType is null && MemoryGb is null && Namespace is null && Priority is null && JobId is null && DurationMinutes is null
        && Cpus is null && Distributed is null && WindowHours is null && Queue is null;

    /// <summary>This spec with what <paramref name="newer"/> says written over it (a follow-up: "and with 8?").</summary>
    public Entities With(Entities newer) => new(
        newer.Gpus ?? Gpus, newer.GpuType ?? GpuType, newer.MemoryGb ?? MemoryGb, newer.Namespace ?? Namespace, newer.Priority ?? Priority,
        newer.GpuVariants.Count > 0 ? newer.GpuVariants : newer.Gpus is null ? GpuVariants : [],
        newer.PriorityVariants.Count > 0 ? newer.PriorityVariants : newer.Priority is null ? PriorityVariants : [])
    {
        InvalidGpus = newer.InvalidGpus,
        JobId = newer.JobId ?? JobId,
        DurationMinutes = newer.DurationMinutes ?? DurationMinutes,
        Cpus = newer.Cpus ?? Cpus,
        Distributed = newer.Distributed ?? Distributed,
        WindowHours = newer.WindowHours ?? WindowHours,
        WindowSaid = newer.WindowHours is null ? WindowSaid : newer.WindowSaid,
        Queue = newer.Queue ?? Queue,
    };
}

/// <summary>
/// Pulls the job spec out of a question. Deterministic rules, no model: number words and phrases become digits first
/// ("a pair of A100s", "sixty-four GPUs", "two nodes of 8"), then GPU counts, types, memory, durations, priorities,
/// namespaces (only where the question introduces one) and job ids are read.
/// </summary>
public static partial class EntityExtractor
{
    private static readonly Dictionary<string, int> Units = new(StringComparer.Ordinal)
    {
        ["zero"] = 0, ["one"] = 1, ["two"] = 2, ["three"] = 3, ["four"] = 4, ["five"] = 5, ["six"] = 6, ["seven"] = 7, ["eight"] = 8,
        ["nine"] = 9, ["ten"] = 10, ["eleven"] = 11, ["twelve"] = 12, ["thirteen"] = 13, ["fourteen"] = 14, ["fifteen"] = 15,
        ["sixteen"] = 16, ["seventeen"] = 17, ["eighteen"] = 18, ["nineteen"] = 19,
    };

    private static readonly Dictionary<string, int> Tens = new(StringComparer.Ordinal)
    {
        ["twenty"] = 20, ["thirty"] = 30, ["forty"] = 40, ["fifty"] = 50, ["sixty"] = 60,
    };

    public static Entities Extract(string question)
    {
        var raw = question.ToLowerInvariant();
        var q = Normalize(question);
        var gpuCounts = GpuCount().Matches(q).Select(m => int.Parse(m.Groups["n"].Value, CultureInfo.InvariantCulture)).ToList();
        var list = GpuList().Match(q);
        var variants = list.Success
            ? Numbers().Matches(list.Groups["list"].Value).Select(m => int.Parse(m.Value, CultureInfo.InvariantCulture)).Distinct().ToList()
            : InsteadOf().Match(q) is { Success: true } instead
            ? [.. new[] { instead.Groups["a"].Value, instead.Groups["b"].Value }.Select(v => int.Parse(v, CultureInfo.InvariantCulture)).Distinct()]
            : gpuCounts.Distinct().ToList();
        var priorities = PriorityList().Match(q) is { Success: true } p
            ? Numbers().Matches(p.Groups["list"].Value).Select(m => int.Parse(m.Value, CultureInfo.InvariantCulture)).Distinct().ToList()
            : PriorityWord().Match(q) is { Success: true } word ? [word.Groups["level"].Value is "high" or "urgent" ? 10 : 0] : [];
        var negative = NegativeGpus().Match(q);
        var window = Window(q);
        return new Entities(
            variants.Count > 0 ? variants[0] : null,
            GpuType().Match(q) is { Success: true } t ? t.Groups[1].Value.ToUpperInvariant() : null,
            Memory(q),
            NamespaceOf(q),
            priorities.Count > 0 ? priorities[0] : null,
            variants.Count > 1 ? variants : [],
            priorities.Count > 1 ? priorities : [])
        {
            InvalidGpus = negative.Success ? negative.Value.Trim() : null,
            JobId = JobIdPattern().Match(q) is { Success: true } id ? id.Value : null,
            DurationMinutes = Duration(q),
            Cpus = CpuPattern().Match(q) is { Success: true } cpu ? int.Parse(cpu.Groups["n"].Value, CultureInfo.InvariantCulture) : null,
            Distributed = SingleNode().IsMatch(raw) ? false : DistributedPattern().IsMatch(raw) ? true : null,
            WindowHours = window?.Hours,
            WindowSaid = window?.Said,
            Queue = QueuePattern().Match(q) is { Success: true } queue && !NotAQueue.Contains(queue.Groups["q"].Value) ? queue.Groups["q"].Value : null,
        };
    }

    /// <summary>Words that stand before "queue" or "partition" without naming one ("the slurm queue", "the whole queue").</summary>
    private static readonly HashSet<string> NotAQueue = new(StringComparer.Ordinal)
    {
        "slurm", "job", "jobs", "pending", "gpu", "whole", "current", "entire", "k8s", "kubernetes", "wait", "waiting", "long", "scheduler",
        "cluster", "my", "our", "your", "this", "that", "the", "a", "is", "so", "of", "for", "and", "right", "now", "length", "depth",
        "status", "state", "order", "position", "each", "every", "which", "what", "its",
    };

    private static string? NamespaceOf(string q)
    {
        if (Namespace().Match(q) is { Success: true } ns)
        {
            return ns.Groups["ns"].Value;
        }

        // "running for ml-prod", "median wait for ml-research": a hyphenated name after "for" or "of" that is not a job id.
        return NamespaceAfterFor().Match(q) is { Success: true } named && !JobIdPattern().IsMatch(named.Groups["ns"].Value) ? named.Groups["ns"].Value : null;
    }

    private static (double Hours, string Said)? Window(string q)
    {
        if (WindowWords().Match(q) is { Success: true } w)
        {
            return (w.Groups["w"].Value switch
            {
                "week" or "7 days" => 168,
                "month" or "30 days" => 720,
                _ => 24, // the past day, 24 hours ("today" is not read: "the guards are off today" narrows nothing)
            }, w.Value.Trim());
        }

        if (WindowPattern().Match(q) is not { Success: true } m)
        {
            return null;
        }

        var value = double.Parse(m.Groups["v"].Value, CultureInfo.InvariantCulture);
        var said = Regex.Replace(m.Value.Trim(), @"^(?:in|over|during|for)\s+", "");
        return (m.Groups["unit"].Value.StartsWith('d') ? value * 24 : m.Groups["unit"].Value.StartsWith('w') ? value * 168 : value, said);
    }

    /// <summary>
    /// Lower case, number words as digits, and the shapes of a GPU count made regular: "a pair of" → 2, "a dozen" →
    /// 12, "single-gpu" → "1 gpu", "4-gpu" → "4 gpu", "two nodes of 8" → "16 gpus".
    /// </summary>
    public static string Normalize(string question)
    {
        var q = question.ToLowerInvariant().Replace('×', 'x').Replace('’', '\'');
        // A spec written as key=value pairs ("gpus=4 mem=64G prio=5 type=a100 time=6h") in the words the rules read.
        q = KeyValue().Replace(q, m => m.Groups["key"].Value switch
        {
            "gpus" or "gpu" or "n_gpus" or "num_gpus" or "gres" => $" {m.Groups["value"].Value} gpus, ",
            "mem" or "memory" or "memory_gb" => $" {m.Groups["value"].Value}{(m.Groups["value"].Value.Any(char.IsLetter) ? "" : " gb")}, ",
            "prio" or "priority" => $" priority {m.Groups["value"].Value}, ",
            "cpus" or "cpu" or "cores" => $" {m.Groups["value"].Value} cores, ",
            "type" or "gpu_type" => $" {m.Groups["value"].Value}, ",
            "time" or "runtime" or "duration" or "walltime" => $" for {m.Groups["value"].Value}, ",
            "partition" or "queue" => $" partition {m.Groups["value"].Value}, ",
            _ => m.Value,
        });
        q = NumberWords().Replace(q, m =>
        {
            var tens = m.Groups["tens"].Success ? Tens[m.Groups["tens"].Value] : 0;
            var unit = m.Groups["unit"].Success ? Units[m.Groups["unit"].Value] : 0;
            return (tens + unit).ToString(CultureInfo.InvariantCulture);
        });
        q = Phrases().Replace(q, m => m.Groups["p"].Value switch
        {
            "a pair of" or "a couple of" or "couple of" or "pair of" => "2",
            "a dozen" or "dozen" => "12",
            _ => "1",
        });
        q = NodesOf().Replace(q, m => $"{int.Parse(m.Groups["nodes"].Value, CultureInfo.InvariantCulture) * int.Parse(m.Groups["per"].Value, CultureInfo.InvariantCulture)} gpus");
        return HyphenCount().Replace(q, "${n} ${what}");
    }

    private static double? Memory(string q)
    {
        if (MemoryPattern().Match(q) is not { Success: true } m)
        {
            return null;
        }

        var value = double.Parse(m.Groups["v"].Value, CultureInfo.InvariantCulture);
        return m.Groups["unit"].Value.StartsWith('t') ? value * 1024 : value;
    }

    private static int? Duration(string q)
    {
        if (q.Contains("overnight", StringComparison.Ordinal))
        {
            return 600; // 8-12 h: the middle of the range
        }

        if (DurationPattern().Match(q) is not { Success: true } m)
        {
            return null;
        }

        var value = double.Parse(m.Groups["v"].Value, CultureInfo.InvariantCulture);
        return (int)Math.Round(m.Groups["unit"].Value.StartsWith('h') ? value * 60 : m.Groups["unit"].Value.StartsWith('d') ? value * 1440 : value);
    }

    [GeneratedRegex(@"\b(?<key>gpus|gpu|n_gpus|num_gpus|gres|mem|memory|memory_gb|prio|priority|cpus|cpu|cores|type|gpu_type|time|runtime|duration|walltime|partition|queue)\s*=\s*(?:gpu:)?(?<value>[a-z0-9][a-z0-9._-]*)")]
    private static partial Regex KeyValue();

    [GeneratedRegex(@"\b(?:(?<tens>twenty|thirty|forty|fifty|sixty)(?:[\s-]+(?<unit>one|two|three|four|five|six|seven|eight|nine))?|(?<unit>zero|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen|seventeen|eighteen|nineteen))\b")]
    private static partial Regex NumberWords();

    [GeneratedRegex(@"\b(?<p>a pair of|pair of|a couple of|couple of|a dozen|dozen|a single|single)\b")]
    private static partial Regex Phrases();

    [GeneratedRegex(@"\b(?<nodes>\d{1,3})\s+nodes?\s+(?:of|with|x)\s+(?<per>\d{1,2})(?:\s*(?:gpus?|cards?))?\b")]
    private static partial Regex NodesOf();

    [GeneratedRegex(@"\b(?<n>\d{1,4})-(?<what>gpus?|cards?|a100s?|h100s?|v100s?)\b")]
    private static partial Regex HyphenCount();

    [GeneratedRegex(@"\b(?:job|swf|openb-pod)-\d+\b")]
    private static partial Regex JobIdPattern();

    // "8 GPUs instead of 2": the count written once, its alternative bare.
    [GeneratedRegex(@"(?<a>\d{1,4})\s*(?:x\s*)?(?:(?:a100|v100|h100|t4|l4|a10g?)s?|gpus?|cards?)\s+(?:instead\s+of|rather\s+than|not)\s+(?:the\s+)?(?<b>\d{1,4})\b")]
    private static partial Regex InsteadOf();

    [GeneratedRegex(@"-\s*\d{1,4}\s*(?:x\s*)?(?:(?:a100|v100|h100|t4|l4|a10g?)s?|gpus?)\b")]
    private static partial Regex NegativeGpus();

    [GeneratedRegex(@"(?<n>\d{1,4})\s*(?:x\s*)?(?:(?:nvidia\s+)?(?:a100|v100|h100|t4|l4|a10g?)s?|gpus?|cards?)\b")]
    private static partial Regex GpuCount();

    [GeneratedRegex(@"(?<list>\d{1,4}(?:\s*(?:,|or|and|vs\.?|versus|/|to)\s*\d{1,4})+)\s*(?:x\s*)?(?:(?:a100|v100|h100|t4|l4|a10g?)s?|gpus?|cards?)\b")]
    private static partial Regex GpuList();

    // A number after "priority" that is not a GPU count ("a high-priority 4 GPU job").
    [GeneratedRegex(@"\bpriority\s*(?:of\s*)?(?<list>\d{1,3}(?:\s*(?:,|or|and|vs\.?|versus|/)\s*(?:priority\s*)?\d{1,3})*)(?!\d|\s*(?:x\s*)?(?:gpus?|cards?|a100|v100|h100|t4|l4|a10))")]
    private static partial Regex PriorityList();

    [GeneratedRegex(@"\b(?<level>high|low|urgent)[\s-]priority\b")]
    private static partial Regex PriorityWord();

    [GeneratedRegex(@"\d+")]
    private static partial Regex Numbers();

    // "4xA100": the model may follow the count's x directly.
    [GeneratedRegex(@"(?:\b|(?<=\dx))(a100|v100|h100|t4|l4|a10g?)s?\b")]
    private static partial Regex GpuType();

    [GeneratedRegex(@"(?<v>\d+(?:\.\d+)?)\s*(?<unit>gb|gib|g|tb|tib)\b(?!\w)")]
    private static partial Regex MemoryPattern();

    // A runtime, not a wait threshold ("waits more than 10 min" is not a duration): introduced by "for", "runs",
    // "lasting", "runtime", "duration", "takes", "about" (not after a word of waiting or starting: "waits about 2 h"),
    // or written before "job", "run" or "training".
    [GeneratedRegex(@"(?:\b(?:for|runs?(?:\s+for)?|running(?:\s+for)?|lasting|runtime(?:\s+of)?|duration(?:\s+of)?|takes?)\s+(?:about\s+|around\s+|roughly\s+)?~?(?<v>\d+(?:\.\d+)?)\s*(?<unit>h|hrs?|hours?|mins?|minutes?|d|days?)\b(?!\w))|(?:\b(?<!(?:wait|waits|waited|waiting|in|within|start|starts|after)\s+)(?:about|around|roughly)\s+~?(?<v>\d+(?:\.\d+)?)\s*(?<unit>h|hrs?|hours?|mins?|minutes?|d|days?)\b(?!\w))|(?:\b(?<v>\d+(?:\.\d+)?)\s*(?<unit>h|hrs?|hours?|mins?|minutes?)[\s-]+(?:long\s+)?(?:job|run|training)\b)")]
    private static partial Regex DurationPattern();

    [GeneratedRegex(@"\b(?:for|of|from)\s+(?<ns>[a-z][a-z0-9]*(?:-[a-z0-9]+)+)\b(?!\s*(?:gpus?|cards?|nodes?|jobs?\b))")]
    private static partial Regex NamespaceAfterFor();

    [GeneratedRegex(@"(?<n>\d{1,3})\s*(?:x\s*)?(?:cpu\s+)?(?:cores?|v?cpus?)\b")]
    private static partial Regex CpuPattern();

    [GeneratedRegex(@"\b(?:distributed|multi[\s-]?node|across\s+(?:\d+|two|three|four|five|six|eight|several|many|multiple)\s+nodes|(?:[2-9]|\d{2,3}|two|three|four|five|six|eight)\s+nodes\s+(?:of|with|x)\b)")]
    private static partial Regex DistributedPattern();

    [GeneratedRegex(@"\b(?:single[\s-]node|one[\s-]node|non[\s-]distributed|not\s+distributed)\b")]
    private static partial Regex SingleNode();

    [GeneratedRegex(@"\b(?:(?:this|the\s+past|the\s+last|past|last)\s+(?<w>week|month|day|7 days|30 days|24 hours))\b")]
    private static partial Regex WindowWords();

    [GeneratedRegex(@"\b(?:(?:in|over|during|for)\s+)?(?:the\s+)?(?:last|past)\s+(?<v>\d+(?:\.\d+)?)\s*(?<unit>h|hrs?|hours?|d|days?|w|weeks?)\b(?!\w)")]
    private static partial Regex WindowPattern();

    [GeneratedRegex(@"\b(?:(?:partition|queue)\s*[:=]\s*(?<q>[a-z][a-z0-9_-]*)|partition\s+(?<q>[a-z][a-z0-9_-]*)|(?:the|in|on)\s+(?<q>[a-z][a-z0-9_-]*)\s+(?:partition|queue)\b)|(?<!\S)-p\s+(?<q>[a-z][a-z0-9_-]*)")]
    private static partial Regex QueuePattern();

    [GeneratedRegex(@"\b(?:namespace|ns|team)\s*[:=]?\s*(?<ns>[a-z0-9][a-z0-9-]*)|\baccount\s*(?:[:=]\s*(?<ns>[a-z0-9][a-z0-9_-]*)|\s(?<ns>[a-z0-9]+(?:[-_][a-z0-9]+)+))|\bin\s+(?<ns>[a-z0-9]+(?:-[a-z0-9]+)+)\b")]
    private static partial Regex Namespace();
}
