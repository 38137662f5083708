using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Vgac.Copilot.Agent;
using Vgac.Copilot.Tools.Catalog;
using Vgac.Copilot.Simulator;
using Vgac.Copilot.Simulator.Hosting;

namespace Vgac.Copilot.Tools.Tests;

public sealed class CatalogueTests(CatalogueTests.Fixture fixture) : IClassFixture<CatalogueTests.Fixture>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public void Catalogue_IsExactlyTheNamedTools_InOrder()
    {
        var catalog = fixture.Mcp.Services.GetRequiredService<ToolCatalog>();

        Assert.Equal(ToolNames.All, catalog.All.Select(t => t.Name));
        Assert.Equal(
        [
            "observer_cluster_summary", "observer_quick_summary", "observer_nodes", "observer_bifurcation", "observer_slurm_status", "observer_slurm_queue",
            "observer_capacity_forecast", "observer_job_queue", "observer_jobs", "observer_job_details", "observer_job_history", "observer_history_stats",
            "observer_failure_patterns", "observer_anomalies", "predictor_predict_wait", "predictor_what_if", "predictor_predict_batch", "predictor_pending_jobs",
            "predictor_predict_jobs", "predictor_cluster_state", "predictor_service_stats", "calibrator_status", "calibrator_live_audit", "calibrator_tier_verdict",
            "actor_recommend_policy", "actor_admission_preview", "actor_propose_action", "actor_apply_action",
        ], ToolNames.All);
        Assert.All(catalog.All, t => Assert.Matches("^(observer|predictor|calibrator|actor)_[a-z_]+$", t.Name));
        Assert.Equal(["actor_apply_action"], catalog.All.Where(t => t.IsAction).Select(t => t.Name));
    }

    [Fact]
    public void EveryParameter_HasADescription()
    {
        foreach (var tool in fixture.Mcp.Services.GetRequiredService<ToolCatalog>().All)
        {
            Assert.False(string.IsNullOrWhiteSpace(tool.Description), tool.Name);
            foreach (var property in tool.Function.JsonSchema.GetProperty("properties").EnumerateObject())
            {
                Assert.True(property.Value.TryGetProperty("description", out _), $"{tool.Name}.{property.Name} has no description");
            }
        }
    }

    [Fact]
    public void JobSpecArguments_UseTheOneSchema_NamesTypesAndMeanings()
    {
        var tools = fixture.Mcp.Services.GetRequiredService<ToolCatalog>().All.ToDictionary(t => t.Name);
        static string JsonType(Core.Jobs.JobFieldKind kind) => kind switch
        {
            Core.Jobs.JobFieldKind.WholeNumber => "integer",
            Core.Jobs.JobFieldKind.Number => "number",
            Core.Jobs.JobFieldKind.Flag => "boolean",
            _ => "string",
        };

        // predictor_predict_wait takes every field, described as the schema describes it.
        var wait = tools[ToolNames.PredictorPredictWait].Function.JsonSchema.GetProperty("properties");
        Assert.Equal(Core.Jobs.JobSpecSchema.Names, wait.EnumerateObject().Select(p => p.Name));
        // The batch tool's jobs are the schema itself, item by item (described once, on predictor_predict_wait).
        var items = tools[ToolNames.PredictorPredictBatch].Function.JsonSchema.GetProperty("properties").GetProperty("jobs").GetProperty("items").GetProperty("properties");
        Assert.Equal(Core.Jobs.JobSpecSchema.Names, items.EnumerateObject().Select(p => p.Name));
        foreach (var field in Core.Jobs.JobSpecSchema.Fields)
        {
            Assert.Equal(field.Description, wait.GetProperty(field.Name).GetProperty("description").GetString());
            Assert.Equal(JsonType(field.Kind), items.GetProperty(field.Name).GetProperty("type").GetString());
        }

        // Any tool argument named like a field is that field: the same JSON type (no cpu in cores, no memory_gib).
        foreach (var tool in tools.Values)
        {
            foreach (var property in tool.Function.JsonSchema.GetProperty("properties").EnumerateObject())
            {
                if (Core.Jobs.JobSpecSchema.Find(property.Name) is { } field)
                {
                    Assert.True(JsonType(field.Kind) == property.Value.GetProperty("type").GetString(), $"{tool.Name}.{property.Name}");
                }

                Assert.DoesNotContain(property.Name, new[] { "cpu", "memory_gib", "is_distributed", "estimated_duration_minutes" });
            }
        }
    }

    [Fact]
    public async Task McpToolList_ReadOnlyByDefault_WithHonestAnnotations()
    {
        var tools = await fixture.Mcp.Client.ListToolsAsync(cancellationToken: Ct);

        Assert.Equal(ToolNames.All.Where(n => n != ToolNames.ActorApplyAction), tools.Select(t => t.Name));
        Assert.All(tools, t =>
        {
            Assert.True(t.ProtocolTool.Annotations!.ReadOnlyHint);
            Assert.True(t.ProtocolTool.Annotations.OpenWorldHint);

            // Meaningful only for a tool that changes something (MCP spec), so a read tool leaves them out.
            Assert.Null(t.ProtocolTool.Annotations.DestructiveHint);
            Assert.Null(t.ProtocolTool.Annotations.IdempotentHint);
        });
    }

    [Fact]
    public async Task McpToolList_WithActions_ListsTheActionToolAsNotReadOnly()
    {
        await using var mcp = await McpTestHost.StartAsync(fixture.Simulator.Url, new Core.Settings.McpHostOptions { AllowActions = true }, cancellationToken: Ct);

        var tools = await mcp.Client.ListToolsAsync(cancellationToken: Ct);

        var apply = Assert.Single(tools, t => t.Name == ToolNames.ActorApplyAction);
        Assert.False(apply.ProtocolTool.Annotations!.ReadOnlyHint);
        Assert.False(apply.ProtocolTool.Annotations.IdempotentHint);
        Assert.False(apply.ProtocolTool.Annotations.DestructiveHint);
        Assert.Equal(ToolNames.All.Count, tools.Count);
    }

    [Fact]
    public async Task McpToolList_ReadOnlyWithActionsAllowed_ReadOnlyWins()
    {
        var options = new Core.Settings.McpHostOptions { AllowActions = true, ReadOnly = true, Toolsets = ["actor", "predictor"] };
        await using var mcp = await McpTestHost.StartAsync(fixture.Simulator.Url, options, cancellationToken: Ct);

        var tools = await mcp.Client.ListToolsAsync(cancellationToken: Ct);

        Assert.False(options.AllowActions);
        Assert.True(options.ActionsWithheld);
        Assert.NotEmpty(tools);
        Assert.All(tools, t => Assert.True(t.ProtocolTool.Annotations?.ReadOnlyHint, $"{t.Name} is served on a read-only server"));
        Assert.DoesNotContain(tools, t => t.Name == ToolNames.ActorApplyAction);
    }

    [Fact]
    public async Task McpToolList_AllowAndDenyLists_ServeTheAllowedMinusTheDenied_WithinTheToolsets()
    {
        var options = new Core.Settings.McpHostOptions
        {
            Toolsets = ["observer", "predictor"],
            Tools = [ToolNames.ObserverNodes, ToolNames.PredictorPredictWait, ToolNames.PredictorWhatIf, ToolNames.CalibratorStatus],
            ExcludeTools = [ToolNames.PredictorWhatIf],
        };
        await using var mcp = await McpTestHost.StartAsync(fixture.Simulator.Url, options, cancellationToken: Ct);

        var tools = await mcp.Client.ListToolsAsync(cancellationToken: Ct);

        Assert.Equal([ToolNames.ObserverNodes, ToolNames.PredictorPredictWait], tools.Select(t => t.Name));
        Assert.StartsWith("These tools read VGAC", mcp.Client.ServerInstructions, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ToolCall_IsLoggedWithCallerClientOutcomeAndMaskedArguments_AndAProposalCallGoesIntoTheTrail()
    {
        await using var mcp = await McpTestHost.StartAsync(fixture.Simulator.Url, cancellationToken: Ct);
        using var queue = JsonDocument.Parse((await mcp.CallAsync(ToolNames.ObserverJobQueue, new() { ["limit"] = 1 }, Ct)).Text());
        Assert.True(queue.RootElement.GetProperty("jobs").GetArrayLength() > 0, "the simulated queue is empty at this hour");
        var job = queue.RootElement.GetProperty("jobs")[0].GetProperty("job_id").GetString()!;

        await mcp.CallAsync(ToolNames.PredictorPredictWait, new() { ["gpus"] = 2, ["namespace"] = McpTestHost.Secret }, Ct);
        await mcp.CallAsync(ToolNames.ActorProposeAction, new() { ["job_id"] = job, ["tier"] = 1 }, Ct);

        var calls = mcp.Logs.GetSnapshot().Where(r => r.Id.Id == 4101).Select(r => r.Message).ToList();
        var predict = Assert.Single(calls, c => c.StartsWith($"MCP tool call {ToolNames.PredictorPredictWait} ", StringComparison.Ordinal));
        Assert.Contains("via vgac-tests 1.0 (session stdio): ok", predict, StringComparison.Ordinal);
        Assert.Contains("\"namespace\":\"***\"", predict, StringComparison.Ordinal);
        Assert.DoesNotContain(McpTestHost.Secret, string.Join("\n", calls), StringComparison.Ordinal);
        var trail = await mcp.Services.GetRequiredService<Audit.AuditStore>().QueryAsync(kind: Audit.AuditKind.ToolCall, cancellationToken: Ct);
        var record = Assert.Single(trail);
        Assert.Equal(job, record.JobId);
        Assert.StartsWith($"{ToolNames.ActorProposeAction} by ", record.Summary, StringComparison.Ordinal);
        Assert.Contains(" via vgac-tests 1.0: ok (", record.Summary, StringComparison.Ordinal);
    }

    [Fact]
    public async Task McpToolList_ToolsetFilter_KeepsOnlyThoseGroups()
    {
        await using var mcp = await McpTestHost.StartAsync(fixture.Simulator.Url, new Core.Settings.McpHostOptions { Toolsets = ["calibrator", "predictor"] }, cancellationToken: Ct);

        var tools = await mcp.Client.ListToolsAsync(cancellationToken: Ct);

        Assert.Equal(ToolNames.All.Where(n => n.StartsWith("calibrator_", StringComparison.Ordinal) || n.StartsWith("predictor_", StringComparison.Ordinal)), tools.Select(t => t.Name));
    }

    [Fact]
    public async Task Prompts_DescribedWithoutHoles_AndOnlyThoseWhoseToolsAreServed()
    {
        await using var all = await McpTestHost.StartAsync(fixture.Simulator.Url, cancellationToken: Ct);
        await using var calibratorOnly = await McpTestHost.StartAsync(fixture.Simulator.Url, new Core.Settings.McpHostOptions { Toolsets = ["calibrator"] }, cancellationToken: Ct);

        var prompts = await all.Client.ListPromptsAsync(cancellationToken: Ct);
        var narrow = await calibratorOnly.Client.ListPromptsAsync(cancellationToken: Ct);

        Assert.Equal(["diagnose_slow_queue", "plan_job_submission", "review_calibration"], prompts.Select(p => p.Name).Order(StringComparer.Ordinal));
        Assert.All(prompts, p => Assert.DoesNotMatch(@"\{\{|  |\s[.,]", p.Description!));
        Assert.Equal("GPUs requested.", prompts.Single(p => p.Name == "plan_job_submission").ProtocolPrompt.Arguments!.Single(a => a.Name == "gpus").Description);
        // review_calibration names only calibrator tools; the others need observer and predictor tools.
        Assert.Equal(["review_calibration"], narrow.Select(p => p.Name));
        var plan = await all.Client.GetPromptAsync("plan_job_submission", new Dictionary<string, object?> { ["gpus"] = 8 }, cancellationToken: Ct);
        Assert.Contains("8 GPUs in namespace default", ((ModelContextProtocol.Protocol.TextContentBlock)plan.Messages[0].Content).Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Tools_ReturnStructuredContent_DescribedByAnOutputSchema()
    {
        await using var mcp = await McpTestHost.StartAsync(fixture.Simulator.Url, cancellationToken: Ct);

        var tools = await mcp.Client.ListToolsAsync(cancellationToken: Ct);
        var result = await mcp.CallAsync(ToolNames.PredictorPredictWait, new Dictionary<string, object?> { ["gpus"] = 2 }, Ct);

        Assert.All(tools, t => Assert.Equal(JsonValueKind.Object, t.ProtocolTool.OutputSchema?.ValueKind ?? JsonValueKind.Undefined));
        var schema = tools.Single(t => t.Name == ToolNames.PredictorPredictWait).ProtocolTool.OutputSchema!.Value;
        Assert.True(schema.GetProperty("properties").TryGetProperty("shown_as", out _));
        Assert.True(result.IsError is not true, result.Text());
        var structured = result.StructuredContent!.Value;
        Assert.InRange(structured.GetProperty("confidence").GetDouble(), 0, 1);
        Assert.Equal(structured.GetProperty("shown_as").GetString(), JsonDocument.Parse(result.Text()).RootElement.GetProperty("shown_as").GetString());
    }

    [Fact]
    public async Task Completion_PromptArguments_ComeFromVgacAndMatchWhatIsTyped()
    {
        await using var mcp = await McpTestHost.StartAsync(fixture.Simulator.Url, cancellationToken: Ct);
        var reference = new ModelContextProtocol.Protocol.PromptReference { Name = "plan_job_submission" };

        var namespaces = await mcp.Client.CompleteAsync(reference, "namespace", "", cancellationToken: Ct);
        var gpus = await mcp.Client.CompleteAsync(reference, "gpus", "1", cancellationToken: Ct);
        var unknown = await mcp.Client.CompleteAsync(new ModelContextProtocol.Protocol.PromptReference { Name = "no_such_prompt" }, "arg1", "x", cancellationToken: Ct);

        Assert.NotEmpty(namespaces.Completion.Values);
        var first = namespaces.Completion.Values[0];
        var narrowed = await mcp.Client.CompleteAsync(reference, "namespace", first[..2], cancellationToken: Ct);
        Assert.All(narrowed.Completion.Values, v => Assert.StartsWith(first[..2], v, StringComparison.OrdinalIgnoreCase));
        Assert.Contains(first, narrowed.Completion.Values);
        Assert.Equal(["1", "16"], gpus.Completion.Values);
        Assert.Empty(unknown.Completion.Values);
    }

    [Fact]
    public async Task Parity_SemanticKernelAndMcp_SameNamesDescriptionsAndSchemas()
    {
        await using var mcp = await McpTestHost.StartAsync(fixture.Simulator.Url, new Core.Settings.McpHostOptions { AllowActions = true }, cancellationToken: Ct);
        var mcpTools = (await mcp.Client.ListToolsAsync(cancellationToken: Ct)).ToDictionary(t => t.Name);
        var kernelFunctions = KernelTools.CreatePlugins(mcp.Services.GetRequiredService<ToolCatalog>(), allowActions: true).SelectMany(p => p).ToList();

        Assert.Equal(mcpTools.Keys.Order(), kernelFunctions.Select(f => f.Name).Order());
        foreach (var function in kernelFunctions)
        {
            var tool = mcpTools[function.Name].ProtocolTool;
            Assert.Equal(tool.Description, function.Description);
            Assert.Equal(KernelTools.PluginName, function.PluginName);

            // What Semantic Kernel tells the model: each parameter's schema and whether it is required.
            var properties = new JsonObject();
            foreach (var parameter in function.Metadata.Parameters)
            {
                properties[parameter.Name] = JsonNode.Parse(parameter.Schema!.ToString());
            }

            var kernelSchema = new JsonObject
            {
                ["type"] = "object",
                ["properties"] = properties,
                ["required"] = new JsonArray([.. function.Metadata.Parameters.Where(p => p.IsRequired).Select(p => (JsonNode)p.Name)]),
            };
            var mcpSchema = JsonNode.Parse(tool.InputSchema.GetRawText())!.AsObject();
            mcpSchema.TryAdd("required", new JsonArray());
            Assert.True(JsonNode.DeepEquals(mcpSchema, kernelSchema), $"{function.Name}: MCP {mcpSchema.ToJsonString()} vs SK {kernelSchema.ToJsonString()}");
        }
    }

    [Fact]
    public async Task Catalogue_FitsInUnder3000Tokens()
    {
        await using var mcp = await McpTestHost.StartAsync(fixture.Simulator.Url, new Core.Settings.McpHostOptions { AllowActions = true }, cancellationToken: Ct);
        var list = await mcp.Client.ListToolsAsync(new ModelContextProtocol.Protocol.ListToolsRequestParams(), Ct);

        // What a model is shown of each tool (the output schemas are for the client, to read structured results):
        // name, description, input schema and annotations, at ~4 bytes per token for English and JSON.
        var shown = list.Tools.Select(t => new ModelContextProtocol.Protocol.Tool { Name = t.Name, Description = t.Description, InputSchema = t.InputSchema, Annotations = t.Annotations }).ToList();
        var bytes = JsonSerializer.SerializeToUtf8Bytes(shown, ModelContextProtocol.McpJsonUtilities.DefaultOptions).Length;
        Assert.True(bytes / 4 < 3000, $"catalogue is {bytes} bytes, about {bytes / 4} tokens");

        // The output schemas stay proportionate too: one per tool, well under what the results themselves weigh.
        var outputs = list.Tools.Sum(t => t.OutputSchema?.GetRawText().Length ?? 0);
        Assert.True(outputs / 4 < 8000, $"output schemas are about {outputs / 4} tokens");
    }

    public sealed class Fixture : IAsyncLifetime
    {
        public SimulatorHost Simulator { get; private set; } = null!;

        public McpTestHost Mcp { get; private set; } = null!;

        public async ValueTask InitializeAsync()
        {
            Simulator = await SimulatorHost.StartAsync(new SimulatorOptions { Speed = 0 });
            Mcp = await McpTestHost.StartAsync(Simulator.Url);
        }

        public async ValueTask DisposeAsync()
        {
            await Mcp.DisposeAsync();
            await Simulator.DisposeAsync();
        }
    }
}
