using System.Globalization;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Configuration;

namespace Vgac.Copilot.Cli.Composition;

/// <summary>
/// One configured cluster: its name, what it sets over the shared configuration (its VGAC, key, timeout and guard
/// overrides), and its labels. Everything else (retries, breaker, the Llm and Watch sections) is shared.
/// </summary>
internal sealed record ClusterSettings(string Name, IReadOnlyDictionary<string, string?> Overlay, IReadOnlyDictionary<string, string> Labels)
{
    /// <summary>Where the cluster's own settings came from: the <c>Clusters</c> entry, or the single-VGAC settings.</summary>
    public string Origin { get; init; } = "Vgac";

    /// <summary>For <c>--demo</c>: the flavour of the simulator started for this cluster on first use.</summary>
    public string? DemoFlavor { get; init; }
}

/// <summary>
/// The clusters of this run: the <c>Clusters</c> list (each <c>{ Name, BaseUrl, ApiKey | ApiKeyEnv, TimeoutSeconds,
/// Guards, Labels, Executor, SlurmConf, Kubeconfig, KubeContext }</c>) and <c>DefaultCluster</c> (<c>VGAC_CLUSTER</c>, <c>--cluster</c>); without a list, the
/// single-VGAC settings of the <c>Vgac</c> section as one cluster named <c>default</c>. Read and checked once at start:
/// names are lower-case DNS-1123 labels, unique; every problem is one line naming the entry and the field.
/// </summary>
internal sealed partial class ClusterPlan
{
    public const string SectionName = "Clusters";
    public const string DefaultKey = "DefaultCluster";
    public const string SingleName = "default";

    private ClusterPlan(IReadOnlyList<ClusterSettings> clusters, string selected, bool configured)
    {
        Clusters = clusters;
        Selected = selected;
        IsConfigured = configured;
    }

    /// <summary>Every cluster, in configuration order.</summary>
    public IReadOnlyList<ClusterSettings> Clusters { get; }

    /// <summary>The cluster this run talks to unless told otherwise (<c>--cluster</c>, else <c>DefaultCluster</c>, else the first).</summary>
    public string Selected { get; }

    /// <summary>Whether a <c>Clusters</c> list is configured (else the single-VGAC settings stand as <c>default</c>).</summary>
    public bool IsConfigured { get; }

    public IEnumerable<string> Names => Clusters.Select(c => c.Name);

    public ClusterSettings this[string name] => Clusters.First(c => c.Name == name);

    /// <summary>Every cluster as the faces show it: name, where its VGAC is (no credentials; the demo's simulator named as such), labels.</summary>
    public IReadOnlyList<Core.Clusters.ClusterInfo> Describe(IConfiguration shared, IEnumerable<KeyValuePair<string, string?>> flags)
    {
        var urlFlag = flags.FirstOrDefault(f => string.Equals(f.Key, "Vgac:BaseUrl", StringComparison.OrdinalIgnoreCase)).Value;
        string Endpoint(ClusterSettings cluster)
        {
            if (cluster.DemoFlavor is { } flavor)
            {
                return $"embedded simulator ({flavor})";
            }

            var url = cluster.Name == Selected && urlFlag is not null ? urlFlag
                : cluster.Overlay.TryGetValue("Vgac:BaseUrl", out var own) ? own
                : shared["Vgac:BaseUrl"];
            return Uri.TryCreate(url, UriKind.Absolute, out var uri)
                ? new UriBuilder(uri) { UserName = "", Password = "" }.Uri.GetLeftPart(UriPartial.Path).TrimEnd('/')
                : "(no URL)";
        }

        return [.. Clusters.Select(c => new Core.Clusters.ClusterInfo(c.Name, Endpoint(c), c.Labels))];
    }

