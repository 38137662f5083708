using Microsoft.Extensions.Configuration;

namespace Vgac.Copilot.Cli.Composition;

/// <summary>
/// Builds the configuration in its documented order, last wins: an <c>appsettings.json</c> beside the program (site
/// defaults an installer may put there; none is shipped, the options types carry the defaults), the user's file
/// (<see cref="UserConfigPath"/>), an optional <c>--config</c> file, environment variables, command-line flags. Every value can be traced back to the layer it came from (<c>vgac config</c>).
/// </summary>
internal static class CopilotConfiguration
{
    /// <summary>The environment variables named by the VGAC contract and this product, and the keys they set (<see cref="SettingsCatalog"/>).</summary>
    public static IReadOnlyDictionary<string, string> WellKnownVariables => SettingsCatalog.Variables;

    /// <summary>Sections that may also be set as <c>Section__Key</c> environment variables.</summary>
    public static readonly string[] Sections = ["Vgac", "Clusters", "Llm", "Guards", "Watch", "Storage", "Mcp", "Log", "Chat", "Platform", "Simulator"];

    public static IConfigurationRoot Build(CliContext context, string? configFile, IEnumerable<KeyValuePair<string, string?>> flags) =>
        Compose(context, configFile, flags, problems: null).Root;

    /// <summary>
    /// The user's configuration file: <c>$XDG_CONFIG_HOME/vgac/config.json</c>, else <c>~/.config/vgac/config.json</c>;
    /// <c>%APPDATA%\vgac\config.json</c> on Windows. Null when the environment names no home.
    /// </summary>
    public static string? UserConfigPath(IReadOnlyDictionary<string, string> environment)
    {
        string? Get(string name) => environment.TryGetValue(name, out var value) && Path.IsPathFullyQualified(value) ? value : null;
        if (OperatingSystem.IsWindows())
        {
            return Get("APPDATA") is { } appData ? Path.Combine(appData, "vgac", "config.json") : null;
        }

        return Get("XDG_CONFIG_HOME") is { } xdg ? Path.Combine(xdg, "vgac", "config.json")
            : Get("HOME") is { } home ? Path.Combine(home, ".config", "vgac", "config.json")
            : null;
    }

    /// <summary>
    /// The layers and the configuration they make. With <paramref name="problems"/> given, a broken file is reported
    /// there and left out (so <c>vgac config</c> can still show the rest); without, it is an error.
    /// </summary>
    public static ComposedConfiguration Compose(CliContext context, string? configFile, IEnumerable<KeyValuePair<string, string?>> flags, List<string>? problems)
    {
        var layers = new Layers(problems);

        // Under everything: where the trail's key and anchor live by default, the user's configuration folder.
        if (UserConfigPath(context.Environment) is { } userFile)
        {
            var folder = Path.GetDirectoryName(userFile)!;
            layers.Add([new("Storage:AuditKeyFile", Path.Combine(folder, "audit.key")), new("Storage:AnchorDirectory", folder)], _ => "built-in (the user's configuration folder)");
        }

        layers.AddFile("defaults", "appsettings.json", Path.Combine(AppContext.BaseDirectory, "appsettings.json"), required: false);
        if (UserConfigPath(context.Environment) is { } user)
        {
            layers.AddFile("user", "user config", user, required: false);
        }

        if (configFile is not null)
        {
            layers.AddFile("--config", "--config file", Path.GetFullPath(configFile), required: true, given: configFile);
        }

        var environment = FromEnvironment(context.Environment).ToList();
        var variables = environment.ToDictionary(e => e.Key, e => e.Variable, StringComparer.OrdinalIgnoreCase);
        layers.Add(environment.Select(e => new KeyValuePair<string, string?>(e.Key, e.Value)), key => $"environment {variables.GetValueOrDefault(key, "?")}");
        layers.Add(flags, key => GlobalOptions.FlagFor(key) is { } flag ? $"flag {flag}" : "flag");
        return layers.Build();
    }

    /// <summary>The layers in the order they are added (later wins), each with how <c>vgac config</c> names where a value came from.</summary>
    private sealed class Layers(List<string>? problems)
    {
        private readonly ConfigurationBuilder _builder = new();
        private readonly List<Func<string, string>> _labels = [];
        private readonly List<ConfigurationFile> _files = [];

        public void Add(IEnumerable<KeyValuePair<string, string?>> values, Func<string, string> label)
        {
            _builder.AddInMemoryCollection(values.ToList());
            _labels.Add(label);
        }

