using OpenTelemetry.Metrics;
using System.CommandLine;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Vgac.Copilot.Cli.Composition;
using Vgac.Copilot.Cli.Hosting;
using Vgac.Copilot.Mcp;
using Vgac.Copilot.Tools.Catalog;
using Vgac.Copilot.Core.Settings;

namespace Vgac.Copilot.Cli.Commands;

/// <summary>
/// <c>vgac mcp</c>: the tools as an MCP server, over stdio (default; stdout carries JSON-RPC only) or streamable
/// HTTP. Read-only unless <c>--allow-actions</c>.
/// </summary>
internal sealed class McpCommand : VgacCommand
{
    /// <summary>A long-lived process: its VGAC client keeps a circuit breaker.</summary>
    public override bool LivesLong => true;

    private static readonly Option<bool> Http = new("--http") { Description = "Serve streamable HTTP instead of stdio." };
    private static readonly Option<int> Port = new("--port") { Description = "HTTP port (default 3001; 0 picks a free one).", DefaultValueFactory = _ => 3001, HelpName = "port" };
    private static readonly Option<string?> Bind = new("--bind") { Description = "HTTP address (default 127.0.0.1). Anything but loopback needs a token.", HelpName = "address" };
    private static readonly Option<string?> TokenFile = new("--token-file") { Description = "File holding the bearer token HTTP clients must send (or set VGAC_MCP_TOKEN).", HelpName = "path" };
    private static readonly Option<string?> Token = new("--token") { Description = "Not accepted: a token on the command line shows in 'ps'. Use VGAC_MCP_TOKEN or --token-file.", Hidden = true };
    private static readonly Option<string[]> AllowedHosts = new("--allowed-host") { Description = "Host name clients may address when bound beyond loopback (repeatable).", HelpName = "name", AllowMultipleArgumentsPerToken = false };
    private static readonly Option<string[]> AllowedOrigins = new("--allowed-origin") { Description = "Browser origin allowed to call the server, e.g. https://ide.example (repeatable).", HelpName = "origin" };
    private static readonly Option<bool> AllowActions = new("--allow-actions") { Description = "List tools that can act (each still needs the guards and the user's confirmation)." };
    private static readonly Option<bool> ReadOnly = new("--read-only") { Description = "Serve only read-only tools, whatever else is set (--allow-actions, Mcp:AllowActions); also Mcp:ReadOnly." };
    private static readonly Option<string?> Toolsets = new("--toolsets") { Description = "Comma-separated groups: observer,predictor,calibrator,actor (default all).", HelpName = "list" };
    private static readonly Option<string[]> Tools = new("--tools") { Description = "Serve only these tools (comma-separated or repeated), within the toolsets; also Mcp:Tools.", HelpName = "names" };
    private static readonly Option<string[]> ExcludeTools = new("--exclude-tools") { Description = "Never serve these tools (comma-separated or repeated), whatever else is set; also Mcp:ExcludeTools.", HelpName = "names" };

    public McpCommand(CliContext context)
        : base(context, FullCommands.Mcp, CommandNeeds.Vgac | CommandNeeds.Demo)
    {
        foreach (var option in new Option[] { Http, Port, Bind, TokenFile, Token, AllowedHosts, AllowedOrigins, AllowActions, ReadOnly, Toolsets, Tools, ExcludeTools })
        {
            Options.Add(option);
        }

        Examples =
        [
            ("vgac mcp", "stdio, for an IDE's MCP configuration (read-only tools)"),
            ("VGAC_MCP_TOKEN=... vgac mcp --http --port 3001", "streamable HTTP on loopback, bearer token required"),
            ("vgac mcp --allow-actions --toolsets observer,actor", "some tool groups, actions included (each still confirmed)"),
            ("vgac mcp --read-only --tools predictor_predict_wait,calibrator_status", "a locked-down server: two read-only tools"),
        ];
    }

    /// <summary>Every cluster's actions are confirmed by the person behind the client, as the served cluster's are.</summary>
    protected override void ConfigureServices(ParseResult parse, IServiceCollection services)
    {
        services.Replace(ServiceDescriptor.Singleton<Actions.IActionApprover, ElicitingApprover>());
        services.AddSingleton(new McpCaller(Caller(parse)));
    }

    /// <summary>How this server's callers are known, as every confirmation records it.</summary>
    private static string Caller(ParseResult parse) => parse.GetValue(Http)
        ? "over HTTP, holding the server's bearer token"
        : $"over stdio, to a server started by OS user {Environment.UserName}";

    protected override Task<int> ExecuteAsync(ParseResult parse, CommandSession session, CancellationToken cancellationToken) =>
        ServeAsync(parse, session, cancellationToken);

