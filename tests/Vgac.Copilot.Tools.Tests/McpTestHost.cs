using System.IO.Pipelines;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;
using Vgac.Copilot.Client;
using Vgac.Copilot.Core;
using Vgac.Copilot.Mcp;
using Vgac.Copilot.Core.Settings;
using Vgac.Copilot.Storage.Sqlite;
using Vgac.Copilot.Testing;

namespace Vgac.Copilot.Tools.Tests;

/// <summary>
/// The production MCP server wiring in-process, connected to the official C# MCP client through in-memory pipes,
/// talking to a VGAC (the simulator or a scripted server) over real loopback HTTP.
/// </summary>
public sealed class McpTestHost : IAsyncDisposable
{
    private readonly IHost _host;

    private McpTestHost(IHost host, McpClient client)
    {
        _host = host;
        Client = client;
    }

    public McpClient Client { get; }

    public IServiceProvider Services => _host.Services;

    /// <summary>A secret the server knows (as a host learns the VGAC key): masked wherever it would be written.</summary>
    public const string Secret = "s3cret-vgac-key-for-tests";

    /// <summary>What the server logged.</summary>
    public Microsoft.Extensions.Logging.Testing.FakeLogCollector Logs => _host.Services.GetFakeLogCollector();

    public static async Task<McpTestHost> StartAsync(Uri vgac, McpHostOptions? options = null, Func<ElicitRequestParams?, CancellationToken, ValueTask<ElicitResult>>? elicitation = null, CancellationToken cancellationToken = default)
    {
        var clientToServer = new Pipe();
        var serverToClient = new Pipe();
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Vgac:BaseUrl"] = vgac.ToString(),
            ["Vgac:RetryBaseDelaySeconds"] = "0.01",
            ["Vgac:TimeoutSeconds"] = "5",
            [Audit.AuditServiceCollectionExtensions.SqlitePathKey] = Path.Combine(TestPaths.NewFolder("mcp-trail-"), "audit.db"),
        });
        builder.Services.AddLogging();
        builder.Services.AddFakeLogging(o => o.CollectRecordsForDisabledLogLevels = true);
        builder.Services.AddSingleton(new Core.Text.SecretRedactor().Learn([Secret]));
        builder.Services.AddVgacClient();
        builder.Services.AddCopilotCore();
        builder.Services.AddVgacTools();
        builder.Services.AddSqliteStorage();
        builder.Services.AddVgacMcpServer(options ?? new McpHostOptions()).WithStreamServerTransport(clientToServer.Reader.AsStream(), serverToClient.Writer.AsStream());
        var host = builder.Build();
        await host.StartAsync(cancellationToken);

        var clientOptions = new McpClientOptions { ClientInfo = new Implementation { Name = "vgac-tests", Version = "1.0" } };
        if (elicitation is not null)
        {
            clientOptions.Handlers.ElicitationHandler = elicitation;
        }

        var client = await McpClient.CreateAsync(new StreamClientTransport(clientToServer.Writer.AsStream(), serverToClient.Reader.AsStream()), clientOptions, cancellationToken: cancellationToken);
        return new McpTestHost(host, client);
    }

    public async Task<CallToolResult> CallAsync(string tool, Dictionary<string, object?>? arguments = null, CancellationToken cancellationToken = default) =>
        await Client.CallToolAsync(tool, arguments ?? [], cancellationToken: cancellationToken);

    public async ValueTask DisposeAsync()
    {
        await Client.DisposeAsync();
        await _host.StopAsync();
        _host.Dispose();
    }
}

internal static class CallToolResultExtensions
{
    public static string Text(this CallToolResult result) => string.Concat(result.Content.OfType<TextContentBlock>().Select(t => t.Text));
}