        /// <summary>A JSON file; a missing optional one is noted and skipped, a broken one reported (or, without a problem list, an error).</summary>
        public void AddFile(string role, string label, string path, bool required, string? given = null)
        {
            var exists = File.Exists(path);
            _files.Add(new ConfigurationFile(role, path, exists));
            if (!exists && !required)
            {
                return;
            }

            if (!exists)
            {
                Report(problems, $"--config: file '{given}' does not exist.");
                return;
            }

            if (problems is not null && Unreadable(path) is { } why)
            {
                problems.Add(why);
                return;
            }

            _builder.AddJsonFile(path, optional: false, reloadOnChange: false);
            _labels.Add(_ => label);
        }

        public ComposedConfiguration Build()
        {
            IConfigurationRoot root;
            try
            {
                root = _builder.Build();
            }
            catch (InvalidDataException)
            {
                // Name the file that broke it.
                var broken = _files.Where(f => f.Exists).Select(f => Unreadable(f.Path)).FirstOrDefault(w => w is not null);
                throw new ConfigurationException(broken ?? "a configuration file is not valid JSON.");
            }

            return new ComposedConfiguration(root, _files, _labels);
        }
    }

    private static void Report(List<string>? problems, string message)
    {
        if (problems is null)
        {
            throw new ConfigurationException(message);
        }

        problems.Add(message);
    }

    private static string? Unreadable(string path)
    {
        try
        {
            new ConfigurationBuilder().AddJsonFile(path, optional: false, reloadOnChange: false).Build();
            return null;
        }
        catch (Exception ex) when (ex is InvalidDataException or FormatException or IOException or UnauthorizedAccessException)
        {
            var reason = ex.InnerException is System.Text.Json.JsonException json ? json.Message.Split(" Path:")[0].Split(" LineNumber:")[0] : ex.Message;
            return $"configuration file '{path}' cannot be read: {reason}";
        }
    }

    /// <summary>
    /// The settings the environment gives, one per key. When several variables set one key, the named variable
    /// (<c>VGAC_API_BASE_URL</c>) wins over its <c>Section__Key</c> form (<c>Vgac__BaseUrl</c>), which wins over
    /// <c>OPENAI_API_KEY</c>; two spellings of one <c>Section__Key</c> (keys ignore case) are settled by name, so the
    /// outcome never depends on the order the environment lists them in.
    /// </summary>
    private static IEnumerable<(string Key, string? Value, string Variable)> FromEnvironment(IReadOnlyDictionary<string, string> environment)
    {
        var chosen = new Dictionary<string, (string? Value, string Variable, int Rank)>(StringComparer.OrdinalIgnoreCase);
        void Offer(string key, string value, string variable, int rank)
        {
            if (!chosen.TryGetValue(key, out var held) || rank > held.Rank || rank == held.Rank && string.CompareOrdinal(variable, held.Variable) > 0)
            {
                chosen[key] = (value, variable, rank);
            }
        }

        foreach (var (name, value) in environment)
        {
            if (name == "OPENAI_API_KEY")
            {
                Offer("Llm:ApiKey", value, name, 0);
            }
            else if (WellKnownVariables.TryGetValue(name, out var key))
            {
                Offer(key, value, name, 2);
            }
            else if (name.Contains("__", StringComparison.Ordinal) && Sections.Any(s => name.StartsWith(s + "__", StringComparison.OrdinalIgnoreCase)))
            {
                Offer(name.Replace("__", ":", StringComparison.Ordinal), value, name, 1);
            }
        }

        return chosen.Select(c => (c.Key, c.Value.Value, c.Value.Variable));
    }
}

/// <summary>A configuration file the run looked for: its role (defaults, user, --config), path, and whether it exists.</summary>
internal sealed record ConfigurationFile(string Role, string Path, bool Exists);

/// <summary>The merged configuration and, for every key, the layer its value came from.</summary>
internal sealed class ComposedConfiguration(IConfigurationRoot root, IReadOnlyList<ConfigurationFile> files, IReadOnlyList<Func<string, string>> labels)
{
    public IConfigurationRoot Root => root;

    public IReadOnlyList<ConfigurationFile> Files => files;

    /// <summary>Where the value of <paramref name="key"/> came from (the last layer that sets it), or null when none does.</summary>
    public string? SourceOf(string key)
    {
        for (var i = root.Providers.Count() - 1; i >= 0; i--)
        {
            if (root.Providers.ElementAt(i).TryGet(key, out _))
            {
                return labels[i](key);
            }
        }

        return null;
    }
}

/// <summary>A configuration problem the user must fix; its message is one line that names the setting.</summary>
internal sealed class ConfigurationException(string message) : Exception(message);
