using Vgac.Copilot.Cli.Composition;
using Vgac.Copilot.Testing;

namespace Vgac.Copilot.Cli.Tests;

/// <summary>A setting given twice in the environment (its named variable and its <c>Section__Key</c> form): the named one wins, nothing crashes.</summary>
public sealed class EnvironmentVariableTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public static TheoryData<string, string> NamedVariables()
    {
        var data = new TheoryData<string, string>();
        foreach (var (variable, key) in CopilotConfiguration.WellKnownVariables)
        {
            data.Add(variable, key);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(NamedVariables))]
    public void Compose_NamedVariableBesideItsSectionKeyForm_NamedOneWins(string variable, string key)
    {
        var sectionForm = key.Replace(":", "__", StringComparison.Ordinal);
        // Both spellings of the Section__Key form too (environment names are case-sensitive, keys are not).
        var environment = new Dictionary<string, string>
        {
            [sectionForm] = "from-section-form",
            [sectionForm.ToUpperInvariant()] = "from-upper-section-form",
            [variable] = "from-named-variable",
        };
        var context = new CliContext(TextWriter.Null, TextWriter.Null, environment);

        var composed = CopilotConfiguration.Compose(context, null, [], problems: null);

        Assert.Equal("from-named-variable", composed.Root[key]);
        Assert.Equal($"environment {variable}", composed.SourceOf(key));
    }

    [Fact]
    public void Compose_OpenAiKeyBesideLlmApiKey_TheProductsOwnSettingWins()
    {
        var context = new CliContext(TextWriter.Null, TextWriter.Null, new Dictionary<string, string> { ["OPENAI_API_KEY"] = "openai", ["Llm__ApiKey"] = "own" });

        var composed = CopilotConfiguration.Compose(context, null, [], problems: null);

        Assert.Equal("own", composed.Root["Llm:ApiKey"]);
    }

    [Fact]
    public async Task Predict_BaseUrlInBothForms_RunsAgainstTheNamedVariablesVgac()
    {
        await using var server = await new ScriptedVgac().StartAsync(Ct);
        var environment = new Dictionary<string, string>
        {
            ["VGAC_API_BASE_URL"] = server.BaseAddress.ToString(),
            ["Vgac__BaseUrl"] = "http://127.0.0.1:9/",
            ["VGAC_API_KEY"] = "named-key",
            ["Vgac__ApiKey"] = "section-key",
        };

        var result = await CliHarness.RunAsync(["predict", "--gpus", "2"], environment, Ct);

        Assert.True(result.ExitCode == ExitCodes.Success, result.ToString());
        Assert.DoesNotContain("Unhandled", result.Error, StringComparison.Ordinal);
    }
}