    private async Task<int> ServeAsync(ParseResult parse, CommandSession session, CancellationToken cancellationToken)
    {
        // Flags over the Mcp section of the configuration (bound into settable properties: the binder leaves init-only
        // ones at their defaults, which silently ignored Mcp:AllowActions and Mcp:Toolsets before).
        var configured = session.Configuration.GetSection("Mcp").Get<McpSettings>() ?? new McpSettings();
        var options = new McpHostOptions
        {
            Toolsets = parse.GetValue(Toolsets) is { } toolsets ? ParseToolsets(toolsets) : ParseToolsets(string.Join(',', configured.Toolsets)),
            AllowActions = parse.GetValue(AllowActions) || configured.AllowActions,
            ReadOnly = parse.GetValue(ReadOnly) || configured.ReadOnly,
            Tools = parse.GetValue(Tools) is { Length: > 0 } tools ? ToolNamesOf("--tools", tools) : ToolNamesOf("Mcp:Tools", configured.Tools),
            ExcludeTools = parse.GetValue(ExcludeTools) is { Length: > 0 } excluded ? ToolNamesOf("--exclude-tools", excluded) : ToolNamesOf("Mcp:ExcludeTools", configured.ExcludeTools),
            Caller = Caller(parse),
        };
        var catalog = session.Get<ToolCatalog>();
        if (catalog.Served(options).Count == 0)
        {
            throw new ConfigurationException("vgac mcp would serve no tool: --toolsets, --tools and --exclude-tools leave none; loosen one of them.");
        }

        // Said at start on stderr: a tool asked for by name that the other settings keep from being served.
        foreach (var (name, why) in catalog.All.Where(t => options.Tools.Contains(t.Name)).Select(t => (t.Name, ToolCatalog.Withheld(t, options))).Where(w => w.Item2 is not null))
        {
            await session.Context.Error.WriteLineAsync($"vgac mcp: --tools names {name}, which is not served: {why}.").ConfigureAwait(false);
            await session.Context.Error.FlushAsync(cancellationToken).ConfigureAwait(false);
        }
        if (options.AllowActions)
        {
            session.Clusters.RequireConfiguredVgac("vgac mcp --allow-actions");
        }

        // Said at start on stderr (stdout is the protocol's): read-only took the action tools away, or the cluster
        // served runs weaker than built-in.
        if (options.ReadOnly)
        {
            await session.Context.Error.WriteLineAsync(options.ActionsWithheld
                ? "vgac mcp: read-only: only read-only tools are served; --read-only wins over --allow-actions, so no tool can act."
                : "vgac mcp: read-only: only read-only tools are served.").ConfigureAwait(false);
            await session.Context.Error.FlushAsync(cancellationToken).ConfigureAwait(false);
        }

        if (Core.Guards.GuardNotice.Of(session.Get<Core.Guards.GuardPolicy>().Options) is { } weaker)
        {
            await session.Context.Error.WriteLineAsync($"vgac mcp: WARNING{(session.Clusters.Several ? $" (cluster {session.Clusters.Selected})" : "")}: {weaker}").ConfigureAwait(false);
        }

        return parse.GetValue(Http)
            ? await ServeHttpAsync(parse, session, options, cancellationToken).ConfigureAwait(false)
            : await ServeStdioAsync(session, options, cancellationToken).ConfigureAwait(false);
    }

