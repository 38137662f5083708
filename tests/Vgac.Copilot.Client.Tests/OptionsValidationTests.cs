using Microsoft.Extensions.Options;
using Vgac.Copilot.Testing;

namespace Vgac.Copilot.Client.Tests;

public sealed class OptionsValidationTests
{
    [Theory]
    [InlineData("Vgac:BaseUrl", "not a url", "Vgac:BaseUrl")]
    [InlineData("Vgac:BaseUrl", "ftp://vgac.example", "Vgac:BaseUrl")]
    [InlineData("Vgac:TimeoutSeconds", "-1", "Vgac:TimeoutSeconds")]
    [InlineData("Vgac:TimeoutSeconds", "0", "Vgac:TimeoutSeconds")]
    [InlineData("Vgac:MaxRetries", "-2", "Vgac:MaxRetries")]
    [InlineData("Vgac:ApiKeyHeader", "X Bad", "Vgac:ApiKeyHeader")]
    [InlineData("Vgac:AttemptTimeoutSeconds", "60", "Vgac:AttemptTimeoutSeconds")]
    public void Options_InvalidValue_FailAtStartNamingTheSetting(string key, string value, string named)
    {
        var ex = Assert.ThrowsAny<Exception>(() => ClientHarness.Create(new Uri("http://127.0.0.1:1"), new Dictionary<string, string?> { [key] = value }));

        var failures = ex is AggregateException agg
            ? agg.InnerExceptions.OfType<OptionsValidationException>().SelectMany(e => e.Failures)
            : ((OptionsValidationException)ex).Failures;
        Assert.Contains(failures, f => f.StartsWith(named, StringComparison.Ordinal));
    }

    [Fact]
    public void Options_ApiKeyWithNewline_FailsWithoutEchoingTheKey()
    {
        var ex = Assert.ThrowsAny<Exception>(() => ClientHarness.Create(new Uri("http://127.0.0.1:1"), new Dictionary<string, string?> { ["Vgac:ApiKey"] = "secret-value\n" }));

        Assert.Contains("control characters", ex.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("secret-value", ex.ToString(), StringComparison.Ordinal);
    }
}
