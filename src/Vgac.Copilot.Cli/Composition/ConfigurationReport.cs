using System.Collections;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Reflection;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Vgac.Copilot.Client;
using Vgac.Copilot.Core.Guards;
using Vgac.Copilot.Actions;
using Vgac.Copilot.Core.Settings;

namespace Vgac.Copilot.Cli.Composition;

/// <summary>One setting as <c>vgac config</c> shows it: the value (masked when secret), where it came from, and what is wrong with it.</summary>
internal sealed record ConfigSetting(string Key, string Value, string Source, string? Error);

/// <summary>What <c>vgac config</c> reports: the files looked for, every setting, and problems that belong to no single setting.</summary>
internal sealed record ConfigReport(IReadOnlyList<ConfigurationFile> Files, IReadOnlyList<ConfigSetting> Settings, IReadOnlyList<string> Problems)
{
    /// <summary>The clusters the commands will serve, and which one they talk to by default.</summary>
    public IReadOnlyList<Core.Clusters.ClusterInfo> Clusters { get; init; } = [];

    public string DefaultCluster { get; init; } = ClusterPlan.SingleName;

    public bool Valid => Problems.Count == 0 && Settings.All(s => s.Error is null);

    /// <summary>What is allowed but must be seen: a scope whose guards run weaker than built-in (<see cref="GuardNotice"/>).</summary>
    public IReadOnlyList<string> Warnings { get; init; } = [];
}

/// <summary>
/// Builds the configuration as every command does and checks it section by section without stopping at the first
/// problem, so an invalid configuration is still shown whole, each error beside its value.
/// </summary>
internal static partial class ConfigurationReport
{
    /// <summary>The sections shown, and the options types each binds to (their defaults fill what no file sets; a section may bind several).</summary>
    private static readonly ShownSection[] Shown =
    [
        new(VgacClientOptions.SectionName, typeof(VgacClientOptions)),
        new(LlmOptions.SectionName, typeof(LlmOptions)),
        new(GuardOptions.SectionName, typeof(GuardOptions)),
        new(WatchOptions.SectionName, typeof(WatchOptions)),
        new(ActionOptions.SectionName, typeof(ActionOptions)),
        new(Vgac.Copilot.Audit.Storage.StorageOptions.SectionName, typeof(Vgac.Copilot.Audit.Storage.StorageOptions)),
        new("Mcp", typeof(McpHostOptions)),
        new(LogOptions.SectionName, typeof(LogOptions)),
        new(Commands.ChatSettings.SectionName, typeof(Commands.ChatSettings)),
    ];

    /// <summary>What reading an options type's defaults needs kept when the program is trimmed.</summary>
    private const DynamicallyAccessedMemberTypes OptionsMembers = DynamicallyAccessedMemberTypes.PublicParameterlessConstructor | DynamicallyAccessedMemberTypes.PublicProperties;

    private sealed record ShownSection(string Section, [property: DynamicallyAccessedMembers(OptionsMembers)][DynamicallyAccessedMembers(OptionsMembers)] Type Options);

