using System.IO.Pipelines;
using System.Text.Json;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Spectre.Console;
using Vgac.Copilot.Agent.Planning;
using Vgac.Copilot.Cli.Chat;
using Vgac.Copilot.Cli.Composition;
using Vgac.Copilot.Tools.Catalog;
using Vgac.Copilot.Testing;

namespace Vgac.Copilot.Cli.Tests;

public sealed class ChatAndAskTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Ask_Json_HasAnswerPlannerToolCallsAndLatency()
    {
        var result = await CliHarness.RunAsync(["ask", "--demo", "how busy is the cluster?", "--format", "json"], cancellationToken: Ct);

        Assert.True(result.ExitCode == ExitCodes.Success, result.ToString());
        using var json = JsonDocument.Parse(result.Out);
        var root = json.RootElement;
        Assert.Contains("GPUs free", root.GetProperty("answer").GetString(), StringComparison.Ordinal);
        Assert.Equal("offline", root.GetProperty("planner").GetString());
        Assert.Equal(JsonValueKind.Null, root.GetProperty("model").ValueKind);
        var call = root.GetProperty("tool_calls")[0];
        Assert.Equal("observer_cluster_summary", call.GetProperty("name").GetString());
        Assert.True(call.GetProperty("ok").GetBoolean());
        Assert.Equal(JsonValueKind.Object, call.GetProperty("arguments").ValueKind);
        Assert.True(call.TryGetProperty("verdict", out _));
        Assert.True(root.TryGetProperty("usage", out _));
        Assert.True(root.GetProperty("latency_ms").GetDouble() > 0);
    }

    [Fact]
    public async Task Ask_VgacUnreachable_ExplainsAndExitsUnavailable()
    {
        var result = await CliHarness.RunAsync(["ask", "--vgac-url", "http://127.0.0.1:1", "--timeout", "2", "how busy is the cluster?"], cancellationToken: Ct);

        Assert.Equal(ExitCodes.VgacUnavailable, result.ExitCode);
        Assert.Contains("could not get that from VGAC", result.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Ask_PredictionWithVgacDown_SaysTheRealCause_NotAnOpenCircuit()
    {
        // One question makes three calls (inventory, calibration, the prediction): a one-shot process has no breaker
        // to trip on the first two and hide why the third failed.
        var result = await CliHarness.RunAsync(["ask", "--vgac-url", "http://127.0.0.1:1", "--timeout", "2", "how long would 4 GPUs wait?"], cancellationToken: Ct);

        Assert.Contains("Connection refused", result.Out, StringComparison.Ordinal);
        Assert.DoesNotContain("too many recent failures", result.Out, StringComparison.Ordinal);
        Assert.Contains("fallback with no probability to show", result.Out, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("VGAC_LLM_PROVIDER", "skynet", "Llm:Provider")]
    [InlineData("VGAC_LLM_PROVIDER", "openai-compatible", "Llm:Model")]
    public async Task Ask_BadModelConfiguration_UsageErrorNamingTheSetting(string variable, string value, string setting)
    {
        var result = await CliHarness.RunAsync(["ask", "hello"], new Dictionary<string, string> { [variable] = value }, Ct);

        Assert.Equal(ExitCodes.UsageError, result.ExitCode);
        Assert.Contains(setting, result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Chat_ScriptedInput_AnswersRunsSlashCommandsAndExits()
    {
        var input = new StringReader("how busy is the cluster?\n/model\n/tools\n/clear\n/bogus\n/exit\nnever read\n");
        using var output = new StringWriter();
        var context = new CliContext(output, TextWriter.Null, new Dictionary<string, string> { ["VGAC_LOG_DIR"] = TestPaths.Logs }) { In = input, Host = Hosting.FullHost.Instance };

        var code = await CliApp.RunAsync(["chat", "--demo"], context, Ct);

        var text = output.ToString();
        Assert.Equal(ExitCodes.Success, code);
        Assert.Contains("planner offline", text, StringComparison.Ordinal);
        Assert.Contains("of 104 GPUs free", text, StringComparison.Ordinal);
        Assert.Contains("· observer_cluster_summary", text, StringComparison.Ordinal);
        Assert.Contains("GPUs free", text, StringComparison.Ordinal); // the cluster table's header
        Assert.Contains("predictor_what_if", text, StringComparison.Ordinal); // /tools
        Assert.Contains("conversation cleared", text, StringComparison.Ordinal);
        Assert.Contains("unknown command /bogus", text, StringComparison.Ordinal);
        Assert.EndsWith("bye" + Environment.NewLine, text, StringComparison.Ordinal);
        Assert.DoesNotContain("never read", text, StringComparison.Ordinal);
        // Not a terminal: plain columns, no box characters, nothing wrapped at 80 columns.
        Assert.DoesNotContain("─", text, StringComparison.Ordinal);
        Assert.DoesNotContain("│", text, StringComparison.Ordinal);
        var longest = text.Split('\n').Max(l => l.Length);
        Assert.True(longest > 80, $"the longest line is {longest} characters: something wrapped at 80");
        Assert.Contains("Compare variants of one job in one call, varying one field.", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Chat_FollowUps_KeepThePreviousJobSpec_UntilClear()
    {
        var result = await CliHarness.RunAsync(["chat", "--demo"], cancellationToken: Ct,
            input: "how long would 4 A100s wait in namespace ml-research?\nand with 8?\nwhat about priority 10?\n/clear\nand with 8?\nexit\n");

        Assert.True(result.ExitCode == ExitCodes.Success, result.ToString());
        Assert.Contains("For 4 GPU(s) (A100) in namespace ml-research at priority 0", result.Out, StringComparison.Ordinal);
        Assert.Contains("For 8 GPU(s) (A100) in namespace ml-research at priority 0", result.Out, StringComparison.Ordinal);
        Assert.Contains("For 8 GPU(s) (A100) in namespace ml-research at priority 10", result.Out, StringComparison.Ordinal);
        // The restated spec is grounded in what the tool was asked (no answer-check warning).
        Assert.DoesNotContain("not confirmed by the guards", result.Out, StringComparison.Ordinal);
        // After /clear there is nothing to follow up on: it asks for the job's size.
        Assert.Contains("how many GPUs?", result.Out[result.Out.LastIndexOf("conversation cleared", StringComparison.Ordinal)..], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Chat_CancelDuringAnAnswer_CancelsItAndKeepsTheSession()
    {
        var asked = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var vgac = await LoopbackServer.StartAsync(r =>
        {
            asked.TrySetResult();
            return new ScriptedResponse(Hang: true);
        }, Ct);
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Vgac:BaseUrl"] = vgac.BaseAddress.ToString(),
            ["Log:FileEnabled"] = "false",
            ["Log:ConsoleLevel"] = "none",
        }).Build();
        var collection = new ServiceCollection().AddCopilotServices(configuration);
        Hosting.FullHost.Instance.AddServices(collection);
        await using var services = collection.BuildServiceProvider();
        var pipe = new Pipe();
        using var input = new StreamReader(pipe.Reader.AsStream());
        await using var writer = new StreamWriter(pipe.Writer.AsStream()) { AutoFlush = true };
        using var output = new StringWriter();
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(output), Ansi = AnsiSupport.No, ColorSystem = ColorSystemSupport.NoColors });
        var chat = new ChatSession(services.GetRequiredService<IPlanner>(), services.GetRequiredService<ToolCatalog>(), services.GetRequiredService<AnswerChecker>(), console, input, vgac.BaseAddress.ToString());

        var run = chat.RunAsync(Ct);
        await writer.WriteLineAsync("how busy is the cluster?".AsMemory(), Ct);
        await asked.Task.WaitAsync(TimeSpan.FromSeconds(30), Ct);
        Assert.True(chat.CancelCurrent());
        await writer.WriteLineAsync("/exit".AsMemory(), Ct);
        var code = await run.WaitAsync(TimeSpan.FromSeconds(30), Ct);

        Assert.Equal(ExitCodes.Success, code);
        Assert.Contains("(answer cancelled; the session goes on)", output.ToString(), StringComparison.Ordinal);
        Assert.Contains("bye", output.ToString(), StringComparison.Ordinal);
    }
}