    /// <summary>The fields a <c>Clusters</c> entry may have (case and underscores ignored: <c>base_url</c> is <c>BaseUrl</c>).</summary>
    public static readonly IReadOnlyList<string> Fields = ["Name", "BaseUrl", "ApiKey", "ApiKeyEnv", "TimeoutSeconds", "Guards", "Labels", "Executor", "SlurmConf", "Kubeconfig", "KubeContext"];

    /// <summary>
    /// Reads the clusters. With <paramref name="problems"/> given, problems are collected there (for <c>vgac config</c>);
    /// without, the first one is a <see cref="ConfigurationException"/>.
    /// </summary>
    public static ClusterPlan Read(IConfiguration configuration, IReadOnlyDictionary<string, string> environment, List<string>? problems = null)
    {
        var found = new List<string>();
        var clusters = new List<ClusterSettings>();
        var entries = configuration.GetSection(SectionName).GetChildren().ToList();
        foreach (var entry in entries)
        {
            if (ReadEntry(entry, environment, found) is { } cluster)
            {
                if (clusters.Any(c => c.Name == cluster.Name))
                {
                    found.Add($"{SectionName}:{entry.Key}: the name '{cluster.Name}' is used twice; each cluster needs its own.");
                    continue;
                }

                clusters.Add(cluster);
            }
        }

        // One VGAC is one cluster: two entries with one URL would share (and mix) each other's audits and reservations.
        foreach (var same in clusters.Where(c => c.Overlay.GetValueOrDefault("Vgac:BaseUrl") is { Length: > 0 })
                     .GroupBy(c => Core.Calibration.AuditSource.Canonical(c.Overlay["Vgac:BaseUrl"]!)).Where(g => g.Count() > 1))
        {
            found.Add($"{SectionName}: clusters {string.Join(" and ", same.Select(c => $"'{c.Name}'"))} name one VGAC ({same.Key}); each cluster needs its own VGAC.");
        }

        var configured = entries.Count > 0;
        if (!configured)
        {
            clusters.Add(new ClusterSettings(SingleName, new Dictionary<string, string?>(), new Dictionary<string, string>()));
        }

        var wanted = configuration[DefaultKey] is { Length: > 0 } name ? name.Trim() : null;
        string selected;
        if (wanted is not null && clusters.All(c => c.Name != wanted))
        {
            var names = string.Join(", ", clusters.Select(c => c.Name));
            var guess = Core.Text.NameMatch.Closest(wanted, clusters.Select(c => c.Name));
            found.Add($"{SettingsCatalog.Name(DefaultKey)}: no cluster is named '{Core.Text.UntrustedText.Clean(wanted)}'{(guess is null ? "" : $" (did you mean '{guess}'?)")}; configured: {(names.Length == 0 ? "none" : names)}.");
            selected = clusters.FirstOrDefault()?.Name ?? SingleName;
        }
        else
        {
            selected = wanted ?? clusters.FirstOrDefault()?.Name ?? SingleName;
        }

        if (configured && clusters.Count == 0 && found.Count == 0)
        {
            found.Add($"{SectionName}: the list has no usable entry.");
        }

        if (found.Count > 0)
        {
            if (problems is null)
            {
                throw new ConfigurationException("invalid configuration: " + found[0] + (found.Count > 1 ? $" (and {found.Count - 1} more; see 'vgac config')" : ""));
            }

            problems.AddRange(found);
        }

        return new ClusterPlan(clusters, selected, configured);
    }

