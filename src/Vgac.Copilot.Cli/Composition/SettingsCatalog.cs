using System.Text;
using System.Text.RegularExpressions;

namespace Vgac.Copilot.Cli.Composition;

/// <summary>
/// One setting a person sets by name: its configuration key, what it is, the environment variable and the flag that
/// also set it, and whether it is a secret. <see cref="SettingsCatalog"/> holds every one.
/// </summary>
/// <param name="Key">The configuration key (<c>Vgac:BaseUrl</c>).</param>
/// <param name="About">What it is, in a few words.</param>
/// <param name="Variable">The environment variable that sets it, if any.</param>
/// <param name="Flag">The command-line flag that sets it, if any.</param>
/// <param name="DefaultText">The default in words, where it is not a plain value of its options type (a folder, say).</param>
internal sealed record SettingDescription(string Key, string About, string? Variable = null, string? Flag = null, string? DefaultText = null)
{
    /// <summary>Never shown: masked in <c>vgac config</c>, redacted everywhere else. The redactor's list says which (<see cref="Core.Text.SecretRedactor.SecretKeys"/>).</summary>
    public bool Secret => Core.Text.SecretRedactor.SecretKeys.Contains(Key, StringComparer.OrdinalIgnoreCase);

    /// <summary>The key with the other ways to set it, as every message about it names it: <c>Vgac:BaseUrl (VGAC_API_BASE_URL, --vgac-url)</c>.</summary>
    public string Named => Variable is null && Flag is null ? Key : $"{Key} ({string.Join(", ", new[] { Variable, Flag }.OfType<string>())})";
}

/// <summary>
/// The one description of every setting with a name of its own. The environment-variable map, the flags' keys,
/// the way configuration errors name a setting, and the table in
/// <c>docs/configuration.md</c> all come from here (a test holds the docs to it).
/// </summary>
internal static partial class SettingsCatalog
{
    public static readonly IReadOnlyList<SettingDescription> All =
    [
        new("Vgac:BaseUrl", "Base URL of the VGAC API", "VGAC_API_BASE_URL", "--vgac-url"),
        new("Vgac:ApiKey", "API key sent to VGAC, as `Authorization: Bearer` unless `Vgac:ApiKeyHeader` names another header", "VGAC_API_KEY"),
        new("Vgac:TimeoutSeconds", "Seconds one call to VGAC may take, retries included", "VGAC_TIMEOUT_SECONDS", "--timeout"),
        new(ClusterPlan.DefaultKey, "The configured cluster commands talk to", "VGAC_CLUSTER", "--cluster", DefaultText: "the first cluster"),
        new("Platform:Path", "The VGAC platform's folder: its production model's last known good ECE becomes the drift baseline", "VGAC_PLATFORM_PATH", DefaultText: "none"),
        new("Llm:Provider", "The model behind the planner: `none` (the offline planner), `openai`, `azure-openai` or `openai-compatible`", "VGAC_LLM_PROVIDER", "--llm-provider"),
        new("Llm:Endpoint", "Chat-completions base URL (`http://localhost:11434/v1` for Ollama)", "VGAC_LLM_ENDPOINT", "--llm-endpoint"),
        new("Llm:Model", "Model or deployment name", "VGAC_LLM_MODEL", "--llm-model"),
        new("Llm:ApiKey", "The model's API key (`OPENAI_API_KEY` also works)", "VGAC_LLM_API_KEY"),
        new("Log:ConsoleLevel", "Log level on stderr: trace, debug, information, warning, error, none (`-v` is debug)", "VGAC_LOG_LEVEL", "--log-level"),
        new("Log:Directory", "Folder of the rolling log files", "VGAC_LOG_DIR", DefaultText: "`vgac/logs` in the user's data folder"),
        new("Chat:Directory", "Where the REPL keeps its history and saved sessions", "VGAC_DATA_DIR", DefaultText: "`vgac` in the user's data folder"),
        new(Audit.AuditServiceCollectionExtensions.SqlitePathKey, "The SQLite audit trail's file", "VGAC_AUDIT_DB", DefaultText: "`vgac/audit.db` in the user's data folder"),
        new("Storage:Provider", "Where the audit trail lives: `sqlite` or `postgres`", "VGAC_STORAGE_PROVIDER"),
        new("Storage:ConnectionString", "The PostgreSQL trail's connection string", "VGAC_STORAGE_CONNECTION"),
        new("Storage:AuditKey", "The audit trail's key, at least 32 characters", "VGAC_AUDIT_KEY", DefaultText: "none: the key file `Storage:AuditKeyFile`"),
        new("Watch:Webhook:Url", "Where notifications are POSTed (a Slack-compatible webhook)", "VGAC_WEBHOOK_URL"),
        new("Watch:Executor", "What carries out Kubernetes and Slurm effects: `none` (previews for a person to run), `command` (the program `Watch:Command:Path`), `slurm` (`scontrol`, with `Watch:Slurm:Conf`) or `kubernetes` (the API server, with `Watch:Kubernetes:Kubeconfig` and `:Context`); a `Clusters` entry's `Executor`, `SlurmConf`, `Kubeconfig` and `KubeContext` set them per cluster", "VGAC_EXECUTOR",
            DefaultText: "`command` when `Watch:Command:Path` is set, otherwise `none`"),
    ];

