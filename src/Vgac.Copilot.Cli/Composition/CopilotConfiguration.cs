using Microsoft.Extensions.Configuration;

namespace Vgac.Copilot.Cli.Composition;

/// <summary>
/// Builds the configuration in its documented order: <c>appsettings.json</c> beside the program, then an
/// optional <c>--config</c> file, then environment variables, then command-line flags (last wins).
/// </summary>
internal static class CopilotConfiguration
{
    /// <summary>The environment variables named by the VGAC contract and this product, and the keys they set.</summary>
    public static readonly IReadOnlyDictionary<string, string> WellKnownVariables = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["VGAC_API_BASE_URL"] = "Vgac:BaseUrl",
        ["VGAC_API_KEY"] = "Vgac:ApiKey",
        ["VGAC_TIMEOUT_SECONDS"] = "Vgac:TimeoutSeconds",
        ["VGAC_PLATFORM_PATH"] = "Platform:Path",
        ["VGAC_LOG_DIR"] = "Log:Directory",
        ["VGAC_LOG_LEVEL"] = "Log:ConsoleLevel",
        ["VGAC_LLM_PROVIDER"] = "Llm:Provider",
        ["VGAC_LLM_ENDPOINT"] = "Llm:Endpoint",
        ["VGAC_LLM_MODEL"] = "Llm:Model",
        ["VGAC_LLM_API_KEY"] = "Llm:ApiKey",
        ["VGAC_AUDIT_DB"] = "Watch:AuditPath",
        ["VGAC_WEBHOOK_URL"] = "Watch:Webhook:Url",
    };

    /// <summary>Sections that may also be set as <c>Section__Key</c> environment variables.</summary>
    private static readonly string[] Sections = ["Vgac", "Log", "Platform", "Guards", "Llm", "Simulator", "Watch"];

    public static IConfigurationRoot Build(CliContext context, string? configFile, IEnumerable<KeyValuePair<string, string?>> flags)
    {
        var builder = new ConfigurationBuilder()
            .SetBasePath(AppContext.BaseDirectory)
            .AddJsonFile("appsettings.json", optional: true, reloadOnChange: false);

        if (configFile is not null)
        {
            var full = Path.GetFullPath(configFile);
            if (!File.Exists(full))
            {
                throw new ConfigurationException($"--config: file '{configFile}' does not exist.");
            }

            builder.AddJsonFile(full, optional: false, reloadOnChange: false);
        }

        builder.AddInMemoryCollection(FromEnvironment(context.Environment));
        builder.AddInMemoryCollection(flags);

        try
        {
            return builder.Build();
        }
        catch (InvalidDataException ex)
        {
            throw new ConfigurationException($"Configuration file is not valid JSON: {ex.Message}");
        }
    }

    private static IEnumerable<KeyValuePair<string, string?>> FromEnvironment(IReadOnlyDictionary<string, string> environment)
    {
        // The usual OpenAI variable, unless the product's own one is set.
        if (environment.TryGetValue("OPENAI_API_KEY", out var openAiKey) && !environment.ContainsKey("VGAC_LLM_API_KEY"))
        {
            yield return new("Llm:ApiKey", openAiKey);
        }

        foreach (var (name, value) in environment)
        {
            if (WellKnownVariables.TryGetValue(name, out var key))
            {
                yield return new(key, value);
            }
            else if (name.Contains("__", StringComparison.Ordinal) && Sections.Any(s => name.StartsWith(s + "__", StringComparison.OrdinalIgnoreCase)))
            {
                yield return new(name.Replace("__", ":", StringComparison.Ordinal), value);
            }
        }
    }
}

/// <summary>A configuration problem the user must fix; its message is one line that names the setting.</summary>
internal sealed class ConfigurationException(string message) : Exception(message);
