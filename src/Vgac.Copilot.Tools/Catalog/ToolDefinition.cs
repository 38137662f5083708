using Microsoft.Extensions.AI;

namespace Vgac.Copilot.Tools.Catalog;

/// <summary>One tool: its function (name, description, schema, body) and what it does to the world.</summary>
public sealed record ToolDefinition(AIFunction Function, string Toolset, string Title, bool IsAction, bool Destructive, bool Idempotent)
{
    public string Name => Function.Name;

    public string Description => Function.Description;

    /// <summary>The schema of the tool's result (null fields left out, so never required), for structured content.</summary>
    public System.Text.Json.JsonElement? OutputSchema { get; init; }

    /// <summary>Read tools change nothing anywhere.</summary>
    public bool ReadOnly => !IsAction;
}
