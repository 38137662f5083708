using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;
namespace Vgac.Copilot.Testing;

/// <summary>A scripted reply: either tool calls or text (sent in pieces).</summary>
public sealed record ChatReply(IReadOnlyList<(string Name, string Arguments)> ToolCalls, IReadOnlyList<string> TextPieces, TimeSpan? Delay = null)
{
    /// <summary>A model that takes this long to start answering (a hanging one, for deadlines).</summary>
    public static ChatReply Hang(TimeSpan delay) => new([], ["too late"], delay);

    public static ChatReply Call(string tool, string arguments = "{}") => new([("vgac-" + tool, arguments)], []);

    public static ChatReply Calls(params (string Tool, string Arguments)[] calls) => new([.. calls.Select(c => ("vgac-" + c.Tool, c.Arguments))], []);

    public static ChatReply Text(params string[] pieces) => new([], pieces);
}

/// <summary>
/// A real HTTP server that speaks the OpenAI chat-completions protocol (streaming, server-sent events) with
/// scripted replies, so the planner runs through the real Semantic Kernel OpenAI connector.
/// </summary>
public sealed class ScriptedChatServer : IAsyncDisposable
{
    private readonly ConcurrentQueue<ChatReply> _replies;
    private LoopbackServer _server = null!;

    private ScriptedChatServer(IEnumerable<ChatReply> replies) => _replies = new(replies);

    public Uri Endpoint => new(_server.BaseAddress, "v1");

    /// <summary>The request bodies the planner sent, in order.</summary>
    public IReadOnlyList<JsonDocument> Requests => [.. _server.Requests.Where(r => r.Path.EndsWith("/chat/completions", StringComparison.Ordinal)).Select(r => JsonDocument.Parse(r.Body))];

    public static async Task<ScriptedChatServer> StartAsync(IEnumerable<ChatReply> replies, CancellationToken cancellationToken)
    {
        var chat = new ScriptedChatServer(replies);
        chat._server = await LoopbackServer.StartAsync(chat.Answer, cancellationToken);
        return chat;
    }

    private ScriptedResponse Answer(RecordedRequest request)
    {
        if (!request.Path.EndsWith("/chat/completions", StringComparison.Ordinal))
        {
            return new ScriptedResponse(404);
        }

        var reply = _replies.TryDequeue(out var next) ? next : ChatReply.Text("(script exhausted)");
        var sse = new StringBuilder();
        void Chunk(object delta, string? finish) => sse.Append("data: ").Append(JsonSerializer.Serialize(new
        {
            id = "chatcmpl-1",
            @object = "chat.completion.chunk",
            created = 1_700_000_000,
            model = "scripted",
            choices = new[] { new { index = 0, delta, finish_reason = finish } },
        })).Append("\n\n");

        if (reply.ToolCalls.Count > 0)
        {
            Chunk(new
            {
                role = "assistant",
                tool_calls = reply.ToolCalls.Select((c, i) => new { index = i, id = $"call_{Guid.NewGuid():N}", type = "function", function = new { name = c.Name, arguments = c.Arguments } }).ToArray(),
            }, null);
            Chunk(new { }, "tool_calls");
        }
        else
        {
            Chunk(new { role = "assistant", content = "" }, null);
            foreach (var piece in reply.TextPieces)
            {
                Chunk(new { content = piece }, null);
            }

            Chunk(new { }, "stop");
        }

        sse.Append("data: ").Append(JsonSerializer.Serialize(new
        {
            id = "chatcmpl-1",
            @object = "chat.completion.chunk",
            created = 1_700_000_000,
            model = "scripted",
            choices = Array.Empty<object>(),
            usage = new { prompt_tokens = 120, completion_tokens = 30, total_tokens = 150 },
        })).Append("\n\ndata: [DONE]\n\n");
        return new ScriptedResponse(200, sse.ToString(), ContentType: "text/event-stream", Delay: reply.Delay);
    }

    public ValueTask DisposeAsync() => _server.DisposeAsync();
}
