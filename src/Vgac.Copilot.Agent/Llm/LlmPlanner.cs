using System.Diagnostics;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.SemanticKernel;
using Microsoft.SemanticKernel.ChatCompletion;
using Microsoft.SemanticKernel.Connectors.OpenAI;
using Vgac.Copilot.Agent.Offline;
using Vgac.Copilot.Agent.Planning;
using Vgac.Copilot.Tools.Catalog;
using Vgac.Copilot.Core.Settings;

namespace Vgac.Copilot.Agent.Llm;

/// <summary>
/// The planner with a model: Semantic Kernel's OpenAI connector (OpenAI, Azure OpenAI's v1 endpoint, or any
/// OpenAI-compatible server) with automatic function calling over the catalogue's tools, under
/// <see cref="QuestionBudget"/>. The system prompt is <c>prompts/planner/system.md</c>.
/// </summary>
public sealed class LlmPlanner : IPlanner
{
    private readonly Kernel _kernel;
    private readonly QuestionBudget _budget;
    private readonly IChatCompletionService _chat;
    private readonly string _systemPrompt;
    private readonly int _maxContextTokens;
    private readonly (double Input, double Output) _prices;
    private ChatHistory _history;
    private readonly OfflinePlanner? _fallback;
    private PlannerAnswer? _fellBack;

    /// <summary>How an answer the offline planner gave instead is marked (<c>ask --format json</c>'s <c>planner</c>).</summary>
    public const string FallbackKind = "offline (model made no tool call)";

    /// <summary>
    /// The planner over the catalogue's tools with the model the options name. A question that needs the cluster's
    /// data and gets no tool call from the model is answered by <c>fallback</c> (the offline planner), when given:
    /// small local models often do not call tools.
    /// </summary>
    // Semantic Kernel's OpenAI connector reads a tool call's arguments into KernelArguments with reflection-based JSON: a
    // native build keeps what that needs.
    [System.Diagnostics.CodeAnalysis.DynamicDependency(System.Diagnostics.CodeAnalysis.DynamicallyAccessedMemberTypes.All, typeof(KernelArguments))]
    public LlmPlanner(LlmOptions options, ToolCatalog catalog, TimeProvider time, string clusterName, HttpClient? http = null, ToolActivity? activity = null, OfflinePlanner? fallback = null)
    {
        _fallback = fallback;
        Model = options.Model!;
        _prices = (options.InputCostPerMillionTokens, options.OutputCostPerMillionTokens);
        _maxContextTokens = options.MaxContextTokens;
        var builder = Kernel.CreateBuilder();
        var provider = options.Provider.ToLowerInvariant();
        if (provider == "openai")
        {
            builder.AddOpenAIChatCompletion(options.Model!, options.ApiKey!, httpClient: http);
        }
        else
        {
            // Azure OpenAI's v1 endpoint and every OpenAI-compatible server take the same client with a base URL.
            builder.AddOpenAIChatCompletion(options.Model!, new Uri(options.Endpoint!), string.IsNullOrEmpty(options.ApiKey) ? "none" : options.ApiKey, httpClient: http);
        }

        _budget = new QuestionBudget(options, time, activity);
        builder.Services.AddSingleton<IAutoFunctionInvocationFilter>(_budget);
        _kernel = builder.Build();
        _kernel.Plugins.AddRange(KernelTools.CreatePlugins(catalog, allowActions: options.AllowActions));
        _chat = _kernel.GetRequiredService<IChatCompletionService>();
        var template = PromptCatalog.Parse(Path.Combine(PromptCatalog.Root, "planner", "system.md"));
        _systemPrompt = template.Render(new Dictionary<string, string>
        {
            ["cluster"] = clusterName,
            ["now"] = time.GetUtcNow().ToString("u", CultureInfo.InvariantCulture),
        });
        _history = NewHistory();
    }

    public string Kind => "llm";

    public string? Model { get; }

    public void Reset() => _history = NewHistory();

    /// <summary>Puts an earlier exchange back into the conversation (a resumed REPL session).</summary>
    public void Remember(string question, string answer)
    {
        _history.AddUserMessage(question);
        _history.AddAssistantMessage(answer);
    }

    /// <summary>The conversation's size now, in estimated tokens (system prompt included).</summary>
    public int ContextTokens => ContextWindow.EstimateTokens(_history);

    /// <summary>The tool calls of the last question (for the REPL's trace after a streamed answer).</summary>
    public IReadOnlyList<ToolCallRecord> LastCalls => _fellBack is { } offline ? offline.ToolCalls : [.. _budget.Calls];

    public async Task<PlannerAnswer> AskAsync(string question, CancellationToken cancellationToken = default)
    {
        var text = new StringBuilder();
        TokenUsage? usage = null;
        var started = Stopwatch.GetTimestamp();
        await foreach (var piece in StreamAsync(question, u => usage = u, cancellationToken).ConfigureAwait(false))
        {
            text.Append(piece);
        }

        var latency = Math.Round(Stopwatch.GetElapsedTime(started).TotalMilliseconds, 1);
        return _fellBack is { } offline
            ? offline with { Answer = text.ToString(), Planner = FallbackKind, Model = Model, Usage = usage, LatencyMs = latency }
            : new PlannerAnswer(text.ToString(), Kind, Model, [.. _budget.Calls], usage, latency, Limit: _budget.Limit);
    }

