using System.Text.Json;
using Vgac.Copilot.Simulator;
using Vgac.Copilot.Simulator.Hosting;
using Vgac.Copilot.Testing;
using Vgac.Copilot.Cli.Tests;

namespace Vgac.Copilot.Cli.IntegrationTests;

/// <summary>
/// The natively compiled program (the install path) does what the JIT one does: <c>.ci/run</c> publishes it with the
/// README's command and points <c>VGAC_NATIVE_DIR</c> at it. Without that variable these tests say so and skip.
/// </summary>
public sealed class NativeBuildTests
{
    public const string Variable = "VGAC_NATIVE_DIR";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Native_Help_ListsTheCommands()
    {
        var run = await RunAsync(["--help"]);

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains("predict", run.Out, StringComparison.Ordinal);
        Assert.Contains("mcp", run.Out, StringComparison.Ordinal);
    }

    [Fact]
    public void Native_LinuxBuild_IsFixedAddressWithExpandedTypeData()
    {
        // The start-up settings of eng/NativeStartup.props (IlcDehydrate=false, PositionIndependentExecutable=false) must reach
        // the published program: a position-independent one spends ~80 ms relocating its type data before Main.
        var program = Program();
        Assert.SkipUnless(OperatingSystem.IsLinux(), "the fixed-address build applies to Linux only");
        Span<byte> header = stackalloc byte[18];
        using (var file = File.OpenRead(program))
        {
            file.ReadExactly(header);
        }

        Assert.True(header[..4].SequenceEqual("\u007fELF"u8), "not an ELF program");
        const ushort executable = 2, sharedObject = 3; // e_type: ET_EXEC for a fixed-address program, ET_DYN for PIE
        var type = System.Buffers.Binary.BinaryPrimitives.ReadUInt16LittleEndian(header[16..]);
        Assert.True(type == executable, $"e_type is {type} ({(type == sharedObject ? "position-independent" : "unexpected")}), expected {executable}: a fixed-address executable");
    }

    [Fact]
    public async Task Native_Predict_SameAnswerAsTheJitBuild()
    {
        await using var sim = await SimulatorHost.StartAsync(new SimulatorOptions { Speed = 0 }, cancellationToken: Ct);
        string[] args = ["predict", "--gpus", "2", "--vgac-url", sim.Url.ToString(), "-o", "json"];

        var native = await RunAsync(args);
        var jit = await CliHarness.RunAsync(args, cancellationToken: Ct);

        Assert.True(native.ExitCode == 0, native.ToString());
        using var a = JsonDocument.Parse(native.Out);
        using var b = JsonDocument.Parse(jit.Out);
        foreach (var field in new[] { "probability_long_wait", "confidence", "shown_as", "highest_tier" })
        {
            Assert.Equal(b.RootElement.GetProperty(field).GetRawText(), a.RootElement.GetProperty(field).GetRawText());
        }

        Assert.Equal(b.RootElement.GetProperty("wait_interval").GetProperty("high_seconds").GetDouble(), a.RootElement.GetProperty("wait_interval").GetProperty("high_seconds").GetDouble());
    }

