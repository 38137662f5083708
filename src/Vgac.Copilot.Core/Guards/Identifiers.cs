using System.Text.RegularExpressions;

namespace Vgac.Copilot.Core.Guards;

/// <summary>
/// Names that come from VGAC and end up in an action's preview or an executor's input: each is checked against what
/// the target system itself accepts before anything is built from it. A value that fails is never quoted into a
/// command "carefully": the proposal is blocked (<see cref="GuardRules.InvalidIdentifier"/>).
/// </summary>
public static partial class Identifiers
{
    /// <summary>Longest value echoed back in a message about a bad identifier.</summary>
    private const int EchoLimit = 64;

    /// <summary>A Kubernetes namespace: a DNS-1123 label (lower-case alphanumerics and '-', at most 63).</summary>
    public static string? KubernetesNamespace(string? value) =>
        value is { Length: > 0 and <= 63 } && Dns1123Label().IsMatch(value) ? null : Problem("namespace", value, "a DNS-1123 label (lower-case letters, digits and '-', at most 63)");

    /// <summary>A pod name: a DNS-1123 subdomain (at most 253).</summary>
    public static string? KubernetesName(string? value) =>
        value is { Length: > 0 and <= 253 } && Dns1123Subdomain().IsMatch(value) ? null : Problem("pod name", value, "a DNS-1123 subdomain (lower-case letters, digits, '-' and '.', at most 253)");

    /// <summary>A Slurm job id: digits, or an array task <c>123_4</c>.</summary>
    public static string? SlurmJobId(string? value) =>
        value is { Length: > 0 and <= 32 } && SlurmId().IsMatch(value) ? null : Problem("Slurm job id", value, "digits (or an array task such as 1234_5)");

    /// <summary>A Slurm partition or queue name.</summary>
    public static string? Partition(string? value) =>
        value is { Length: > 0 and <= 64 } && PartitionName().IsMatch(value) ? null : Problem("partition", value, "letters, digits, '.', '_' or '-' (at most 64)");

    /// <summary>Quotes one argument for a POSIX shell: inside single quotes nothing is special but the quote itself.</summary>
    public static string ShellQuote(string value) => "'" + value.Replace("'", "'\\''", StringComparison.Ordinal) + "'";

    /// <summary>A value for a message: control characters made visible, long values cut.</summary>
    public static string Echo(string? value)
    {
        if (value is null)
        {
            return "(none)";
        }

        var cut = value.Length > EchoLimit ? value[..EchoLimit] + $"... ({value.Length} characters)" : value;
        return "'" + string.Concat(cut.Select(c => char.IsControl(c) ? $"\\u{(int)c:x4}" : c.ToString())) + "'";
    }

    private static string Problem(string what, string? value, string expected) => $"{what} {Echo(value)} is not {expected}";

    [GeneratedRegex("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$", RegexOptions.CultureInvariant)]
    private static partial Regex Dns1123Label();

    [GeneratedRegex(@"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$", RegexOptions.CultureInvariant)]
    private static partial Regex Dns1123Subdomain();

    [GeneratedRegex("^[0-9]+(_[0-9]+)?$", RegexOptions.CultureInvariant)]
    private static partial Regex SlurmId();

    [GeneratedRegex("^[A-Za-z0-9._-]+$", RegexOptions.CultureInvariant)]
    private static partial Regex PartitionName();
}