    public static ConfigReport Build(CliContext context, string? configFile, IEnumerable<KeyValuePair<string, string?>> flags)
    {
        var problems = new List<string>();
        var composed = CopilotConfiguration.Compose(context, configFile, flags, problems);
        var configuration = composed.Root;
        context.Secrets.Learn(configuration);
        var given = flags.ToList();
        var plan = ClusterPlan.Read(configuration, context.Environment, problems);
        var warnings = new List<string>();
        var errors = Validate(configuration, problems, warnings).Select(SettingsCatalog.Named).ToList();
        ValidateClusters(configuration, plan, given, problems, warnings);

        var settings = new List<ConfigSetting>();
        foreach (var section in Shown.Select(e => e.Section).Distinct(StringComparer.OrdinalIgnoreCase))
        {
            var keys = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
            foreach (var entry in Shown.Where(e => e.Section.Equals(section, StringComparison.OrdinalIgnoreCase)))
            {
                foreach (var (key, value) in Defaults(entry.Options, section))
                {
                    keys[key] = value;
                }
            }

            foreach (var leaf in configuration.GetSection(section).AsEnumerable().Where(kv => kv.Value is not null))
            {
                keys[leaf.Key] = null;
            }

            foreach (var key in keys.Keys.Order(StringComparer.OrdinalIgnoreCase))
            {
                var value = configuration[key] ?? keys[key];
                value = bool.TryParse(value, out var flag) ? (flag ? "true" : "false") : value;
                var shown = Masked(key, value, "(not set)");
                settings.Add(new ConfigSetting(key, shown, composed.SourceOf(key) ?? "built-in", ErrorFor(key, errors)));
            }
        }

        // The clusters last: each one's own settings over the sections above.
        foreach (var key in configuration.GetSection(ClusterPlan.SectionName).AsEnumerable().Where(kv => kv.Value is not null).Select(kv => kv.Key)
            .Append(ClusterPlan.DefaultKey).Order(StringComparer.OrdinalIgnoreCase))
        {
            var value = configuration[key];
            var shown = Masked(key, value, key == ClusterPlan.DefaultKey ? $"(not set: {plan.Selected})" : "(not set)");
            settings.Add(new ConfigSetting(key, shown, composed.SourceOf(key) ?? "built-in", null));
        }

        // Errors no shown key could take (a rule over several keys) stay problems of their own.
        problems.AddRange(errors.Where(e => !settings.Any(s => s.Error == e)));
        return new ConfigReport(composed.Files, settings, problems) { Clusters = plan.Describe(configuration, given), DefaultCluster = plan.Selected, Warnings = warnings };
    }

    /// <summary>Each configured cluster's own settings, checked as its services would check them, errors named by cluster.</summary>
    private static void ValidateClusters(IConfiguration configuration, ClusterPlan plan, IReadOnlyList<KeyValuePair<string, string?>> flags, List<string> problems, List<string> warnings)
    {
        if (!plan.IsConfigured)
        {
            return;
        }

        foreach (var cluster in plan.Clusters)
        {
            var own = new ConfigurationBuilder().AddConfiguration(plan.ConfigurationFor(configuration, cluster.Name, flags))
                .AddInMemoryCollection([new("Log:FileEnabled", "false"), new("Log:ConsoleLevel", "none"), new("Log:FileLevel", "Information")]).Build();
            using var services = new ServiceCollection().AddCopilotServices(own).BuildServiceProvider();
            var errors = new List<string>();
            Check<VgacClientOptions>(services, errors);
            Check<GuardOptions>(services, errors);
            problems.AddRange(errors.Select(e => $"{cluster.Origin}: {e}"));
            warnings.AddRange(Weaker(services).Select(w => $"{cluster.Origin}: {w}"));
        }
    }

    /// <summary>A value as <c>vgac config</c> shows it: a secret only as set or not.</summary>
    private static string Masked(string key, string? value, string unset) =>
        SettingsCatalog.IsSecret(key) ? (string.IsNullOrEmpty(value) ? "(not set)" : "(set, hidden)") : value ?? unset;

    /// <summary>Every problem each section has, in the words the commands would use, without stopping at the first.</summary>
    private static List<string> Validate(IConfiguration configuration, List<string> problems, List<string> warnings)
    {
        var errors = new List<string>();
        var log = new LogOptions();
        try
        {
            configuration.GetSection(LogOptions.SectionName).Bind(log);
            LogOptions.ParseLevel(log.ConsoleLevel, SettingsCatalog.Name("Log:ConsoleLevel"));
            LogOptions.ParseLevel(log.FileLevel, "Log:FileLevel");
        }
        catch (Exception ex) when (ex is ConfigurationException or InvalidOperationException)
        {
            errors.Add(Friendly(ex));
        }

        // The same wiring every command uses, with logging kept off the disk while checking.
        var checking = new ConfigurationBuilder().AddConfiguration(configuration)
            .AddInMemoryCollection([new("Log:FileEnabled", "false"), new("Log:ConsoleLevel", "none"), new("Log:FileLevel", "Information")]).Build();
        using var services = new ServiceCollection().AddCopilotServices(checking).BuildServiceProvider();
        Check<VgacClientOptions>(services, errors);
        Check<LlmOptions>(services, errors);
        Check<GuardOptions>(services, errors);
        warnings.AddRange(Weaker(services));
        Check<WatchOptions>(services, errors);
        Check<ActionOptions>(services, errors);
        Check<Vgac.Copilot.Audit.Storage.StorageOptions>(services, errors);
        try
        {
            configuration.GetSection("Mcp").Get<McpHostOptions>();
        }
        catch (InvalidOperationException ex)
        {
            errors.Add(Friendly(ex));
        }

        return errors;
    }