    /// <summary>The environment variables and the keys they set.</summary>
    public static readonly IReadOnlyDictionary<string, string> Variables =
        All.Where(s => s.Variable is not null).ToDictionary(s => s.Variable!, s => s.Key, StringComparer.Ordinal);

    public static SettingDescription? Find(string key) => All.FirstOrDefault(s => s.Key.Equals(key, StringComparison.OrdinalIgnoreCase));

    /// <summary>The key as messages name it (<see cref="SettingDescription.Named"/>), or the key itself when it has no other name.</summary>
    public static string Name(string key) => Find(key)?.Named ?? key;

    /// <summary>The setting a flag sets (<c>--vgac-url</c>: <c>Vgac:BaseUrl</c>).</summary>
    public static SettingDescription ForFlag(string flag) =>
        All.SingleOrDefault(s => s.Flag == flag) ?? throw new ArgumentException($"no setting is set by {flag}", nameof(flag));

    /// <summary>Whether a key's value is never shown: a described secret, or any key named like one (a cluster's <c>ApiKey</c>, a token).</summary>
    public static bool IsSecret(string key) => Core.Text.SecretRedactor.SecretKeys.Contains(key, StringComparer.OrdinalIgnoreCase) || SecretName().IsMatch(key);

    /// <summary>A configuration error as people read it: a message that starts with a described key names the other ways to set it.</summary>
    public static string Named(string message)
    {
        foreach (var setting in All)
        {
            if (message.StartsWith(setting.Key + " ", StringComparison.Ordinal) && !message.StartsWith(setting.Key + " (", StringComparison.Ordinal))
            {
                return setting.Named + message[setting.Key.Length..];
            }
        }

        return message;
    }

    /// <summary>The table of <c>docs/configuration.md</c>: each setting, its variable, its flag, its default (<paramref name="defaults"/>: the options types' own) and what it is.</summary>
    public static string MarkdownTable(IReadOnlyDictionary<string, string?> defaults)
    {
        static string Code(string? text) => text is null ? "" : $"`{text}`";
        var table = new StringBuilder()
            .AppendLine("| setting | environment | flag | default | what it is |")
            .AppendLine("| --- | --- | --- | --- | --- |");
        foreach (var s in All)
        {
            var value = s.DefaultText ?? (defaults.TryGetValue(s.Key, out var d) && !string.IsNullOrEmpty(d) ? Code(d) : "none");
            table.AppendLine($"| {Code(s.Key)} | {Code(s.Variable)} | {Code(s.Flag)} | {value} | {s.About}{(s.Secret ? " (a secret: never shown)" : "")} |");
        }

        return table.ToString();
    }

    [GeneratedRegex(@"(ApiKey|AuditKey|Token|Password|Secret|ConnectionString)$", RegexOptions.IgnoreCase)]
    private static partial Regex SecretName();
}
