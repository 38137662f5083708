using System.Globalization;
using System.Text.Json;
using Vgac.Copilot.Core.Predictions;
using Vgac.Copilot.Core.Guards;
using Vgac.Copilot.Core.Text;

namespace Vgac.Copilot.Core.Jobs;

/// <summary>What kind of value a job-spec field holds.</summary>
public enum JobFieldKind
{
    WholeNumber,
    Number,
    Text,
    Flag,
}

/// <summary>One field of <see cref="JobSpecInput"/>: its wire name, kind and meaning, and how to read and set it.</summary>
public sealed class JobSpecField
{
    private readonly Func<JobSpecInput, object?> get;
    private readonly Action<JobSpecInput, object?> set;

    internal JobSpecField(string name, JobFieldKind kind, string description, bool required, bool nullable, Func<JobSpecInput, object?> get, Action<JobSpecInput, object?> set)
    {
        Name = name;
        Kind = kind;
        Description = description;
        Required = required;
        Nullable = nullable;
        this.get = get;
        this.set = set;
    }

    /// <summary>The wire name (<c>duration_minutes</c>), as every flag, tool argument and JSONL line spells it.</summary>
    public string Name { get; }

    public JobFieldKind Kind { get; }

    public string Description { get; }

    /// <summary>True for the fields a spec must give (<c>gpus</c>).</summary>
    public bool Required { get; }

    /// <summary>True for the fields that may be null (left to VGAC's own default).</summary>
    public bool Nullable { get; }

    /// <summary>The value a spec has when the field is left out (null for required and optional-without-default fields).</summary>
    public object? Default => Required ? null : ValueOf(new JobSpecInput { Gpus = 0 });

    /// <summary>The command-line flag for the field (<c>duration_minutes</c> is <c>--duration-minutes</c>).</summary>
    public string Flag => "--" + Name.Replace('_', '-');

    public string Expected => Kind switch
    {
        JobFieldKind.WholeNumber => "a whole number",
        JobFieldKind.Number => "a number",
        JobFieldKind.Flag => "true or false",
        _ => "a string",
    };

    /// <summary>This field's value in <paramref name="spec"/>.</summary>
    public object? ValueOf(JobSpecInput spec) => get(spec);

    /// <summary>A copy of <paramref name="spec"/> with this field set: the caller's spec is never changed.</summary>
    internal JobSpecInput With(JobSpecInput spec, object? value)
    {
        var copy = spec with { };
        set(copy, value);
        return copy;
    }

    public override string ToString() => Name;
}

/// <summary>A job spec that does not fit the schema: the message names the field, what was expected and what came.</summary>
public sealed class JobSpecException(string message) : Exception(message);

/// <summary>
/// The one job-spec schema, read from <see cref="JobSpecInput"/>: parses JSON objects (JSONL lines), single values
/// (flags, <c>--what-if</c>) and checks the result. Unknown or mistyped names are rejected with the closest valid
/// one; a string where a number belongs is an error, never converted.
/// </summary>
public static class JobSpecSchema
{
    /// <summary>Longest text value accepted (namespaces, queues and GPU types are far shorter).</summary>
    public const int MaxTextLength = 128;

    public static IReadOnlyList<JobSpecField> Fields { get; } = Describe();

    public static IEnumerable<string> Names => Fields.Select(f => f.Name);

    public static JobSpecField? Find(string name) => Fields.FirstOrDefault(f => string.Equals(f.Name, name, StringComparison.Ordinal));

    /// <summary>The field called <paramref name="name"/>, or an error naming the closest one.</summary>
    public static JobSpecField Get(string name, string where) => Find(name) ?? throw Unknown(name, where);

    /// <summary>A JSON object (a JSONL line, a tool's job) as a checked job spec.</summary>
    public static JobSpecInput Parse(JsonElement json, string where)
    {
        if (json.ValueKind != JsonValueKind.Object)
        {
            throw new JobSpecException($"{where}: expected a JSON object with at least \"gpus\", got {Describe(json)}.");
        }

        var spec = new JobSpecInput { Gpus = 0 };
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var property in json.EnumerateObject())
        {
            var field = Get(property.Name, where);
            if (!seen.Add(field.Name))
            {
                throw new JobSpecException($"{where}: \"{field.Name}\" is given twice.");
            }

            spec = field.With(spec, Read(field, property.Value, where));
        }

        if (Fields.FirstOrDefault(f => f.Required && !seen.Contains(f.Name)) is { } missing)
        {
            throw new JobSpecException($"{where}: \"{missing.Name}\" is required ({missing.Description.TrimEnd('.')}).");
        }

