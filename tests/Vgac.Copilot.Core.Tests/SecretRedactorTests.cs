using Microsoft.Extensions.Configuration;
using Vgac.Copilot.Core.Text;

namespace Vgac.Copilot.Core.Tests;

public sealed class SecretRedactorTests
{
    [Fact]
    public void Redact_SecretContainingAnother_IsMaskedWholeWithNothingLeftOver()
    {
        var redactor = new SecretRedactor().Learn(["token-123", "token-123-and-more"]);

        Assert.Equal("key *** and ***", redactor.Redact("key token-123-and-more and token-123"));
    }

    [Fact]
    public void Redact_ConnectionStringPassword_IsMaskedOnItsOwnToo()
    {
        var redactor = new SecretRedactor().Learn(["Host=db;Username=app;Password=pg-secret-42;Timeout=2"]);

        Assert.Equal("auth failed for ***", redactor.Redact("auth failed for pg-secret-42"));
    }

    [Fact]
    public void Redact_ConfiguredUrlsAndClusters_MaskUserInfoKeysAndPasswords()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Vgac:BaseUrl"] = "https://ops:url-pass-77@vgac.example",
            ["Clusters:east:api_key"] = "east-key-0001",
            ["Clusters:west:BaseUrl"] = "https://west:west-pass-9@vgac-west.example",
            ["Llm:ApiKey"] = "ab",
        }).Build();

        var redactor = new SecretRedactor().Learn(configuration);

        Assert.Equal("*** *** *** *** ab", redactor.Redact("url-pass-77 ops:url-pass-77 east-key-0001 west-pass-9 ab"));
    }

    [Fact]
    public void Redact_SecretsFromTheEnvironment_AreMasked()
    {
        var redactor = new SecretRedactor().Learn(new Dictionary<string, string> { ["VGAC_API_KEY"] = "env-key-555", ["HOME"] = "/home/someone" });

        Assert.Equal("*** /home/someone", redactor.Redact("env-key-555 /home/someone"));
    }
}
