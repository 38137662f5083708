using Microsoft.Extensions.Options;

namespace Vgac.Copilot.Core.Settings;

internal sealed class LlmOptionsValidator : IValidateOptions<LlmOptions>
{
    public ValidateOptionsResult Validate(string? name, LlmOptions o)
    {
        var failures = new List<string>();
        var provider = o.Provider.ToLowerInvariant();
        if (provider is not ("none" or "openai" or "azure-openai" or "openai-compatible"))
        {
            failures.Add($"Llm:Provider (VGAC_LLM_PROVIDER, --llm-provider) must be none, openai, azure-openai or openai-compatible, got '{o.Provider}'.");
        }

        if (o.IsConfigured)
        {
            if (string.IsNullOrWhiteSpace(o.Model))
            {
                failures.Add("Llm:Model (VGAC_LLM_MODEL, --llm-model) is required when a provider is set.");
            }

            if (provider is "azure-openai" or "openai-compatible" && !Uri.TryCreate(o.Endpoint, UriKind.Absolute, out _))
            {
                failures.Add($"Llm:Endpoint (VGAC_LLM_ENDPOINT, --llm-endpoint) must be an absolute URL for {provider}, got '{o.Endpoint}'.");
            }

            if (provider is "openai" or "azure-openai" && string.IsNullOrWhiteSpace(o.ApiKey))
            {
                failures.Add($"Llm:ApiKey (VGAC_LLM_API_KEY or OPENAI_API_KEY) is required for {provider}.");
            }
        }

        if (o.MaxToolCalls is < 1 or > 50)
        {
            failures.Add($"Llm:MaxToolCalls must be between 1 and 50, got {o.MaxToolCalls}.");
        }

        if (!(o.DeadlineSeconds is > 0 and <= 3600))
        {
            failures.Add($"Llm:DeadlineSeconds must be in (0, 3600], got {o.DeadlineSeconds}.");
        }

        if (o.MaxToolOutputChars < 500)
        {
            failures.Add($"Llm:MaxToolOutputChars must be at least 500, got {o.MaxToolOutputChars}.");
        }

        if (o.MaxContextTokens < 2_000)
        {
            failures.Add($"Llm:MaxContextTokens must be at least 2000 (the system prompt and one question with its tool results), got {o.MaxContextTokens}.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
