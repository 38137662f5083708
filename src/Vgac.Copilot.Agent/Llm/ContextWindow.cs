using Microsoft.SemanticKernel;
using Microsoft.SemanticKernel.ChatCompletion;

namespace Vgac.Copilot.Agent.Llm;

/// <summary>
/// Keeps a conversation inside <c>Llm:MaxContextTokens</c> (estimated at four characters a token) before each
/// question: first the tool results of earlier turns are cut to a short note (their answers, which quote what
/// mattered, stay), then the oldest turns go whole - a question with its tool calls and answer, so a tool result
/// never loses the call it answers. The system prompt always stays.
/// </summary>
internal static class ContextWindow
{
    /// <summary>Characters of an earlier turn's tool result kept when trimming.</summary>
    public const int KeptResultChars = 240;

    public static int EstimateTokens(ChatHistory history) => history.Sum(Chars) / 4;

    /// <summary>Trims <paramref name="history"/> in place; returns how many turns were dropped.</summary>
    public static int Fit(ChatHistory history, int maxTokens)
    {
        if (EstimateTokens(history) <= maxTokens)
        {
            return 0;
        }

        var lastTurn = TurnStarts(history).LastOrDefault(history.Count);
        for (var i = 1; i < lastTurn; i++)
        {
            ShortenResults(history[i]);
        }

        var dropped = 0;
        while (EstimateTokens(history) > maxTokens && TurnStarts(history).ToList() is { Count: > 1 } starts)
        {
            history.RemoveRange(starts[0], starts[1] - starts[0]);
            dropped++;
        }

        return dropped;
    }

    /// <summary>Where each turn begins: the index of every user message after the system prompt.</summary>
    private static IEnumerable<int> TurnStarts(ChatHistory history) =>
        history.Select((m, i) => (m, i)).Where(x => x.i > 0 && x.m.Role == AuthorRole.User).Select(x => x.i);

    private static void ShortenResults(ChatMessageContent message)
    {
        for (var i = 0; i < message.Items.Count; i++)
        {
            if (message.Items[i] is FunctionResultContent { Result: { } result } item && result.ToString() is { Length: > KeptResultChars } text)
            {
                message.Items[i] = new FunctionResultContent(item.FunctionName, item.PluginName, item.CallId,
                    text[..KeptResultChars] + $" …[older result trimmed: {text.Length - KeptResultChars} characters]");
            }
        }
    }

    private static int Chars(ChatMessageContent message) =>
        (message.Content?.Length ?? 0) + message.Items.Sum(item => item switch
        {
            FunctionResultContent r => r.Result?.ToString()?.Length ?? 0,
            FunctionCallContent c => c.FunctionName.Length + (c.Arguments?.Sum(a => a.Key.Length + (a.Value?.ToString()?.Length ?? 0)) ?? 0),
            _ => 0,
        });
}