    private static async Task<int> ServeStdioAsync(CommandSession session, McpHostOptions options, CancellationToken cancellationToken)
    {
        // An empty host: no default console logger, nothing but JSON-RPC on stdout.
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings { ContentRootPath = AppContext.BaseDirectory });
        builder.Services.AddSingleton(session.Context.Secrets);
        builder.Services.AddSingleton<Core.Clusters.IClusterDirectory>(session.Clusters);
        builder.Services.AddCopilotServices(session.Configuration);
        session.Context.Host.AddServices(builder.Services);
        builder.Services.AddVgacMcpServer(options).WithStdioServerTransport();
        using var host = builder.Build();
        host.Services.GetRequiredService<IStartupValidator>().Validate();
        await host.RunAsync(cancellationToken).ConfigureAwait(false);
        return ExitCodes.Success;
    }

    private static async Task<int> ServeHttpAsync(ParseResult parse, CommandSession session, McpHostOptions options, CancellationToken cancellationToken)
    {
        var (address, port, token, access) = HttpAccess(parse, session, options);
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ContentRootPath = AppContext.BaseDirectory });
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.Listen(address, port);
            k.Limits.MaxRequestBodySize = 1024 * 1024; // a tool call is a few KB; nothing bigger is read
        });
        builder.Services.AddSingleton(session.Context.Secrets);
        builder.Services.AddSingleton<Core.Clusters.IClusterDirectory>(session.Clusters);
        builder.Services.AddCopilotServices(session.Configuration);
        session.Context.Host.AddServices(builder.Services);

        // Stateful sessions: the server can ask the client (elicitation) to confirm an action. A session lives in this
        // process, so replicas behind one URL need routing by Mcp-Session-Id; the trail they share is in the store.
        builder.Services.AddVgacMcpServer(options).WithHttpTransport(http => http.SessionMode = ModelContextProtocol.AspNetCore.HttpServerSessionMode.Stateful);

        // Prometheus scrapes /metrics (behind the same host, origin and token checks as /mcp).
        builder.Services.AddOpenTelemetry().ConfigureResource(r => Telemetry.Describe(r.Clear())).WithMetrics(metrics => metrics.AddMeter(Telemetry.Names).AddMeter("Microsoft.AspNetCore.Hosting", "Microsoft.AspNetCore.Server.Kestrel").AddPrometheusExporter());
        await using var app = builder.Build();
        app.Services.GetRequiredService<IStartupValidator>().Validate();
        app.UseVgacMcpAccess(access);

        app.MapMcp("/mcp");
        app.MapPrometheusScrapingEndpoint("/metrics");
        await app.StartAsync(cancellationToken).ConfigureAwait(false);
        var url = app.Urls.First().TrimEnd('/') + "/mcp";
        await session.Out.WriteLineAsync($"VGAC MCP server (streamable HTTP) on {url}{(token is null ? "" : " - bearer token required")}").ConfigureAwait(false);
        await session.Out.FlushAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await Task.Delay(Timeout.Infinite, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }

        await app.StopAsync(CancellationToken.None).ConfigureAwait(false);
        return ExitCodes.Success;
    }

    /// <summary>
    /// Where the HTTP server listens and who may call it: loopback unless bound elsewhere, which needs a token, as
    /// actions do even on loopback; the token from a file or <c>VGAC_MCP_TOKEN</c>, never the command line.
    /// </summary>
    private static (IPAddress Address, int Port, string? Token, McpHttpAccess Access) HttpAccess(ParseResult parse, CommandSession session, McpHostOptions options)
    {
        var (address, port) = ListenAddress.Resolve(parse.GetValue(Bind), parse.GetValue(Port), IPAddress.Loopback);
        if (parse.GetValue(Token) is not null)
        {
            throw new ConfigurationException("--token is not accepted: a token on the command line is visible to every user in 'ps'. Set VGAC_MCP_TOKEN, or put it in a file and pass --token-file.");
        }

        var token = ReadToken(parse.GetValue(TokenFile)) ?? session.Context.Environment.GetValueOrDefault("VGAC_MCP_TOKEN");
        session.Context.Secrets.Learn([token]);
        if (!IPAddress.IsLoopback(address) && string.IsNullOrEmpty(token))
        {
            throw new ConfigurationException($"--bind {address} exposes the server beyond this machine: set VGAC_MCP_TOKEN or pass --token-file.");
        }

        if (options.AllowActions && string.IsNullOrEmpty(token))
        {
            // Loopback is not the user's alone: any account on this machine can connect and answer the confirmation.
            throw new ConfigurationException("--allow-actions over HTTP needs a token even on loopback (any user of this machine can reach 127.0.0.1 and confirm an action): set VGAC_MCP_TOKEN or pass --token-file.");
        }

        token = string.IsNullOrEmpty(token) ? null : token;
        return (address, port, token, McpHttpAccess.For(address, parse.GetValue(AllowedHosts) ?? [], parse.GetValue(AllowedOrigins) ?? [], token));
    }

    /// <summary>The token in a file (first line, trimmed); the file should be readable by its owner only.</summary>
    private static string? ReadToken(string? path)
    {
        if (path is null)
        {
            return null;
        }

        try
        {
            var token = File.ReadLines(path).FirstOrDefault()?.Trim();
            return string.IsNullOrEmpty(token) ? throw new ConfigurationException($"--token-file: '{path}' is empty; its first line must be the token.") : token;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new ConfigurationException($"--token-file: cannot read '{path}': {ex.Message}");
        }
    }

    /// <summary>Tool names from a flag or the configuration (comma-separated or repeated); an unknown one is a usage error naming the closest.</summary>
    private static string[] ToolNamesOf(string flag, IEnumerable<string> values)
    {
        var names = values.SelectMany(v => v.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)).Distinct(StringComparer.Ordinal).ToArray();
        foreach (var name in names.Where(n => !ToolNames.All.Contains(n, StringComparer.Ordinal)))
        {
            var guess = Core.Text.NameMatch.Closest(name, ToolNames.All, maxEdits: 4);
            throw new ConfigurationException($"{flag}: there is no tool '{Core.Text.UntrustedText.Clean(name, 80)}'{(guess is null ? "" : $"; did you mean '{guess}'?")} (the tools are listed in docs/mcp.md).");
        }

        return names;
    }

    private static string[] ParseToolsets(string? value)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return [];
        }

        var sets = value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).Select(s => s.ToLowerInvariant()).ToArray();
        var unknown = sets.Except(ToolNames.Toolsets).ToList();
        return unknown.Count == 0
            ? sets
            : throw new ConfigurationException($"--toolsets: unknown group(s) {string.Join(", ", unknown)}; expected {string.Join(", ", ToolNames.Toolsets)}.");
    }
}

/// <summary>The <c>Mcp</c> section as configured (<c>Mcp:Toolsets</c>, <c>Mcp:Tools</c>, <c>Mcp:ExcludeTools</c>, <c>Mcp:AllowActions</c>, <c>Mcp:ReadOnly</c>), before the flags go over it.</summary>
internal sealed class McpSettings
{
    public List<string> Toolsets { get; set; } = [];

    public List<string> Tools { get; set; } = [];

    public List<string> ExcludeTools { get; set; } = [];

    public bool AllowActions { get; set; }

    public bool ReadOnly { get; set; }
}
