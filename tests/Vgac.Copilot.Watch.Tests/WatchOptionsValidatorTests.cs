using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Vgac.Copilot.Actions;
using Vgac.Copilot.Core.Settings;

namespace Vgac.Copilot.Watch.Tests;

public sealed class WatchOptionsValidatorTests
{
    [Theory]
    [InlineData("PendingJobsLimit", "0", "Watch:PendingJobsLimit")]
    [InlineData("IntervalSeconds", "-1", "Watch:IntervalSeconds")]
    public void Options_OutOfRange_FailNamingTheField(string key, string value, string field)
    {
        using var services = Build(new() { [$"Watch:{key}"] = value });

        var error = Assert.Throws<OptionsValidationException>(() => services.GetRequiredService<IOptions<WatchOptions>>().Value);

        Assert.Contains(field, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("DedupeMinutes", "-5", "Watch:DedupeMinutes")]
    [InlineData("Webhook:MaxRetries", "11", "Watch:Webhook:MaxRetries")]
    public void ActionOptions_OutOfRange_FailNamingTheField(string key, string value, string field)
    {
        using var services = Build(new() { [$"Watch:{key}"] = value });

        var error = Assert.Throws<OptionsValidationException>(() => services.GetRequiredService<IOptions<ActionOptions>>().Value);

        Assert.Contains(field, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Options_Defaults_AreValid()
    {
        using var services = Build([]);

        var options = services.GetRequiredService<IOptions<WatchOptions>>().Value;
        var actions = services.GetRequiredService<IOptions<ActionOptions>>().Value;

        Assert.Equal((60d, 20), (actions.DedupeMinutes, options.PendingJobsLimit));
    }

    private static ServiceProvider Build(Dictionary<string, string?> settings) => new ServiceCollection()
        .AddSingleton<IConfiguration>(new ConfigurationBuilder().AddInMemoryCollection(settings).Build())
        .AddVgacWatch()
        .BuildServiceProvider();
}
