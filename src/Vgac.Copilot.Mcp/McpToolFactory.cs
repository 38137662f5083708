using Microsoft.Extensions.AI;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;
using Vgac.Copilot.Tools.Catalog;

namespace Vgac.Copilot.Mcp;

/// <summary>An MCP tool from a catalogue entry: same function, same name, description and schema, honest annotations.</summary>
public static class McpToolFactory
{
    public static McpServerTool Create(ToolDefinition tool) => McpServerTool.Create(new ToolErrorAsMcpResult(tool.Function), new McpServerToolCreateOptions
    {
        Name = tool.Name,
        Description = tool.Description,
        ReadOnly = tool.ReadOnly,
        // The spec gives these two meaning only for tools that change something; a read tool leaves them out (they
        // would cost every request tokens and say nothing).
        Destructive = tool.ReadOnly ? null : tool.Destructive,
        Idempotent = tool.ReadOnly ? null : tool.Idempotent,
        // Every tool reaches VGAC, a system outside the copilot.
        OpenWorld = true,
        SerializerOptions = PluginJson.Options,
        // Results as structured content beside the text, described by an output schema (MCP 2025-06-18).
        UseStructuredContent = tool.OutputSchema is not null,
        OutputSchema = tool.OutputSchema,
    });

    /// <summary>A tool error becomes an MCP result with <c>isError: true</c> and the plain sentence as its text.</summary>
    private sealed class ToolErrorAsMcpResult(AIFunction inner) : DelegatingAIFunction(inner)
    {
        protected override async ValueTask<object?> InvokeCoreAsync(AIFunctionArguments arguments, CancellationToken cancellationToken)
        {
            var result = await base.InvokeCoreAsync(arguments, cancellationToken).ConfigureAwait(false);
            return result is ErrorContent error
                ? new CallToolResult { IsError = true, Content = [new TextContentBlock { Text = error.Message }] }
                : result;
        }
    }
}
