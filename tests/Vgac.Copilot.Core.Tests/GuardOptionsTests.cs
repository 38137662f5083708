using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Vgac.Copilot.Core.Guards;

namespace Vgac.Copilot.Core.Tests;

public sealed class GuardOptionsTests
{
    [Theory]
    [InlineData("Guards:ConfidenceGate", "0.4", "Guards:ConfidenceGate")]
    [InlineData("Guards:ConfidenceGate", "1.2", "Guards:ConfidenceGate")]
    [InlineData("Guards:MonitorRatio", "1.2", "drift ratios")]
    [InlineData("Guards:WaitIntervalLevel", "0.5", "Guards:WaitIntervalLevel must be 0.8, 0.9 or 0.95")]
    public void InvalidScalar_RefusesToStartNamingTheValue(string key, string value, string named)
    {
        var failures = Failures(new Dictionary<string, string?> { [key] = value });

        Assert.Contains(failures, f => f.Contains(named, StringComparison.Ordinal) && (f.Contains(value, StringComparison.Ordinal) || named == "drift ratios"));
    }

    [Fact]
    public void EpsilonNotIncreasing_RefusesNamingTheTier()
    {
        var failures = Failures(Table((0.30, 0.10), (0.25, 0.07), (0.70, 0.05), (0.90, 0.03)));

        Assert.Contains(failures, f => f.StartsWith("Guards:Tiers:1:Epsilon (0.25)", StringComparison.Ordinal));
    }

    [Fact]
    public void EcePrerequisiteNotDecreasing_RefusesNamingTheTier()
    {
        var failures = Failures(Table((0.30, 0.10), (0.50, 0.07), (0.70, 0.08), (0.90, 0.03)));

        Assert.Contains(failures, f => f.StartsWith("Guards:Tiers:2:MaxEce (0.08)", StringComparison.Ordinal));
    }

    [Fact]
    public void ConfiguredTable_ReplacesTheDefaults()
    {
        using var provider = Build(Table((0.4, 0.08), (0.6, 0.05)));

        var tiers = provider.GetRequiredService<GuardPolicy>().Options.EffectiveTiers;

        Assert.Equal([0.4, 0.6], tiers.Select(t => t.Epsilon));
        Assert.Equal(["annotate", "warn"], tiers.Select(t => t.Action));
    }

    [Fact]
    public void Defaults_AreTheDesignTable()
    {
        using var provider = Build(new Dictionary<string, string?>());
        var o = provider.GetRequiredService<GuardPolicy>().Options;

        Assert.Equal(0.6, o.ConfidenceGate);
        Assert.Equal(0.018, o.BaselineEce);
        Assert.Equal([(0.30, 0.10), (0.50, 0.07), (0.70, 0.05), (0.90, 0.03)], o.EffectiveTiers.Select(t => (t.Epsilon, t.MaxEce)));
    }

    [Theory]
    [InlineData(0, "gate", "tier 1 is annotate")]
    [InlineData(3, "annotate", "tier 4 is gate")]
    public void TierAction_RenamedInConfiguration_Refused(int index, string action, string named)
    {
        var settings = Table((0.30, 0.10), (0.50, 0.07), (0.70, 0.05), (0.90, 0.03));
        settings[$"Guards:Tiers:{index}:Action"] = action;

        var failures = Failures(settings);

        Assert.Contains(failures, f => f.StartsWith($"Guards:Tiers:{index}:Action: what a tier does is fixed ({named})", StringComparison.Ordinal));
    }

    [Fact]
    public void WeakerThanDefault_EachSettingRefusedByName_UnlessAllowed()
    {
        var settings = Table((0.20, 0.99), (0.50, 0.98), (0.70, 0.97), (0.90, 0.96));
        settings["Guards:ConfidenceGate"] = "0.5";
        settings["Guards:BaselineEce"] = "0.9";
        settings["Guards:StableRatio"] = "1.6";
        settings["Guards:LearningModeMinSamples"] = "10";

        var failures = Failures(settings);
        settings["Guards:AllowWeakerThanDefault"] = "true";
        using var allowed = Build(settings);

        string[] named =
        [
            "Guards:ConfidenceGate 0.5 (built-in 0.6)", "Guards:BaselineEce 0.9 (built-in 0.018)", "Guards:StableRatio 1.6 (built-in 1.5)",
            "Guards:LearningModeMinSamples 10 (built-in 50)", "Guards:Tiers:0:Epsilon 0.2 (built-in 0.3)", "Guards:Tiers:0:MaxEce 0.99 (built-in 0.1)",
            "Guards:Tiers:3:MaxEce 0.96 (built-in 0.03)",
        ];
        Assert.All(named, n => Assert.Contains(failures, f => f.StartsWith(n + " is weaker than the built-in guard", StringComparison.Ordinal)));
        Assert.Equal(named.Order(), allowed.GetRequiredService<GuardPolicy>().Options.WeakerThanDefault().Where(named.Contains).Order());
    }

    [Fact]
    public void StricterThanDefault_Accepted_NothingWeaker()
    {
        var settings = Table((0.40, 0.08), (0.60, 0.05), (0.80, 0.04), (0.95, 0.02));
        settings["Guards:ConfidenceGate"] = "0.7";
        settings["Guards:BaselineEce"] = "0.015";

        using var provider = Build(settings);

        Assert.Empty(provider.GetRequiredService<GuardPolicy>().Options.WeakerThanDefault());
    }

    internal static ServiceProvider Build(IDictionary<string, string?> settings)
    {
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(new ConfigurationBuilder().AddInMemoryCollection(settings).Build());
        services.AddLogging();
        services.AddCopilotCore();
        var provider = services.BuildServiceProvider();
        provider.GetRequiredService<IStartupValidator>().Validate();
        return provider;
    }

    private static IReadOnlyList<string> Failures(IDictionary<string, string?> settings)
    {
        var ex = Assert.ThrowsAny<Exception>(() => Build(settings).Dispose());
        return ex is AggregateException agg
            ? [.. agg.InnerExceptions.OfType<OptionsValidationException>().SelectMany(e => e.Failures)]
            : [.. ((OptionsValidationException)ex).Failures];
    }

    private static Dictionary<string, string?> Table(params (double Epsilon, double MaxEce)[] tiers)
    {
        var settings = new Dictionary<string, string?>();
        for (var i = 0; i < tiers.Length; i++)
        {
            settings[$"Guards:Tiers:{i}:Tier"] = (i + 1).ToString(System.Globalization.CultureInfo.InvariantCulture);
            settings[$"Guards:Tiers:{i}:Epsilon"] = tiers[i].Epsilon.ToString(System.Globalization.CultureInfo.InvariantCulture);
            settings[$"Guards:Tiers:{i}:MaxEce"] = tiers[i].MaxEce.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        return settings;
    }
}