    /// <summary>The guard notice of a scope whose guard settings are valid but weaker than built-in (none otherwise).</summary>
    private static IEnumerable<string> Weaker(IServiceProvider services)
    {
        try
        {
            return GuardNotice.Of(services.GetRequiredService<IOptions<GuardOptions>>().Value) is { } notice ? [notice] : [];
        }
        catch (Exception ex) when (ex is OptionsValidationException or InvalidOperationException)
        {
            return []; // reported as an error already
        }
    }

    private static void Check<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicParameterlessConstructor)] T>(IServiceProvider services, List<string> errors) where T : class
    {
        try
        {
            _ = services.GetRequiredService<IOptions<T>>().Value;
        }
        catch (OptionsValidationException validation)
        {
            errors.AddRange(validation.Failures);
        }
        catch (InvalidOperationException conversion)
        {
            errors.Add(Friendly(conversion));
        }
    }

    private static string Friendly(Exception ex) => ex is InvalidOperationException && Hosting.CommandHost.ConversionFailure().Match(ex.Message) is { Success: true } m
        ? $"{m.Groups["key"].Value} must be a {Hosting.CommandHost.Friendly(m.Groups["type"].Value)}, got '{m.Groups["value"].Value}'."
        : ex.Message;

    /// <summary>The error that names this key (the longest key a message starts with or mentions), if any.</summary>
    private static string? ErrorFor(string key, IReadOnlyList<string> errors) =>
        errors.FirstOrDefault(e => e.StartsWith(key + " ", StringComparison.OrdinalIgnoreCase) || e.StartsWith(key + ":", StringComparison.OrdinalIgnoreCase)
            || e.Contains($" {key} ", StringComparison.OrdinalIgnoreCase));

    /// <summary>Every shown section's built-in defaults, as configuration keys (what no file or variable sets).</summary>
    public static IReadOnlyDictionary<string, string?> BuiltInDefaults() =>
        Shown.SelectMany(e => Defaults(e.Options, e.Section)).GroupBy(kv => kv.Key, StringComparer.OrdinalIgnoreCase)
            .ToDictionary(g => g.Key, g => g.Last().Value, StringComparer.OrdinalIgnoreCase);

    /// <summary>The options type's own defaults, as configuration keys (simple values and nested option objects).</summary>
    [DynamicDependency(OptionsMembers, typeof(SloOptions))]
    [DynamicDependency(OptionsMembers, typeof(CommandOptions))]
    [DynamicDependency(OptionsMembers, typeof(WebhookOptions))]
    [UnconditionalSuppressMessage("Trimming", "IL2072", Justification = "The nested option objects are the three types kept whole by the DynamicDependency attributes above.")]
    private static IEnumerable<KeyValuePair<string, string?>> Defaults([DynamicallyAccessedMembers(OptionsMembers)] Type type, string prefix, int depth = 0)
    {
        object instance;
        try
        {
            instance = Activator.CreateInstance(type)!;
        }
        catch (MissingMethodException)
        {
            yield break;
        }

        foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.CanRead && p.SetMethod is { IsPublic: true } && p.GetIndexParameters().Length == 0))
        {
            var key = $"{prefix}:{property.Name}";
            var propertyType = Nullable.GetUnderlyingType(property.PropertyType) ?? property.PropertyType;
            if (propertyType.IsPrimitive || propertyType.IsEnum || propertyType == typeof(string) || propertyType == typeof(decimal))
            {
                yield return new(key, Format(property.GetValue(instance)));
            }
            else if (depth < 3 && propertyType.IsClass && !typeof(IEnumerable).IsAssignableFrom(propertyType))
            {
                foreach (var nested in Defaults(propertyType, key, depth + 1))
                {
                    yield return nested;
                }
            }
        }
    }

    private static string? Format(object? value) => value switch
    {
        null => null,
        bool b => b ? "true" : "false",
        Enum e => e.ToString().ToLowerInvariant(),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString(),
    };

}
