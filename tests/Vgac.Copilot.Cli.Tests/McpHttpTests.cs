using System.Diagnostics;
using System.Net;
using System.Text.RegularExpressions;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;
using Vgac.Copilot.Testing;

namespace Vgac.Copilot.Cli.Tests;

public sealed partial class McpHttpTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Http_WithToken_ServesToolsToAuthorizedClientsOnly()
    {
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in new[] { CliProcess.VgacDll, "mcp", "--http", "--port", "0", "--token", "s3cret-token", "--demo" })
        {
            info.ArgumentList.Add(arg);
        }

        info.Environment["VGAC_LOG_DIR"] = Path.GetTempPath();
        using var process = Process.Start(info)!;
        try
        {
            string? url = null;
            while (url is null && await process.StandardOutput.ReadLineAsync(Ct) is { } line)
            {
                url = Url().Match(line) is { Success: true } m ? m.Groups[1].Value : null;
            }

            Assert.NotNull(url);
            using var anonymous = new HttpClient();
            var refused = await anonymous.PostAsync(url, new StringContent("{}"), Ct);
            Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);

            var transport = new HttpClientTransport(new HttpClientTransportOptions
            {
                Endpoint = new Uri(url),
                AdditionalHeaders = new Dictionary<string, string> { ["Authorization"] = "Bearer s3cret-token" },
            });
            await using var client = await McpClient.CreateAsync(transport, cancellationToken: Ct);
            var tools = await client.ListToolsAsync(cancellationToken: Ct);
            var result = await client.CallToolAsync("observer_cluster_summary", new Dictionary<string, object?>(), cancellationToken: Ct);

            Assert.Equal(27, tools.Count);
            Assert.Contains("\"gpus_total\":104", ((TextContentBlock)result.Content[0]).Text, StringComparison.Ordinal);
        }
        finally
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync(Ct);
        }
    }

    [Fact]
    public async Task Http_BindBeyondLoopbackWithoutToken_IsRefused()
    {
        var result = await CliHarness.RunAsync(["mcp", "--http", "--bind", "0.0.0.0", "--port", "0"], cancellationToken: Ct);

        Assert.Equal(ExitCodes.UsageError, result.ExitCode);
        Assert.Contains("--token", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Toolsets_Unknown_IsRefused()
    {
        var result = await CliHarness.RunAsync(["mcp", "--toolsets", "observer,oracle"], cancellationToken: Ct);

        Assert.Equal(ExitCodes.UsageError, result.ExitCode);
        Assert.Contains("oracle", result.Error, StringComparison.Ordinal);
    }

    [GeneratedRegex(@"on (http://\S+/mcp)")]
    private static partial Regex Url();
}
