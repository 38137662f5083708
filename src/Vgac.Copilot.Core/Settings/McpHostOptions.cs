namespace Vgac.Copilot.Core.Settings;

/// <summary>What the MCP server exposes.</summary>
public sealed record McpHostOptions
{
    /// <summary>Tool groups to expose (observer, predictor, calibrator, actor); empty = all.</summary>
    public IReadOnlyCollection<string> Toolsets { get; init; } = [];

    /// <summary>List tools that can change something. Off by default: read-only.</summary>
    public bool AllowActions { get; init; }

    /// <summary>How this server's callers are known (recorded with every confirmation); null: not said.</summary>
    public string? Caller { get; init; }
}
