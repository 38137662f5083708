using Microsoft.Extensions.Options;

namespace Vgac.Copilot.Audit.Storage;

/// <summary>Where the copilot keeps its audit trail (<c>Storage</c> section).</summary>
public sealed class StorageOptions
{
    public const string SectionName = "Storage";

    public const string Sqlite = "sqlite";

    public const string Postgres = "postgres";

    /// <summary><c>sqlite</c> (default: one file, <c>Watch:AuditPath</c>) or <c>postgres</c> (a database a team shares).</summary>
    public string Provider { get; set; } = Sqlite;

    /// <summary>The PostgreSQL connection string (env <c>VGAC_STORAGE_CONNECTION</c>). A secret: never shown or logged.</summary>
    public string? ConnectionString { get; set; }

    /// <summary>
    /// Seconds a watch replica's leadership lasts without renewal (renewed every third of it); a leader killed outright
    /// is replaced within about this long and a third. Default: the watch interval (at least 2 s), so a standby takes
    /// over within two intervals.
    /// </summary>
    public double? LeaseSeconds { get; set; }

    /// <summary>The key the trail's chain is kept with (<c>VGAC_AUDIT_KEY</c>; at least 32 characters). A secret: never shown or logged.</summary>
    public string? AuditKey { get; set; }

    /// <summary>The key file used when <see cref="AuditKey"/> is not set (made on first use); by default <c>audit.key</c> in the user's configuration folder.</summary>
    public string? AuditKeyFile { get; set; }

    /// <summary>Where each trail's anchor (its tip, kept outside the store) is recorded; by default the user's configuration folder.</summary>
    public string? AnchorDirectory { get; set; }

    /// <summary>The SQLite trail's file (<c>Watch:AuditPath</c>, env <c>VGAC_AUDIT_DB</c>); null for <see cref="DefaultSqlitePath"/>.</summary>
    public string? SqlitePath { get; internal set; }

    /// <summary>Where the SQLite trail is when no path is set: <c>vgac/audit.db</c> in the user's local data folder.</summary>
    public static string DefaultSqlitePath() => Path.Combine(
        Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData, Environment.SpecialFolderOption.Create), "vgac", "audit.db");

    public TimeSpan LeaseFor(double intervalSeconds) => TimeSpan.FromSeconds(LeaseSeconds ?? Math.Max(2, intervalSeconds));
}

/// <summary>Names the value that is wrong, and what was expected.</summary>
internal sealed class StorageOptionsValidator : IValidateOptions<StorageOptions>
{
    public ValidateOptionsResult Validate(string? name, StorageOptions options)
    {
        var failures = new List<string>();
        if (options.Provider is not (StorageOptions.Sqlite or StorageOptions.Postgres))
        {
            failures.Add($"Storage:Provider must be 'sqlite' or 'postgres', got '{Core.Text.UntrustedText.Clean(options.Provider, 40)}'.");
        }
        else if (options.Provider == StorageOptions.Postgres && string.IsNullOrWhiteSpace(options.ConnectionString))
        {
            failures.Add("Storage:Provider is 'postgres' but no connection string is set: set VGAC_STORAGE_CONNECTION (or Storage:ConnectionString).");
        }

        if (options.AuditKey is { Length: > 0 } key && key.Trim().Length < TrailKey.MinimumLength)
        {
            failures.Add($"Storage:AuditKey (VGAC_AUDIT_KEY) must be at least {TrailKey.MinimumLength} characters, got {key.Trim().Length}.");
        }

        if (options.LeaseSeconds is { } lease && (lease is < 2 or > 3600 || double.IsNaN(lease)))
        {
            failures.Add($"Storage:LeaseSeconds must be between 2 and 3600, got {options.LeaseSeconds}.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}

/// <summary>Makes the backend of a provider other than SQLite (registered by the project that implements it).</summary>
public interface IAuditBackendFactory
{
    string Provider { get; }

    IAuditBackend Create(StorageOptions options);
}