        return Checked(spec, where);
    }

    /// <summary>One field set from text (a flag's value, a <c>--what-if</c> value).</summary>
    public static JobSpecInput With(JobSpecInput spec, JobSpecField field, string text, string where)
    {
        object? value = field.Kind switch
        {
            JobFieldKind.WholeNumber => int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var i) ? i : null,
            JobFieldKind.Number => double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) && double.IsFinite(d) ? d : null,
            JobFieldKind.Flag => bool.TryParse(text, out var b) ? b : null,
            _ => text.Length <= MaxTextLength ? text : null,
        };
        return value is null
            ? throw new JobSpecException($"{where}: {field.Name} must be {field.Expected}{(field.Kind == JobFieldKind.Text ? $" of at most {MaxTextLength} characters" : "")}, got {Identifiers.Echo(text)}.")
            : field.With(spec, value);
    }

    /// <summary>The spec if its values make sense (positive GPUs, memory, CPU ...), else every problem in one message.</summary>
    public static JobSpecInput Checked(JobSpecInput spec, string where)
    {
        var problems = JobSpecRules.Validate(spec.ToContract());
        return problems.Count == 0 ? spec : throw new JobSpecException($"{where}: {string.Join(" ", problems)}");
    }

    /// <summary>The error for a name that is not a field: the closest field, and every field.</summary>
    public static JobSpecException Unknown(string name, string where)
    {
        var guess = NameMatch.Closest(name, Names, maxEdits: 3);
        return new JobSpecException($"{where}: unknown field {Identifiers.Echo(name)}{(guess is null ? "." : $"; did you mean '{guess}'?")} The fields are: {string.Join(", ", Names)}.");
    }

    private static object? Read(JobSpecField field, JsonElement value, string where)
    {
        if (value.ValueKind == JsonValueKind.Null && field.Nullable)
        {
            return null;
        }

        object? read = field.Kind switch
        {
            JobFieldKind.WholeNumber when value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out var i) => i,
            JobFieldKind.Number when value.ValueKind == JsonValueKind.Number => value.GetDouble(),
            JobFieldKind.Flag when value.ValueKind is JsonValueKind.True or JsonValueKind.False => value.GetBoolean(),
            JobFieldKind.Text when value.ValueKind == JsonValueKind.String && value.GetString()!.Length <= MaxTextLength => value.GetString(),
            _ => null,
        };
        return read ?? throw new JobSpecException($"{where}: {field.Name} must be {field.Expected}, got {Describe(value)}.");
    }

    private static string Describe(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => $"the string {Identifiers.Echo(value.GetString()!)}",
        JsonValueKind.Number => $"the number {Identifiers.Echo(value.GetRawText())}",
        JsonValueKind.True or JsonValueKind.False => value.GetRawText(),
        JsonValueKind.Null => "null",
        JsonValueKind.Array => "an array",
        _ => "an object",
    };

    /// <summary>
    /// The fields, in <see cref="JobSpecInput"/>'s order, with their wire names, meanings and accessors. Written out
    /// rather than read by reflection: this runs on every start (the help lists the flags), where reflection over the
    /// record's attributes cost a tenth of a native <c>vgac --help</c> and the JSON contract more. A test holds the
    /// table to the record's declaration (names, nullability, required), so the two cannot drift apart.
    /// </summary>
    private static JobSpecField[] Describe() =>
    [
        new("gpus", JobFieldKind.WholeNumber, JobSpecInput.Docs.Gpus, true, false, s => s.Gpus, (s, v) => s.Gpus = (int)v!),
        new("cpu_millicores", JobFieldKind.Number, JobSpecInput.Docs.CpuMillicores, false, false, s => s.CpuMillicores, (s, v) => s.CpuMillicores = (double)v!),
        new("memory_gb", JobFieldKind.Number, JobSpecInput.Docs.MemoryGb, false, false, s => s.MemoryGb, (s, v) => s.MemoryGb = (double)v!),
        new("priority", JobFieldKind.WholeNumber, JobSpecInput.Docs.Priority, false, false, s => s.Priority, (s, v) => s.Priority = (int)v!),
        new("namespace", JobFieldKind.Text, JobSpecInput.Docs.Namespace, false, false, s => s.Namespace, (s, v) => s.Namespace = (string)v!),
        new("queue", JobFieldKind.Text, JobSpecInput.Docs.Queue, false, true, s => s.Queue, (s, v) => s.Queue = (string?)v),
        new("gpu_type", JobFieldKind.Text, JobSpecInput.Docs.GpuType, false, true, s => s.GpuType, (s, v) => s.GpuType = (string?)v),
        new("distributed", JobFieldKind.Flag, JobSpecInput.Docs.Distributed, false, false, s => s.Distributed, (s, v) => s.Distributed = (bool)v!),
        new("duration_minutes", JobFieldKind.WholeNumber, JobSpecInput.Docs.DurationMinutes, false, true, s => s.DurationMinutes, (s, v) => s.DurationMinutes = (int?)v),
    ];
}
