namespace Vgac.Copilot.Agent.Planning;

/// <summary>One tool call made while answering: what was asked, whether it worked, and the verdict it carried.</summary>
public sealed record ToolCallRecord(string Name, IReadOnlyDictionary<string, object?> Arguments, bool Ok, string? Verdict, double DurationMs, string Result, string? ErrorCode = null);

/// <summary>Tokens a model used, when one was used.</summary>
public sealed record TokenUsage(int InputTokens, int OutputTokens);

/// <summary>An answer and everything it rests on; <c>Limit</c> names the limit the question stopped at (<c>tool_budget</c>, <c>deadline</c>), if it did.</summary>
public sealed record PlannerAnswer(string Answer, string Planner, string? Model, IReadOnlyList<ToolCallRecord> ToolCalls, TokenUsage? Usage, double LatencyMs, bool Understood = true,
    string? Limit = null);

/// <summary>The model did not finish within the question's deadline (<c>Llm:DeadlineSeconds</c>).</summary>
public sealed class PlannerDeadlineException(string message) : Exception(message);

/// <summary>Answers questions about the cluster with the catalogue's tools, inside the guards.</summary>
public interface IPlanner
{
    /// <summary><c>offline</c> or <c>llm</c>.</summary>
    string Kind { get; }

    /// <summary>The model in use, or null for the offline planner.</summary>
    string? Model { get; }

    Task<PlannerAnswer> AskAsync(string question, CancellationToken cancellationToken = default);

    /// <summary>Forgets the conversation so far.</summary>
    void Reset();
}
