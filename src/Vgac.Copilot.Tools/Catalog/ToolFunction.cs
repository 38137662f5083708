using System.Text.Json;
using Microsoft.Extensions.AI;
using Vgac.Copilot.Client;

namespace Vgac.Copilot.Tools.Catalog;

/// <summary>
/// Wraps a tool so every expected failure comes back as a tool error (<see cref="ErrorContent"/>) with a sentence
/// saying what to change — bad arguments, unknown ids, VGAC errors — and never as a crash. MCP turns it into a
/// result with <c>isError: true</c>; Semantic Kernel hands it to the model.
/// </summary>
internal sealed class ToolFunction(AIFunction inner, Core.Text.SecretRedactor secrets) : DelegatingAIFunction(inner)
{
    private readonly string _spanName = $"tool {inner.Name}";

    protected override async ValueTask<object?> InvokeCoreAsync(AIFunctionArguments arguments, CancellationToken cancellationToken)
    {
        // Every tool call, from any host (MCP, either planner, the REPL), is one span and one count by outcome.
        using var activity = CopilotTelemetry.Source.StartActivity(_spanName);
        activity?.SetTag("gen_ai.tool.name", Name);
        var result = await GuardedInvokeAsync(arguments, cancellationToken).ConfigureAwait(false);
        var outcome = result is ErrorContent error ? error.ErrorCode ?? "error" : "ok";
        activity?.SetTag("vgac.outcome", outcome);
        CopilotTelemetry.ToolCalls.Add(1, new("gen_ai.tool.name", Name), new("vgac.outcome", outcome));
        return result;
    }

    private async ValueTask<object?> GuardedInvokeAsync(AIFunctionArguments arguments, CancellationToken cancellationToken)
    {
        if (ArgumentCheck.Problem(Name, JsonSchema, arguments) is { } problem)
        {
            return Error(problem, ToolErrorCodes.InvalidArguments);
        }

        try
        {
            return await base.InvokeCoreAsync(arguments, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is ToolInputException or Actions.ActionInputException or Core.Jobs.JobSpecException)
        {
            return Error(ex.Message, ToolErrorCodes.InvalidArguments);
        }
        catch (ArgumentException ex)
        {
            return Error($"Invalid arguments for {Name}: {ex.Message.Split(" (Parameter")[0]}", ToolErrorCodes.InvalidArguments);
        }
        catch (JsonException ex)
        {
            // The serializer's message names .NET types; say which argument and point at the schema instead.
            var where = ex.Path is { Length: > 1 } p ? $"argument '{p.TrimStart('$', '.')}'" : "an argument";
            return Error($"Invalid arguments for {Name}: {where} does not fit its type in the tool's input schema (a number out of range, or the wrong kind of value).", ToolErrorCodes.InvalidArguments);
        }
        catch (VgacApiException ex) when (ex.StatusCode == System.Net.HttpStatusCode.NotFound)
        {
            return Error($"Not found: {ex.Message}", ToolErrorCodes.NotFound);
        }
        catch (VgacApiException ex)
        {
            var (kind, code) = ex switch
            {
                VgacUnavailableException => ("unavailable", ToolErrorCodes.VgacUnavailable),
                VgacTimeoutException => ("timeout", ToolErrorCodes.VgacTimeout),
                VgacInvalidResponseException => ("invalid response", ToolErrorCodes.VgacError),
                _ => ("error", ToolErrorCodes.VgacError),
            };
            return Error($"VGAC could not answer ({kind}): {ex.Message}", code);
        }
    }

    /// <summary>A tool error: what to change, with any secret (an echoed key, a URL's password) masked.</summary>
    private ErrorContent Error(string message, string code) => new(secrets.Redact(message)) { ErrorCode = code };
}

/// <summary>What kind of failure a tool error is (<see cref="ErrorContent.ErrorCode"/>): the caller's, or VGAC's.</summary>
public static class ToolErrorCodes
{
    public const string InvalidArguments = "invalid_arguments";
    public const string NotFound = "not_found";
    public const string VgacUnavailable = "vgac_unavailable";
    public const string VgacTimeout = "vgac_timeout";
    public const string VgacError = "vgac_error";
}
