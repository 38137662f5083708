using Vgac.Copilot.Cli.Composition;
using Vgac.Copilot.Testing;

namespace Vgac.Copilot.Cli.Tests;

/// <summary>The settings catalogue is the one description: the docs' table, the variables, the flags and the errors follow it.</summary>
public sealed class SettingsCatalogTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public void DocsTable_IsTheCatalogs()
    {
        var path = Path.Combine(TestPaths.RepoRoot, "docs", "configuration.md");
        var text = File.ReadAllText(path).ReplaceLineEndings("\n");
        const string Begin = "<!-- settings:begin -->\n", End = "<!-- settings:end -->";
        var start = text.IndexOf(Begin, StringComparison.Ordinal) + Begin.Length;
        var documented = text[start..text.IndexOf(End, start, StringComparison.Ordinal)];

        var expected = SettingsCatalog.MarkdownTable(ConfigurationReport.BuiltInDefaults()).ReplaceLineEndings("\n");

        Assert.True(expected == documented, $"docs/configuration.md's settings table differs from the catalogue; between the markers it should read:\n{expected}");
    }

    [Fact]
    public void Catalog_EachVariableAndFlagSetsOneKey_AndEveryKeyIsDescribedOnce()
    {
        Assert.Equal(SettingsCatalog.All.Count, SettingsCatalog.All.Select(s => s.Key.ToUpperInvariant()).Distinct().Count());
        Assert.All(SettingsCatalog.All.Where(s => s.Variable is not null), s => Assert.Equal(s.Key, CopilotConfiguration.WellKnownVariables[s.Variable!]));
        Assert.All(SettingsCatalog.All.Where(s => s.Flag is not null), s => Assert.Equal(s.Key, SettingsCatalog.ForFlag(s.Flag!).Key));
    }

    [Theory]
    [InlineData("Vgac:BaseUrl must be an absolute http or https URL, got 'x'.", "Vgac:BaseUrl (VGAC_API_BASE_URL, --vgac-url) must be an absolute http or https URL, got 'x'.")]
    [InlineData("Vgac:ApiKey contains control characters.", "Vgac:ApiKey (VGAC_API_KEY) contains control characters.")]
    [InlineData("Guards:ConfidenceGate must be in (0, 1].", "Guards:ConfidenceGate must be in (0, 1].")]
    [InlineData("Vgac:BaseUrlX must be set.", "Vgac:BaseUrlX must be set.")]
    public void Named_AnErrorAboutADescribedSetting_NamesItsVariableAndFlag(string message, string expected)
    {
        Assert.Equal(expected, SettingsCatalog.Named(message));
    }

    [Fact]
    public async Task Start_InvalidSettingFromTheEnvironment_ErrorNamesTheVariableAndFlag_Exit2()
    {
        var result = await CliHarness.RunAsync(["config"], new Dictionary<string, string> { ["VGAC_TIMEOUT_SECONDS"] = "-3" }, Ct);
        var predict = await CliHarness.RunAsync(["predict", "--gpus", "1"], new Dictionary<string, string> { ["VGAC_TIMEOUT_SECONDS"] = "-3" }, Ct);

        Assert.Equal(ExitCodes.UsageError, predict.ExitCode);
        Assert.Contains("Vgac:TimeoutSeconds (VGAC_TIMEOUT_SECONDS, --timeout) must be", predict.Error, StringComparison.Ordinal);
        Assert.Contains("Vgac:TimeoutSeconds (VGAC_TIMEOUT_SECONDS, --timeout) must be", result.Out + result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ConfigJson_ADescribedSetting_SaysWhatItIsAndItsVariableAndFlag()
    {
        var result = await CliHarness.RunAsync(["config", "--format", "json"], new Dictionary<string, string>(), Ct);

        using var json = System.Text.Json.JsonDocument.Parse(result.Out);
        var settings = json.RootElement.GetProperty("settings").EnumerateArray().ToDictionary(s => s.GetProperty("key").GetString()!);
        var url = settings["Vgac:BaseUrl"];
        Assert.Equal(("VGAC_API_BASE_URL", "--vgac-url", "Base URL of the VGAC API"),
            (url.GetProperty("variable").GetString(), url.GetProperty("flag").GetString(), url.GetProperty("about").GetString()));
        Assert.False(settings["Vgac:MaxRetries"].TryGetProperty("about", out _));
    }

    [Theory]
    [InlineData("Watch:Webhook:Url", true)]
    [InlineData("Storage:ConnectionString", true)]
    [InlineData("Clusters:0:ApiKey", true)]
    [InlineData("Vgac:BaseUrl", false)]
    public void IsSecret_DescribedOrNamedLikeASecret(string key, bool secret)
    {
        Assert.Equal(secret, SettingsCatalog.IsSecret(key));
    }
}
