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
        using var provider = Build(Table((0.2, 0.2), (0.4, 0.1)));

        var tiers = provider.GetRequiredService<GuardPolicy>().Options.EffectiveTiers;

        Assert.Equal([0.2, 0.4], tiers.Select(t => t.Epsilon));
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
            settings[$"Guards:Tiers:{i}:Action"] = $"action{i + 1}";
            settings[$"Guards:Tiers:{i}:Epsilon"] = tiers[i].Epsilon.ToString(System.Globalization.CultureInfo.InvariantCulture);
            settings[$"Guards:Tiers:{i}:MaxEce"] = tiers[i].MaxEce.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        return settings;
    }
}
