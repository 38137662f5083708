using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;
using Vgac.Copilot.Tools.Catalog;

namespace Vgac.Copilot.Mcp;

/// <summary>
/// The prompts under <c>prompts/mcp/</c>, served as MCP prompts (diagnose a slow queue, plan a submission, review
/// calibration). A prompt that names a tool this server does not serve (its toolsets, actions off) is not listed.
/// </summary>
internal static class VgacMcpPrompts
{
    public static IEnumerable<McpServerPrompt> Create(IReadOnlySet<string> servedTools) =>
        PromptCatalog.Load("mcp").Where(p => ToolsNamed(p).All(servedTools.Contains)).Select(Prompt);

    /// <summary>The catalogue's tools a prompt's text tells the model to call.</summary>
    public static IEnumerable<string> ToolsNamed(PromptTemplate template) =>
        ToolNames.All.Where(name => System.Text.RegularExpressions.Regex.IsMatch(template.Body, $@"\b{name}\b"));

    private static McpServerPrompt Prompt(PromptTemplate template)
    {
        var arguments = template.Arguments.Select(a => new PromptArgument { Name = a, Description = Core.Jobs.JobSpecSchema.Find(a)?.Description ?? $"The {a.Replace('_', ' ')}.", Required = a == "gpus" }).ToList();
        return new TemplatePrompt(template, arguments);
    }

    /// <summary>A prompt whose messages are the rendered template; arguments not given render as neutral defaults.</summary>
    private sealed class TemplatePrompt(PromptTemplate template, IList<PromptArgument> arguments) : McpServerPrompt
    {
        public override Prompt ProtocolPrompt { get; } = new() { Name = template.Name, Description = template.RenderDescription(new Dictionary<string, string>()), Arguments = arguments };

        public override IReadOnlyList<object> Metadata => [];

        public override ValueTask<GetPromptResult> GetAsync(RequestContext<GetPromptRequestParams> request, CancellationToken cancellationToken = default)
        {
            var given = request.Params?.Arguments?.ToDictionary(kv => kv.Key, kv => kv.Value.ValueKind == System.Text.Json.JsonValueKind.String ? kv.Value.GetString()! : kv.Value.GetRawText())
                ?? [];
            var values = new Dictionary<string, string>(given)
            {
                ["namespace_clause"] = given.TryGetValue("namespace", out var ns) && ns.Length > 0 ? $" in namespace {ns}" : "",
            };
            values.TryAdd("namespace", "default");
            values.TryAdd("gpus", "1");
            var text = template.Render(values);
            return ValueTask.FromResult(new GetPromptResult
            {
                Description = template.RenderDescription(values),
                Messages = [new PromptMessage { Role = Role.User, Content = new TextContentBlock { Text = text } }],
            });
        }
    }
}
