using System.Diagnostics;
using System.Text.Json;
using Microsoft.SemanticKernel;
using Vgac.Copilot.Agent.Planning;
using Vgac.Copilot.Core.Settings;

namespace Vgac.Copilot.Agent.Llm;

/// <summary>
/// Enforced in code on every tool call the model asks for, per question: a call budget, a deadline, no repeated
/// identical calls, no action tool for a question that does not ask for an action, and a cap on what a tool may hand back. Tool results go to the model as data; nothing in them
/// changes what the guards (inside the tools) decide. Records every call for traces and <c>ask --format json</c>.
/// </summary>
internal sealed class QuestionBudget(LlmOptions options, TimeProvider time, ToolActivity? activity = null) : IAutoFunctionInvocationFilter
{
    private readonly List<ToolCallRecord> _calls = [];
    private readonly HashSet<string> _seen = new(StringComparer.Ordinal);
    private DateTimeOffset _deadline = DateTimeOffset.MaxValue;

    /// <summary>Why the last question stopped early, if it did.</summary>
    public string? StoppedBecause { get; private set; }

    /// <summary>Which limit stopped it: <c>tool_budget</c> or <c>deadline</c>.</summary>
    public string? Limit { get; private set; }

    public IReadOnlyList<ToolCallRecord> Calls => _calls;

    /// <summary>The question's deadline, for the model's own calls too (not only tool calls).</summary>
    public TimeSpan Deadline => TimeSpan.FromSeconds(options.DeadlineSeconds);

    private bool _asksForAction;

    /// <summary>Called when a question starts.</summary>
    /// <param name="question">The question, which decides whether an action tool may be called at all.</param>
    public void Start(string question)
    {
        _asksForAction = Offline.OfflineUnderstanding.AsksForAction(question);
        _calls.Clear();
        _seen.Clear();
        StoppedBecause = null;
        Limit = null;
        _deadline = time.GetUtcNow().AddSeconds(options.DeadlineSeconds);
    }

    public async Task OnAutoFunctionInvocationAsync(AutoFunctionInvocationContext context, Func<AutoFunctionInvocationContext, Task> next)
    {
        var name = context.Function.Name;
        var arguments = (context.Arguments ?? []).ToDictionary(kv => kv.Key, kv => kv.Value);
        // The call's identity for spotting repeats: name and arguments, in an order of their own, joined by a separator no argument holds.
        var signature = name + "\u001f" + string.Join('\u001f', arguments.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => $"{kv.Key}={kv.Value}"));

        string? refusal = null;
        if (_calls.Count >= options.MaxToolCalls)
        {
            refusal = StoppedBecause = $"tool-call budget of {options.MaxToolCalls} per question is spent";
            Limit = "tool_budget";
            context.Terminate = true;
        }
        else if (time.GetUtcNow() > _deadline)
        {
            refusal = StoppedBecause = $"the {options.DeadlineSeconds:0} s deadline for this question passed";
            Limit = "deadline";
            context.Terminate = true;
        }
        else if (name is Tools.Catalog.ToolNames.ActorProposeAction or Tools.Catalog.ToolNames.ActorApplyAction && !_asksForAction)
        {
            refusal = $"{name} proposes or runs an action, and this question does not ask for one; answer it with the observer, predictor and calibrator tools (for one job: observer_job_details)";
        }
        else if (!_seen.Add(signature))
        {
            refusal = $"{name} was already called with these arguments in this question; use that result instead of calling it again.";
        }

        if (refusal is not null)
        {
            context.Result = new FunctionResult(context.Function, $"Refused: {refusal}.");
            _calls.Add(new ToolCallRecord(name, arguments, false, "refused", 0, refusal));
            return;
        }

        var started = Stopwatch.GetTimestamp();
        activity?.OnStarted(name);
        try
        {
            await next(context).ConfigureAwait(false);
        }
        finally
        {
            activity?.OnFinished(name);
        }

        var elapsed = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        var value = context.Result.GetValue<object>();
        var (ok, text, code) = value switch
        {
            Microsoft.Extensions.AI.ErrorContent error => (false, error.Message, error.ErrorCode),
            JsonElement json => (true, json.GetRawText(), null),
            null => (true, "", null),
            _ => (true, value.ToString() ?? "", null),
        };
        if (text.Length > options.MaxToolOutputChars)
        {
            text = text[..options.MaxToolOutputChars] + $" …[cut: {text.Length - options.MaxToolOutputChars} more characters]";
        }

        context.Result = new FunctionResult(context.Function, ok ? text : $"Tool error: {text}");
        var call = new ToolCallRecord(name, arguments, ok, ok && value is JsonElement j ? Verdicts.Of(j) : null, elapsed, text, code);
        _calls.Add(call);
    }
}
