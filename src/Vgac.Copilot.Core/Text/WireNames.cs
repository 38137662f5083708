using System.Collections.Frozen;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Vgac.Copilot.Core.Text;

/// <summary>
/// The one rule for an enum's names outside the program (in JSON, the audit trail, metrics and on screen): the
/// member's name in snake case (<c>AwaitingApproval</c> is <c>awaiting_approval</c>). Member names are the wire
/// names, so renaming a member is a change of format.
/// </summary>
public static class WireNames
{
    /// <summary>The wire name of <paramref name="value"/>.</summary>
    public static string Wire<TEnum>(this TEnum value) where TEnum : struct, Enum => Names<TEnum>.ByValue.TryGetValue(value, out var name) ? name : Convert(value);

    /// <summary>The wire name with spaces for underscores, for a sentence (<c>awaiting approval</c>).</summary>
    public static string Spoken<TEnum>(this TEnum value) where TEnum : struct, Enum => value.Wire().Replace('_', ' ');

    /// <summary>The member whose wire name is <paramref name="name"/>; false for any other text.</summary>
    public static bool TryParse<TEnum>(string? name, out TEnum value) where TEnum : struct, Enum
    {
        if (name is not null && Names<TEnum>.ByName.TryGetValue(name, out value))
        {
            return true;
        }

        value = default;
        return false;
    }

    private static string Convert<TEnum>(TEnum value) where TEnum : struct, Enum => JsonNamingPolicy.SnakeCaseLower.ConvertName(value.ToString());

    private static class Names<TEnum> where TEnum : struct, Enum
    {
        public static readonly FrozenDictionary<TEnum, string> ByValue = Enum.GetValues<TEnum>().Distinct().ToFrozenDictionary(v => v, Convert);

        public static readonly FrozenDictionary<string, TEnum> ByName = ByValue.ToFrozenDictionary(kv => kv.Value, kv => kv.Key, StringComparer.Ordinal);
    }
}

/// <summary>Writes and reads an enum by its wire names (<see cref="WireNames"/>) and nothing else: no numbers, no other casing.</summary>
public sealed class WireNameConverter<TEnum>() : JsonStringEnumConverter<TEnum>(JsonNamingPolicy.SnakeCaseLower, allowIntegerValues: false)
    where TEnum : struct, Enum;
