using System.Diagnostics;
using Vgac.Copilot.Client;

namespace Vgac.Copilot.Agent.Planning;

/// <summary>A question's span and its counts (questions by planner and outcome, tokens, estimated cost, tool calls), for either planner.</summary>
internal static class PlannerTelemetry
{
    public static Activity? Start(string planner, string? model)
    {
        var activity = CopilotTelemetry.Source.StartActivity("planner question");
        activity?.SetTag("vgac.planner", planner);
        activity?.SetTag("gen_ai.request.model", model);
        return activity;
    }

    /// <summary>Counts a finished question; <paramref name="outcome"/> is <c>answered</c>, <c>not_understood</c>, or the limit it stopped at.</summary>
    public static void Answered(Activity? activity, string planner, string outcome, int toolCalls, TokenUsage? usage, double inputCostPerMillion = 0, double outputCostPerMillion = 0)
    {
        activity?.SetTag("vgac.outcome", outcome);
        activity?.SetTag("vgac.tool_calls", toolCalls);
        var by = new KeyValuePair<string, object?>("vgac.planner", planner);
        CopilotTelemetry.PlannerQuestions.Add(1, by, new("vgac.outcome", outcome));
        CopilotTelemetry.PlannerToolCalls.Record(toolCalls, by);
        if (usage is { } tokens)
        {
            activity?.SetTag("gen_ai.usage.input_tokens", tokens.InputTokens);
            activity?.SetTag("gen_ai.usage.output_tokens", tokens.OutputTokens);
            CopilotTelemetry.PlannerTokens.Add(tokens.InputTokens, by, new("gen_ai.token.type", "input"));
            CopilotTelemetry.PlannerTokens.Add(tokens.OutputTokens, by, new("gen_ai.token.type", "output"));
            var cost = (tokens.InputTokens * inputCostPerMillion + tokens.OutputTokens * outputCostPerMillion) / 1_000_000;
            if (cost > 0)
            {
                CopilotTelemetry.PlannerCost.Add(cost, by);
            }
        }
    }
}
