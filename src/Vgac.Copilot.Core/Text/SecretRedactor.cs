using System.Text.RegularExpressions;
using Microsoft.Extensions.Configuration;

namespace Vgac.Copilot.Core.Text;

/// <summary>
/// The one redactor: it knows every configured secret (VGAC key, model key, MCP token, webhook URL, and the userinfo
/// of any configured URL) and the shapes secrets take anywhere (URL userinfo, <c>Bearer</c> tokens, OpenAI-style
/// keys), and replaces them with <c>***</c>. Every output of the product runs through it: the CLI's streams (text and
/// JSON), error messages, log lines and files, and MCP tool errors. Thread-safe; secrets learnt later (once a
/// configuration file is read) apply from then on.
/// </summary>
public sealed partial class SecretRedactor
{
    public const string Mask = "***";

    /// <summary>Configuration keys whose values are secrets, and those that are URLs (their userinfo is a secret).</summary>
    public static readonly IReadOnlyList<string> SecretKeys = ["Vgac:ApiKey", "Llm:ApiKey", "Mcp:Token", "Watch:Webhook:Url", "Storage:ConnectionString", "Storage:AuditKey"];

    public static readonly IReadOnlyList<string> UrlKeys = ["Vgac:BaseUrl", "Llm:Endpoint", "Watch:Webhook:Url"];

    /// <summary>Environment variables that hold secrets even when no configuration maps them.</summary>
    public static readonly IReadOnlyList<string> SecretVariables = ["VGAC_API_KEY", "VGAC_LLM_API_KEY", "OPENAI_API_KEY", "VGAC_MCP_TOKEN", "VGAC_WEBHOOK_URL", "VGAC_STORAGE_CONNECTION", "VGAC_AUDIT_KEY", "OTEL_EXPORTER_OTLP_HEADERS",
        "OTEL_EXPORTER_OTLP_TRACES_HEADERS", "OTEL_EXPORTER_OTLP_METRICS_HEADERS"];

    /// <summary>Shorter values are not treated as secrets (masking "ab" everywhere would garble text and hide nothing).</summary>
    private const int MinimumLength = 4;

    private string[] _secrets = [];

    /// <summary>Adds secrets (nulls, blanks and very short values are ignored); longest first, so no part of one is left.</summary>
    public SecretRedactor Learn(IEnumerable<string?> secrets)
    {
        // Plain loops, not LINQ chains: every run learns at start, and a native build resolves each chained operator's
        // generic virtual call on first use (a few ms of a one-shot run).
        var known = new List<string>();
        foreach (var secret in secrets)
        {
            if (secret is not { Length: >= MinimumLength } || string.IsNullOrWhiteSpace(secret))
            {
                continue;
            }

            known.Add(secret);
            known.AddRange(UrlParts(secret));
            foreach (var password in ConnectionStringPasswords(secret))
            {
                if (password.Length >= MinimumLength)
                {
                    known.Add(password);
                }
            }
        }

        while (true)
        {
            var current = _secrets;
            var distinct = new HashSet<string>(current, StringComparer.Ordinal);
            var next = new List<string>(current);
            foreach (var secret in known)
            {
                if (distinct.Add(secret))
                {
                    next.Add(secret);
                }
            }

            // Longest first, so a secret that contains another is masked whole.
            var ordered = next.ToArray();
            Array.Sort(ordered, static (a, b) => b.Length.CompareTo(a.Length));
            if (Interlocked.CompareExchange(ref _secrets, ordered, current) == current)
            {
                return this;
            }
        }
    }

    /// <summary>The password of an ADO.NET connection string (<c>Password=...;</c>), which also appears on its own in messages.</summary>
    private static IEnumerable<string> ConnectionStringPasswords(string text)
    {
        if (!text.Contains('=', StringComparison.Ordinal))
        {
            yield break;
        }

        foreach (var part in text.Split(';'))
        {
            if (part.Split('=', 2) is [var key, var value] && key.Trim().ToLowerInvariant() is "password" or "pwd")
            {
                yield return value.Trim();
            }
        }
    }

    /// <summary>Learns every secret a configuration holds.</summary>
    public SecretRedactor Learn(IConfiguration configuration) => Learn(SecretsIn(configuration));

    /// <summary>Learns the secrets in environment variables.</summary>
    public SecretRedactor Learn(IReadOnlyDictionary<string, string> environment)
    {
        var values = new List<string?>(SecretVariables.Count);
        foreach (var name in SecretVariables)
        {
            values.Add(environment.GetValueOrDefault(name));
        }

        return Learn(values);
    }

    private static IEnumerable<string?> SecretsIn(IConfiguration configuration)
    {
        foreach (var key in SecretKeys)
        {
            yield return configuration[key];
        }

        foreach (var key in UrlKeys)
        {
            foreach (var part in UrlParts(configuration[key]))
            {
                yield return part;
            }
        }

        foreach (var cluster in configuration.GetSection("Clusters").GetChildren())
        {
            yield return cluster["ApiKey"];
            yield return cluster["api_key"];
            foreach (var part in UrlParts(cluster["BaseUrl"] ?? cluster["base_url"]))
            {
                yield return part;
            }
        }
    }

    public string Redact(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return text ?? "";
        }

        foreach (var secret in _secrets)
        {
            if (text.Contains(secret, StringComparison.Ordinal))
            {
                text = text.Replace(secret, Mask, StringComparison.Ordinal);
            }
        }

        // Shapes of secrets nobody configured here: an echoed Authorization header, a key, a URL with a password.
        if (text.Contains("://", StringComparison.Ordinal))
        {
            text = UserInfo().Replace(text, "${scheme}" + Mask + "@");
        }

        if (text.Contains("earer", StringComparison.OrdinalIgnoreCase))
        {
            text = BearerToken().Replace(text, "${word} " + Mask);
        }

        return text.Contains("sk-", StringComparison.Ordinal) ? OpenAiKey().Replace(text, "sk-" + Mask) : text;
    }

    /// <summary>The userinfo of a URL (and its password alone), which must not be shown either.</summary>
    private static IEnumerable<string> UrlParts(string? value)
    {
        if (value is not null && Uri.TryCreate(value, UriKind.Absolute, out var uri) && uri.UserInfo is { Length: > 0 } info)
        {
            yield return info;
            if (info.Split(':', 2) is [_, { Length: >= MinimumLength } password])
            {
                yield return password;
            }
        }
    }

    [GeneratedRegex(@"(?<scheme>\b[a-zA-Z][a-zA-Z0-9+.-]*://)[^/\s@]+@", RegexOptions.CultureInvariant)]
    private static partial Regex UserInfo();

    // One space or tab, as in an Authorization header; a table's padding after the word "Bearer" is not a token.
    [GeneratedRegex(@"(?<word>\b[Bb]earer)[ \t][A-Za-z0-9._~+/=-]{6,}", RegexOptions.CultureInvariant)]
    private static partial Regex BearerToken();

    [GeneratedRegex(@"\bsk-[A-Za-z0-9_-]{12,}", RegexOptions.CultureInvariant)]
    private static partial Regex OpenAiKey();
}
