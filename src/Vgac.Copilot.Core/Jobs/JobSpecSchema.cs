using System.ComponentModel;
using System.Globalization;
using System.Reflection;
using System.Text.Json;
using System.Text.Json.Serialization;
using Vgac.Copilot.Core.Agents;
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

/// <summary>One field of <see cref="JobSpecInput"/>: its wire name, kind and meaning.</summary>
public sealed record JobSpecField(string Name, JobFieldKind Kind, string Description, bool Required, bool Nullable, PropertyInfo Property)
{
    /// <summary>The value a spec has when the field is left out (null for required and optional-without-default fields).</summary>
    public object? Default => Required ? null : Property.GetValue(new JobSpecInput { Gpus = 0 });

    /// <summary>The command-line flag for the field (<c>duration_minutes</c> is <c>--duration-minutes</c>).</summary>
    public string Flag => "--" + Name.Replace('_', '-');

    public string Expected => Kind switch
    {
        JobFieldKind.WholeNumber => "a whole number",
        JobFieldKind.Number => "a number",
        JobFieldKind.Flag => "true or false",
        _ => "a string",
    };
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

            spec = Set(spec, field, Read(field, property.Value, where));
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
            : Set(spec, field, value);
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

    private static JobSpecInput Set(JobSpecInput spec, JobSpecField field, object? value)
    {
        var copy = spec with { };
        field.Property.SetValue(copy, value); // a copy: the caller's spec is never changed
        return copy;
    }

    private static List<JobSpecField> Describe()
    {
        var context = new NullabilityInfoContext();
        return [.. typeof(JobSpecInput).GetProperties(BindingFlags.Public | BindingFlags.Instance).Select(p =>
        {
            var type = Nullable.GetUnderlyingType(p.PropertyType) ?? p.PropertyType;
            var kind = type == typeof(int) ? JobFieldKind.WholeNumber
                : type == typeof(double) ? JobFieldKind.Number
                : type == typeof(bool) ? JobFieldKind.Flag
                : JobFieldKind.Text;
            return new JobSpecField(
                p.GetCustomAttribute<JsonPropertyNameAttribute>()!.Name,
                kind,
                p.GetCustomAttribute<DescriptionAttribute>()!.Description,
                p.GetCustomAttribute<System.Runtime.CompilerServices.RequiredMemberAttribute>() is not null,
                context.Create(p).WriteState == NullabilityState.Nullable,
                p);
        })];
    }
}
