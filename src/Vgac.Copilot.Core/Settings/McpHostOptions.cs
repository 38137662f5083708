namespace Vgac.Copilot.Core.Settings;

/// <summary>What the MCP server exposes.</summary>
public sealed record McpHostOptions
{
    /// <summary>Tool groups to expose (observer, predictor, calibrator, actor); empty = all.</summary>
    public IReadOnlyCollection<string> Toolsets { get; init; } = [];

    /// <summary>The only tools to serve (<c>--tools</c>, <c>Mcp:Tools</c>), within the toolsets; empty = all of them.</summary>
    public IReadOnlyCollection<string> Tools { get; init; } = [];

    /// <summary>Tools never to serve (<c>--exclude-tools</c>, <c>Mcp:ExcludeTools</c>), whatever else is set.</summary>
    public IReadOnlyCollection<string> ExcludeTools { get; init; } = [];

    private readonly bool _allowActions;

    /// <summary>
    /// List tools that can change something. Off by default; never while <see cref="ReadOnly"/> is set, whatever was
    /// asked for, so no host can serve an action tool on a read-only server.
    /// </summary>
    public bool AllowActions
    {
        get => _allowActions && !ReadOnly;
        init => _allowActions = value;
    }

    /// <summary>
    /// Serve only tools whose annotations say read-only (<c>--read-only</c>, <c>Mcp:ReadOnly</c>): it wins over
    /// <see cref="AllowActions"/> and everything else.
    /// </summary>
    public bool ReadOnly { get; init; }

    /// <summary>Whether action tools were asked for and <see cref="ReadOnly"/> took them away (said at start).</summary>
    public bool ActionsWithheld => _allowActions && ReadOnly;

    /// <summary>How this server's callers are known (recorded with every confirmation); null: not said.</summary>
    public string? Caller { get; init; }
}
