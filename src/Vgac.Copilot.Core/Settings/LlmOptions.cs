namespace Vgac.Copilot.Core.Settings;

/// <summary>Which model answers, and the limits every question runs under. Bound from the <c>Llm</c> section.</summary>
public sealed class LlmOptions
{
    public const string SectionName = "Llm";

    /// <summary><c>none</c> (the offline planner), <c>openai</c>, <c>azure-openai</c> or <c>openai-compatible</c>.</summary>
    public string Provider { get; set; } = "none";

    /// <summary>Chat-completions base URL (<c>VGAC_LLM_ENDPOINT</c>), e.g. http://localhost:11434/v1 for Ollama.</summary>
    public string? Endpoint { get; set; }

    /// <summary>Model or deployment name (<c>VGAC_LLM_MODEL</c>).</summary>
    public string? Model { get; set; }

    /// <summary><c>VGAC_LLM_API_KEY</c>, or <c>OPENAI_API_KEY</c>. Never logged.</summary>
    public string? ApiKey { get; set; }

    public int MaxToolCalls { get; set; } = 8;

    public double DeadlineSeconds { get; set; } = 90;

    /// <summary>Tool results longer than this are cut (with a note) before the model sees them.</summary>
    public int MaxToolOutputChars { get; set; } = 6000;

    /// <summary>
    /// The conversation's budget in tokens (about four characters each), system prompt included: before each
    /// question older tool results are trimmed and the oldest turns dropped to stay under it. The tool catalogue
    /// is sent beside it on every request.
    /// </summary>
    public int MaxContextTokens { get; set; } = 24_000;

    /// <summary>Expose action tools to the model (each still needs the guards and a person's confirmation).</summary>
    public bool AllowActions { get; set; }

    /// <summary>Price per million input tokens, for cost in eval reports (0 = not priced).</summary>
    public double InputCostPerMillionTokens { get; set; }

    public double OutputCostPerMillionTokens { get; set; }

    public bool IsConfigured => !string.Equals(Provider, "none", StringComparison.OrdinalIgnoreCase) && !string.IsNullOrWhiteSpace(Provider);
}
