namespace Vgac.Copilot.Tools.Catalog;

/// <summary>
/// Marks a plugin method as a tool and says what it does to the world. Name, description (the method's
/// <c>[Description]</c>) and parameters are read from the method itself: the one definition both faces use.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class VgacToolAttribute(string name) : Attribute
{
    public string Name { get; } = name;

    /// <summary>Short human title.</summary>
    public string Title { get; init; } = "";

    /// <summary>Can change something outside the copilot: hidden unless actions are allowed, and needs approval.</summary>
    public bool IsAction { get; init; }

    public bool Destructive { get; init; }

    public bool Idempotent { get; init; } = true;
}