    /// <summary>
    /// Streams the answer as it is written; tool calls run in between, under the budget. The deadline covers the
    /// model's own calls too: a model that hangs is cut off at <c>Llm:DeadlineSeconds</c> with a
    /// <see cref="PlannerDeadlineException"/>, not left to run on.
    /// </summary>
    public async IAsyncEnumerable<string> StreamAsync(string question, Action<TokenUsage>? onUsage = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        _budget.Start(question);
        _fellBack = null;
        using var activity = PlannerTelemetry.Start(Kind, Model);
        // A question that needs the cluster's data is held back until the model calls a tool: an answer written
        // without one (a model that does not do tool calls) is not shown; the offline planner answers instead.
        var hold = _fallback?.NeedsTools(question) == true;
        var held = new List<string>();
        ContextWindow.Fit(_history, _maxContextTokens);
        _history.AddUserMessage(question);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(_budget.Deadline);
        var settings = new OpenAIPromptExecutionSettings { FunctionChoiceBehavior = FunctionChoiceBehavior.Auto(), Temperature = 0 };
        var answer = new StringBuilder();
        int input = 0, output = 0;
        var stream = _chat.GetStreamingChatMessageContentsAsync(_history, settings, _kernel, deadline.Token).GetAsyncEnumerator(deadline.Token);
        try
        {
            while (await NextAsync(stream, deadline, answer, cancellationToken).ConfigureAwait(false))
            {
                var chunk = stream.Current;
                if (chunk.Metadata?.TryGetValue("Usage", out var u) == true && u is OpenAI.Chat.ChatTokenUsage tokens)
                {
                    input += tokens.InputTokenCount;
                    output += tokens.OutputTokenCount;
                }

                if (!string.IsNullOrEmpty(chunk.Content))
                {
                    answer.Append(chunk.Content);
                    if (hold && _budget.Calls.Count == 0)
                    {
                        held.Add(chunk.Content);
                        continue;
                    }

                    foreach (var piece in held)
                    {
                        yield return piece;
                    }

                    held.Clear();
                    yield return chunk.Content;
                }
            }
        }
        finally
        {
            await stream.DisposeAsync().ConfigureAwait(false);
        }

        if (hold && _budget.Calls.Count == 0 && _budget.StoppedBecause is null)
        {
            var offline = await _fallback!.AskAsync(question, cancellationToken).ConfigureAwait(false);
            var said = $"(The model answered without calling a tool, so it had no data from the cluster: the offline planner answered instead.)\n{offline.Answer}";
            _fellBack = offline;
            _history.AddAssistantMessage(said);
            PlannerTelemetry.Answered(activity, FallbackKind, "no_tool_call", offline.ToolCalls.Count, new TokenUsage(input, output), _prices.Input, _prices.Output);
            onUsage?.Invoke(new TokenUsage(input, output));
            yield return said;
            yield break;
        }

        foreach (var piece in held)
        {
            yield return piece;
        }

        // What the question narrowed to and no call carried is said, unless the model said so itself.
        if (_budget.StoppedBecause is null && QuestionConstraints.Note(EntityExtractor.Extract(question), [.. _budget.Calls], answer.ToString()) is { } narrowed)
        {
            var note = $"{(answer.Length > 0 ? "\n" : "")}{narrowed}";
            answer.Append(note);
            yield return note;
        }

        if (_budget.StoppedBecause is { } reason)
        {
            var note = $"{(answer.Length > 0 ? "\n" : "")}I stopped before finishing: the {reason}. Ask a narrower question, or look at the tool results above.";
            answer.Append(note);
            yield return note;
        }

        _history.AddAssistantMessage(answer.ToString());
        PlannerTelemetry.Answered(activity, Kind, _budget.Limit ?? "answered", _budget.Calls.Count, new TokenUsage(input, output), _prices.Input, _prices.Output);
        onUsage?.Invoke(new TokenUsage(input, output));
    }

    /// <summary>The next chunk, or the deadline's own exception when it (not the caller) cut the model off.</summary>
    private async Task<bool> NextAsync(IAsyncEnumerator<StreamingChatMessageContent> stream, CancellationTokenSource deadline, StringBuilder answer, CancellationToken caller)
    {
        try
        {
            return await stream.MoveNextAsync().ConfigureAwait(false);
        }
        catch (Exception ex) when (deadline.IsCancellationRequested && !caller.IsCancellationRequested && ex is OperationCanceledException or HttpOperationException)
        {
            _history.AddAssistantMessage(answer.Append(" (cut off at the deadline)").ToString());
            throw new PlannerDeadlineException(
                $"the model did not finish within the {_budget.Deadline.TotalSeconds:0} s deadline for a question (Llm:DeadlineSeconds); {_budget.Calls.Count} tool call(s) had run.");
        }
    }

    private ChatHistory NewHistory() => new(_systemPrompt);
}
