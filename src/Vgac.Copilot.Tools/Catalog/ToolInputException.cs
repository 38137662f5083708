namespace Vgac.Copilot.Tools.Catalog;

/// <summary>A tool argument the caller must change. Its message says which one and what was expected.</summary>
public sealed class ToolInputException(string message) : Exception(message);
