using System.Text.Json;
using Vgac.Copilot.Simulator;
using Vgac.Copilot.Simulator.Hosting;
using Vgac.Copilot.Testing;

namespace Vgac.Copilot.Cli.Tests;

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
        ["VGAC_DATA_DIR"] = Directory.CreateTempSubdirectory("vgac-native-").FullName,
        ["VGAC_AUDIT_DB"] = Path.Combine(Directory.CreateTempSubdirectory("vgac-native-audit-").FullName, "audit.db"),
    };

    private static Task<CliResult> RunAsync(string[] args) =>
        ProgramRun.RunAsync(Program(), args, TestPaths.RepoRoot, TimeSpan.FromMinutes(5), Ct, Environment());
}