    [Fact]
    public async Task Native_LlmPlanner_ShowsTheModelEveryToolsParameters_AsTheJitBuildDoes()
    {
        // The model must see each tool's parameters: a reflection-built schema comes out empty in a native program.
        async Task<JsonElement> FirstRequestTools(Func<string[], Task<CliResult>> run)
        {
            await using var model = await ScriptedChatServer.StartAsync([ChatReply.Text("ok")], Ct);
            var result = await run(["ask", "how busy is it?", "--demo", "--llm-provider", "openai-compatible", "--llm-endpoint", model.Endpoint.ToString(), "--llm-model", "m"]);
            Assert.True(result.ExitCode is 0 or 11, result.ToString());
            return model.Requests[0].RootElement.GetProperty("tools").Clone();
        }

        var native = await FirstRequestTools(RunAsync);
        var jit = await FirstRequestTools(args => CliHarness.RunAsync(args, cancellationToken: Ct));

        JsonElement Parameters(JsonElement tools, string name) =>
            tools.EnumerateArray().Single(t => t.GetProperty("function").GetProperty("name").GetString() == "vgac-" + name).GetProperty("function").GetProperty("parameters");
        var wait = Parameters(native, "predictor_predict_wait");
        Assert.Equal("integer", wait.GetProperty("properties").GetProperty("gpus").GetProperty("type").GetString());
        Assert.Equal(["eks", "slurm"], wait.GetProperty("properties").GetProperty("cluster").GetProperty("enum").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(jit.GetArrayLength(), native.GetArrayLength());
        foreach (var tool in jit.EnumerateArray().Select(t => t.GetProperty("function").GetProperty("name").GetString()!.Replace("vgac-", "", StringComparison.Ordinal)))
        {
            Assert.Equal(Parameters(jit, tool).GetRawText(), Parameters(native, tool).GetRawText());
        }
    }

    [Fact]
    public async Task Native_Config_ShowsEveryDefault()
    {
        var run = await RunAsync(["config", "-o", "json"]);

        Assert.True(run.ExitCode == 0, run.ToString());
        using var json = JsonDocument.Parse(run.Out);
        var settings = json.RootElement.GetProperty("settings").EnumerateArray().ToDictionary(s => s.GetProperty("key").GetString()!, s => s.GetProperty("value").GetString());
        Assert.Equal("0.018", settings["Guards:BaselineEce"]);
        Assert.Equal("0.035", settings["Guards:Slo:MaxTailGap"]);
        Assert.True(settings.ContainsKey("Watch:Webhook:Url"));
    }

    [Fact]
    public async Task Native_Mcp_TypeScriptSdkClient_ListsAndCallsTools()
    {
        var folder = Path.Combine(TestPaths.RepoRoot, "tests", "mcp-client");
        Assert.SkipUnless(Directory.Exists(Path.Combine(folder, "node_modules", "@modelcontextprotocol", "sdk")), "the MCP client is not installed (npm ci --prefix tests/mcp-client)");

        var run = await ProgramRun.RunAsync("node", ["check.mjs", Program()], folder, TimeSpan.FromMinutes(3), Ct, Environment());

        Assert.True(run.ExitCode == 0, run.ToString());
        using var json = JsonDocument.Parse(run.Out);
        Assert.Equal(27, json.RootElement.GetProperty("tools").GetArrayLength());
        Assert.False(json.RootElement.GetProperty("calls").GetProperty("predictor").GetProperty("is_error").GetBoolean());
        Assert.True(json.RootElement.GetProperty("calls").GetProperty("bad_argument").GetProperty("is_error").GetBoolean());
    }

    [Fact]
    public async Task Native_Eval_BothPlannersAtTheBaseline()
    {
        foreach (var planner in new[] { "offline", "scripted" })
        {
            var run = await RunAsync(["eval", "--planner", planner, "--suites", Path.Combine(TestPaths.RepoRoot, "evals", "suites"),
                "--baseline", Path.Combine(TestPaths.RepoRoot, "evals", "baseline", "eval-report.json")]);

            Assert.True(run.ExitCode == 0, $"{planner}: {run}");
            Assert.Contains("guard compliance 100.0 %", run.Out, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Native_OneShotVgac_CarriesNoModelConnectorMcpServerWebServerOrEvalRunner_VgacFullDoes()
    {
        // Names the compiler keeps for each library's compiled types: absent from vgac, present in vgac-full (so the
        // probe can see them). A reference from the command library to a project of the full program brings them back.
        var oneShot = await File.ReadAllBytesAsync(Program(), Ct);
        var full = await File.ReadAllBytesAsync(FullProgramPath(), Ct);
        foreach (var library in Libraries)
        {
            var name = System.Text.Encoding.UTF8.GetBytes(library);
            Assert.True(full.AsSpan().IndexOf(name) >= 0, $"vgac-full has no '{library}': the probe sees nothing");
            Assert.True(oneShot.AsSpan().IndexOf(name) < 0, $"the one-shot vgac carries '{library}'");
        }

        Assert.True(oneShot.Length < full.Length * 0.8, $"vgac is {oneShot.Length / 1e6:F1} MB, vgac-full {full.Length / 1e6:F1} MB");
    }

    // The eval runner by its own type's name: YAML itself is in both (predict -f reads Kubernetes manifests).
    private static readonly string[] Libraries = ["Microsoft.SemanticKernel", "OpenAI.Chat", "ModelContextProtocol.Server", "Microsoft.AspNetCore.Server.Kestrel", "EvalRunner", "V1SelfSubjectAccessReview"];

    [Fact]
    public async Task Native_OneShotVgacAlone_RunsItsOwnCommandsAndHelp_AndNamesTheMissingFullProgram()
    {
        // vgac copied alone into a folder: what it carries runs and explains itself; what it hands over says which file is missing (exit 14).
        var folder = Vgac.Copilot.Testing.TestPaths.NewFolder("vgac-alone-");
        var alone = Path.Combine(folder, Path.GetFileName(Program()));
        File.Copy(Program(), alone);
        await using var sim = await SimulatorHost.StartAsync(new SimulatorOptions { Speed = 0 }, cancellationToken: Ct);

        var predict = await RunAsync(alone, ["predict", "--gpus", "2", "--vgac-url", sim.Url.ToString(), "-o", "json"]);
        var help = await RunAsync(alone, ["predict", "--help"]);
        var listed = await RunAsync(alone, ["--help"]);
        var chatHelp = await RunAsync(alone, ["chat", "--help"]);
        var ask = await RunAsync(alone, ["ask", "how busy is it?", "--vgac-url", sim.Url.ToString()]);
        var demo = await RunAsync(alone, ["predict", "--gpus", "2", "--demo"]);

        Assert.True(predict.ExitCode == 0, predict.ToString());
        using (var answer = JsonDocument.Parse(predict.Out))
        {
            Assert.True(answer.RootElement.TryGetProperty("probability_long_wait", out _), predict.Out);
        }

        Assert.True(help.ExitCode == 0 && help.Out.Contains("--gpus", StringComparison.Ordinal), help.ToString());
        Assert.True(listed.ExitCode == 0 && listed.Out.Contains("chat", StringComparison.Ordinal) && listed.Out.Contains("mcp", StringComparison.Ordinal), listed.ToString());
        // What it does not carry, it does not describe beyond the one line of the list: the help of chat is vgac-full's.
        Assert.True(chatHelp.ExitCode == ExitCodes.ProgramMissing, chatHelp.ToString());
        Assert.True(ask.ExitCode == ExitCodes.ProgramMissing, ask.ToString());
        Assert.Contains($"'ask' runs in the full program, which this install should have beside vgac: {Path.Combine(folder, "vgac-full")} is missing", ask.Error, StringComparison.Ordinal);
        Assert.True(demo.ExitCode == ExitCodes.ProgramMissing && demo.Error.Contains("'predict --demo'", StringComparison.Ordinal), demo.ToString());
    }

    [Fact]
    public async Task Native_HandedOverRun_SameOutputAndExitCodeAsTheJitBuild()
    {
        // eval runs in vgac-full: its failure (a folder that is not there) reaches the caller as the JIT build reports it.
        var missing = Path.Combine(Path.GetTempPath(), $"vgac-no-suites-{Guid.NewGuid():N}");
        string[] args = ["eval", "--planner", "offline", "--suites", missing];

        var native = await RunAsync(args);
        var jit = await CliHarness.RunAsync(args, cancellationToken: Ct);

        Assert.NotEqual(0, jit.ExitCode);
        Assert.Equal(jit.ExitCode, native.ExitCode);
        Assert.Equal(jit.Error.Trim(), native.Error.Trim());
        Assert.Equal(jit.Out.Trim(), native.Out.Trim());
    }

    [Fact]
    public async Task Native_DoctorWithTheKubernetesExecutor_IsHandedToVgacFull_WhichReachesTheApiServer()
    {
        // The one-shot vgac does not carry the Kubernetes client; a run that needs it runs in vgac-full, whole.
        var program = Program();
        await using var api = await FakeKubernetesApi.StartAsync(Ct);
        await using var sim = await SimulatorHost.StartAsync(new SimulatorOptions { Speed = 0 }, cancellationToken: Ct);
        var env = Environment();
        env["VGAC_EXECUTOR"] = "kubernetes";
        env["Watch__Kubernetes__Kubeconfig"] = api.WriteKubeconfig(Vgac.Copilot.Testing.TestPaths.NewFolder("vgac-native-kube-"));
        env["VGAC_API_BASE_URL"] = sim.Url.ToString();

        var doctor = await ProgramRun.RunAsync(program, ["doctor"], TestPaths.RepoRoot, TimeSpan.FromMinutes(2), Ct, env);
        var predict = await ProgramRun.RunAsync(program, ["predict", "--gpus", "2", "-o", "json"], TestPaths.RepoRoot, TimeSpan.FromMinutes(2), Ct, env);

        Assert.Contains("ok    executor     kubernetes: API server v1.32.0-fake", doctor.Out, StringComparison.Ordinal);
        Assert.True(predict.ExitCode == 0, predict.ToString());
        Assert.DoesNotContain(api.Token, doctor.Out + doctor.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Native_Chat_HandedOverAtATerminal_CtrlCCancelsOnlyTheAnswer()
    {
        // The one-shot vgac replaces itself with vgac-full: the terminal, Ctrl+C and the exit code are the REPL's.
        var program = Program();
        Assert.SkipUnless(TmuxSession.Available, "tmux is not installed (.ci/run installs it)");
        var data = Vgac.Copilot.Testing.TestPaths.NewFolder("vgac-native-pty-");
        var patience = TimeSpan.FromSeconds(60);

        await using var tmux = await TmuxSession.StartAsync([program, "chat", "--demo"], TerminalReplTests.Environment(data, latencyMs: 3000), data);
        await tmux.WaitForAsync(s => s.Contains("vgac[eks]>", StringComparison.Ordinal), patience, "the first prompt");
        await tmux.TypeAsync("why are jobs waiting?");
        await tmux.PressAsync("Enter");
        await tmux.WaitForAsync(s => s.Contains("⋯ observer_", StringComparison.Ordinal), patience, "the live tool line");
        await tmux.PressAsync("C-c");
        var cancelled = await tmux.WaitForAsync(s => s.Contains("(answer cancelled; the session goes on)", StringComparison.Ordinal), patience, "the cancelled answer");
        Assert.DoesNotContain("[exit", cancelled, StringComparison.Ordinal);
        await tmux.TypeAsync("exit");
        await tmux.PressAsync("Enter");
        await tmux.WaitForAsync(s => s.Contains("[exit 0]", StringComparison.Ordinal), patience, "the program to end");
    }

    private static string FullProgramPath()
    {
        var program = Path.Combine(Path.GetDirectoryName(Program())!, Hosting.OneShotHost.FileName);
        Assert.True(File.Exists(program), $"{Variable} has vgac but no {Hosting.OneShotHost.FileName} beside it");
        return program;
    }

    private static string Program()
    {
        var folder = System.Environment.GetEnvironmentVariable(Variable);
        Assert.SkipWhen(string.IsNullOrEmpty(folder), $"no native build to test: {Variable} is not set (.ci/run publishes one)");
        var program = Path.Combine(folder!, OperatingSystem.IsWindows() ? "vgac.exe" : "vgac");
        Assert.True(File.Exists(program), $"{Variable}={folder} has no vgac program in it");
        return program;
    }

    private static Dictionary<string, string> Environment() => new()
    {
        ["VGAC_DATA_DIR"] = Vgac.Copilot.Testing.TestPaths.NewFolder("vgac-native-"),
        ["VGAC_AUDIT_DB"] = Path.Combine(Vgac.Copilot.Testing.TestPaths.NewFolder("vgac-native-audit-"), "audit.db"),
    };

    private static Task<CliResult> RunAsync(string[] args) => RunAsync(Program(), args);

    private static Task<CliResult> RunAsync(string program, string[] args) =>
        ProgramRun.RunAsync(program, args, TestPaths.RepoRoot, TimeSpan.FromMinutes(5), Ct, Environment());
}