    /// <summary>
    /// <c>--demo</c>: two simulated clusters, <c>eks</c> (Kubernetes) and <c>slurm</c>, each started when first used;
    /// <c>eks</c> unless the run names the other.
    /// </summary>
    /// <param name="wanted">The cluster the run names (<c>--cluster</c>), if any.</param>
    /// <param name="simulate">False for readers of a demo trail: the same clusters, no simulator started.</param>
    public static ClusterPlan Demo(string? wanted, bool simulate = true)
    {
        ClusterSettings Simulated(string name, string flavor) => new(name, new Dictionary<string, string?>(), new Dictionary<string, string>(StringComparer.Ordinal) { ["scheduler"] = flavor, ["demo"] = "true" })
        {
            Origin = "--demo",
            DemoFlavor = simulate ? flavor : null,
        };

        var clusters = new[] { Simulated("eks", "kubernetes"), Simulated("slurm", "slurm") };
        if (wanted is not null && clusters.All(c => c.Name != wanted))
        {
            throw new ConfigurationException($"--cluster: the demo's clusters are eks and slurm, got '{Core.Text.UntrustedText.Clean(wanted)}'.");
        }

        return new ClusterPlan(clusters, wanted ?? "eks", configured: true);
    }

    /// <summary>
    /// The configuration one cluster's services see: the shared one with the cluster's own settings over it, and the
    /// run's flags (<c>--vgac-url</c>, <c>--timeout</c>) over those only for the cluster the run talks to.
    /// </summary>
    /// <param name="shared">The run's configuration (never written to).</param>
    /// <param name="name">The cluster.</param>
    /// <param name="flags">The run's flags.</param>
    /// <param name="extra">Values the run found out itself (a demo simulator's URL), over everything.</param>
    public IConfigurationRoot ConfigurationFor(IConfiguration shared, string name, IEnumerable<KeyValuePair<string, string?>> flags, IReadOnlyDictionary<string, string?>? extra = null)
    {
        var cluster = this[name];
        var overlay = new Dictionary<string, string?>(cluster.Overlay, StringComparer.OrdinalIgnoreCase) { ["Cluster:Name"] = name };
        if (name == Selected)
        {
            foreach (var (key, value) in flags.Where(f => f.Key.StartsWith("Vgac:", StringComparison.OrdinalIgnoreCase)))
            {
                overlay[key] = value;
            }
        }

        foreach (var (key, value) in extra ?? new Dictionary<string, string?>())
        {
            overlay[key] = value;
        }

        return new ConfigurationBuilder().AddConfiguration(shared, shouldDisposeConfiguration: false).AddInMemoryCollection(overlay).Build();
    }

    private static ClusterSettings? ReadEntry(IConfigurationSection entry, IReadOnlyDictionary<string, string> environment, List<string> problems)
    {
        var where = $"{SectionName}:{entry.Key}";
        var fields = entry.GetChildren().ToDictionary(c => Field(c.Key) ?? c.Key, c => c, StringComparer.Ordinal);
        foreach (var unknown in fields.Keys.Where(k => !Fields.Contains(k, StringComparer.Ordinal)))
        {
            var guess = Core.Text.NameMatch.Closest(Normal(unknown), Fields.Select(Normal));
            problems.Add($"{where}: '{Core.Text.UntrustedText.Clean(unknown)}' is not a cluster setting{(guess is null ? "" : $" (did you mean '{Fields.First(f => Normal(f) == guess)}'?)")}; expected {string.Join(", ", Fields)}.");
        }

        string? Value(string field) => fields.TryGetValue(field, out var section) ? section.Value : null;
        if (NameOf(where, Value("Name"), problems) is not { } name)
        {
            return null;
        }

        where = $"{where} ({name})";
        var overlay = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        ReadConnection(where, Value, environment, overlay, problems);
        if (fields.TryGetValue("Guards", out var guards))
        {
            foreach (var (path, value) in guards.AsEnumerable(makePathsRelative: true).Where(p => p.Value is not null))
            {
                overlay[$"Guards:{path}"] = value;
            }
        }

        // How this cluster's actions reach its scheduler (checked with the rest of the action settings).
        if (Value("Executor") is { Length: > 0 } executor)
        {
            overlay["Watch:Executor"] = executor;
        }

        if (Value("SlurmConf") is { Length: > 0 } slurmConf)
        {
            overlay["Watch:Slurm:Conf"] = slurmConf;
        }

        if (Value("Kubeconfig") is { Length: > 0 } kubeconfig)
        {
            overlay["Watch:Kubernetes:Kubeconfig"] = kubeconfig;
        }

        if (Value("KubeContext") is { Length: > 0 } kubeContext)
        {
            overlay["Watch:Kubernetes:Context"] = kubeContext;
        }

        var labels = fields.TryGetValue("Labels", out var labelSection)
            ? labelSection.GetChildren().Where(l => l.Value is not null).ToDictionary(l => l.Key, l => l.Value!, StringComparer.Ordinal)
            : new Dictionary<string, string>(StringComparer.Ordinal);
        return new ClusterSettings(name, overlay, labels) { Origin = where };
    }

