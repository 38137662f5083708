using System.Diagnostics;
using System.Text.Json;
using Microsoft.Extensions.AI;
using Vgac.Copilot.Tools.Catalog;

namespace Vgac.Copilot.Agent.Planning;

/// <summary>
/// Calls a catalogue tool by name exactly as MCP and Semantic Kernel do (the same <c>AIFunction</c>, so the same
/// guards and the same errors), and records the call.
/// </summary>
public sealed class ToolInvoker(ToolCatalog catalog, ToolActivity? activity = null)
{
    public async Task<ToolCallRecord> InvokeAsync(string name, IReadOnlyDictionary<string, object?> arguments, CancellationToken cancellationToken)
    {
        var tool = catalog.All.FirstOrDefault(t => t.Name == name) ?? throw new InvalidOperationException($"No tool named {name}.");
        var started = Stopwatch.GetTimestamp();
        activity?.OnStarted(name);
        var args = new AIFunctionArguments();
        foreach (var (key, value) in arguments)
        {
            args[key] = value is null ? null : JsonSerializer.SerializeToElement(value, PluginJson.Options.GetTypeInfo(value.GetType()));
        }

        object? result;
        try
        {
            result = await tool.Function.InvokeAsync(args, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            activity?.OnFinished(name);
        }

        var elapsed = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        var call = result switch
        {
            ErrorContent error => new ToolCallRecord(name, arguments, false, null, elapsed, error.Message, error.ErrorCode),
            JsonElement json => new ToolCallRecord(name, arguments, true, Verdicts.Of(json), elapsed, json.GetRawText()),
            _ => new ToolCallRecord(name, arguments, true, null, elapsed, JsonSerializer.Serialize(result, PluginJson.Options.GetTypeInfo(typeof(object)))),
        };
        return call;
    }
}

/// <summary>The guard verdict a tool result carries, in a few words (for traces and JSON output).</summary>
public static class Verdicts
{
    public static string? Of(JsonElement result)
    {
        if (result.ValueKind != JsonValueKind.Object)
        {
            return null;
        }

        if (result.TryGetProperty("shown_as", out var shown))
        {
            var tier = result.TryGetProperty("highest_tier", out var t) ? t.GetInt32() : 0;
            return $"{shown.GetString()}, highest tier {tier}";
        }

        // Policy advice carries its prediction (and that prediction's verdict) nested.
        if (result.TryGetProperty("prediction", out var prediction) && !result.TryGetProperty("allowed", out _) && Of(prediction) is { } nested)
        {
            return nested;
        }

        if (result.TryGetProperty("outcome", out var outcome))
        {
            return outcome.GetString();
        }

        if (result.TryGetProperty("allowed", out var allowed) && result.TryGetProperty("rule", out var rule))
        {
            return $"{(allowed.GetBoolean() ? "allowed" : "blocked")}: {rule.GetString()}";
        }

        return result.TryGetProperty("drift", out var drift) && drift.ValueKind == JsonValueKind.String ? $"drift {drift.GetString()}" : null;
    }
}