    /// <summary>The entry's name, when it is a DNS-1123 label; null (and the problem said) otherwise.</summary>
    private static string? NameOf(string where, string? given, List<string> problems)
    {
        var name = given?.Trim();
        if (string.IsNullOrEmpty(name))
        {
            problems.Add($"{where}: Name is missing; a cluster needs a name such as 'eks' or 'slurm-a'.");
            return null;
        }

        if (!DnsLabel().IsMatch(name))
        {
            problems.Add($"{where}: Name must be a lower-case DNS-1123 label (a-z, 0-9 and '-', starting and ending with a letter or digit, at most 63), got '{Core.Text.UntrustedText.Clean(name)}'.");
            return null;
        }

        return name;
    }

    /// <summary>How the cluster's VGAC is reached: its URL, its key (given, or from the variable it names) and its timeout, into the overlay.</summary>
    private static void ReadConnection(
        string where, Func<string, string?> value, IReadOnlyDictionary<string, string> environment, Dictionary<string, string?> overlay, List<string> problems)
    {
        if (value("BaseUrl") is not { Length: > 0 } url)
        {
            problems.Add($"{where}: BaseUrl is missing; give the URL of this cluster's VGAC.");
        }
        else if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
        {
            // The URL may carry a password: say what is wrong without echoing it.
            problems.Add($"{where}: BaseUrl must be an absolute http or https URL.");
        }
        else
        {
            overlay["Vgac:BaseUrl"] = url;
        }

        var key = value("ApiKey");
        if (value("ApiKeyEnv") is { Length: > 0 } variable)
        {
            if (key is not null)
            {
                problems.Add($"{where}: give ApiKey or ApiKeyEnv, not both.");
            }
            else if (environment.TryGetValue(variable, out var fromEnvironment) && fromEnvironment.Length > 0)
            {
                key = fromEnvironment;
            }
            else
            {
                problems.Add($"{where}: ApiKeyEnv names the environment variable '{Core.Text.UntrustedText.Clean(variable)}', which is not set.");
            }
        }

        if (key is not null)
        {
            overlay["Vgac:ApiKey"] = key;
        }

        if (value("TimeoutSeconds") is { } timeout)
        {
            if (double.TryParse(timeout, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds) && seconds is > 0 and <= 3600)
            {
                overlay["Vgac:TimeoutSeconds"] = timeout;
            }
            else
            {
                problems.Add($"{where}: TimeoutSeconds must be a number of seconds in (0, 3600], got '{Core.Text.UntrustedText.Clean(timeout)}'.");
            }
        }
    }

    /// <summary>The documented field a configuration key means (<c>base_url</c>, <c>baseURL</c> → <c>BaseUrl</c>), or null.</summary>
    private static string? Field(string key) => Fields.FirstOrDefault(f => Normal(f) == Normal(key))
        ?? Normal(key) switch { "timeout" => "TimeoutSeconds", "apikeyvariable" or "apikeyenvironment" => "ApiKeyEnv", _ => null };

    private static string Normal(string key) => key.Replace("_", "", StringComparison.Ordinal).Replace("-", "", StringComparison.Ordinal).ToLowerInvariant();

    [GeneratedRegex("^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$")]
    private static partial Regex DnsLabel();
}
