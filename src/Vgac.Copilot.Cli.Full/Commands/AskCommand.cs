using System.CommandLine;
using System.Text.Json;
using System.Text.Json.Serialization;
using Vgac.Copilot.Agent.Planning;
using Vgac.Copilot.Cli.Composition;
using Vgac.Copilot.Cli.Hosting;

namespace Vgac.Copilot.Cli.Commands;

/// <summary><c>vgac ask "QUESTION"</c>: one question, one grounded answer.</summary>
internal sealed class AskCommand : VgacCommand
{
    /// <summary>Longest question read (from the command line or standard input).</summary>
    private const int MaxQuestionChars = 4000;

    private readonly Argument<string?> question = new("question")
    {
        Description = "The question, in plain language; '-' (or nothing, when input is piped) reads it from standard input.",
        Arity = ArgumentArity.ZeroOrOne,
    };

    public AskCommand(CliContext context)
        : base(context, FullCommands.Ask, CommandNeeds.Vgac | CommandNeeds.Demo | CommandNeeds.Model)
    {
        Add(question);
        AddFormat();
        Examples =
        [
            ("vgac ask --demo \"why are jobs waiting?\"", "one grounded answer"),
            ("echo \"is the model calibrated?\" | vgac ask -o json", "the question from a pipe, the answer as JSON"),
        ];
    }

    protected override Task<int> ExecuteAsync(ParseResult parse, CommandSession session, CancellationToken token) =>
        AskAsync(parse, session, token);

    private async Task<int> AskAsync(ParseResult parse, CommandSession session, CancellationToken token)
    {
        if (session.Get<Microsoft.Extensions.Options.IOptions<Core.Settings.LlmOptions>>().Value.AllowActions)
        {
            session.Clusters.RequireConfiguredVgac("vgac ask with Llm:AllowActions");
        }

        var context = Context;
        {
            var format = parse.GetValue(Format!);

            var question = await QuestionAsync(parse.GetValue(this.question), context).ConfigureAwait(false);

            var answer = await session.Get<IPlanner>().AskAsync(question, token).ConfigureAwait(false);
            var check = session.Get<AnswerChecker>().Check(question, answer.Answer, answer.ToolCalls);
            if (format == "json")
            {
                await session.Out.WriteLineAsync(JsonSerializer.Serialize(AskJson.From(answer, check), AskJsonContext.Default.AskJson)).ConfigureAwait(false);
            }
            else
            {
                await session.Out.WriteLineAsync(answer.Answer).ConfigureAwait(false);
                foreach (var line in Output.AnswerWarning.After(check))
                {
                    await session.Out.WriteLineAsync(line).ConfigureAwait(false);
                }
            }

            var code = ExitCodeOf(answer);
            return code == ExitCodes.Success && !check.Passed ? ExitCodes.AnswerUnconfirmed : code;
        }
    }

    /// <summary>The question from the argument, or from standard input for '-' (or no argument when input is piped).</summary>
    private static async Task<string> QuestionAsync(string? argument, CliContext context)
    {
        var question = argument;
        if (argument is "-" || (argument is null && !context.Interactive))
        {
            var buffer = new char[MaxQuestionChars + 1];
            var read = await context.In.ReadBlockAsync(buffer).ConfigureAwait(false);
            if (read > MaxQuestionChars)
            {
                throw new ConfigurationException($"the question on standard input is longer than {MaxQuestionChars} characters.");
            }

            question = new string(buffer, 0, read);
        }

        question = question?.Trim();
        return string.IsNullOrEmpty(question)
            ? throw new ConfigurationException(argument is null or "-" ? "no question: give one as an argument, or pipe it in ('echo \"why are jobs waiting?\" | vgac ask')." : "the question is empty.")
            : question.Length > MaxQuestionChars ? throw new ConfigurationException($"the question is longer than {MaxQuestionChars} characters.") : question;
    }

    /// <summary>
    /// A limit reached is 10; a VGAC failure behind any tool call is 3 (unreachable), 4 (timeout) or 5 (error), as for
    /// every other command; a tool the planner called with wrong arguments, which it then explained, is not a failure.
    /// </summary>
    internal static int ExitCodeOf(PlannerAnswer answer)
    {
        if (answer.Limit is not null)
        {
            return ExitCodes.PlannerLimit;
        }

        var codes = answer.ToolCalls.Where(c => !c.Ok).Select(c => c.ErrorCode).ToHashSet();
        return codes.Contains(Tools.Catalog.ToolErrorCodes.VgacUnavailable) ? ExitCodes.VgacUnavailable
            : codes.Contains(Tools.Catalog.ToolErrorCodes.VgacTimeout) ? ExitCodes.VgacTimeout
            : codes.Contains(Tools.Catalog.ToolErrorCodes.VgacError) ? ExitCodes.VgacError
            : ExitCodes.Success;
    }
}

/// <summary>The JSON of <c>vgac ask --format json</c>.</summary>
internal sealed record AskJson(
    string Answer, string Planner, string? Model, bool Understood, IReadOnlyList<AskToolCall> ToolCalls, TokenUsage? Usage, double LatencyMs, AskAnswerCheck AnswerCheck)
{
    public static AskJson From(PlannerAnswer a, AnswerCheck check) => new(
        a.Answer, a.Planner, a.Model, a.Understood,
        [.. a.ToolCalls.Select(c => new AskToolCall(c.Name, JsonSerializer.SerializeToElement(c.Arguments, AskJsonContext.Default.IReadOnlyDictionaryStringObject), c.Ok, c.Verdict, Math.Round(c.DurationMs, 1)))],
        a.Usage, a.LatencyMs, new AskAnswerCheck(check.Passed, check.Grounded, check.UngroundedNumbers, check.Contradictions, check.GuardsLine));
}

/// <summary>What the deterministic check of the answer found (<c>answer_check</c>).</summary>
internal sealed record AskAnswerCheck(bool Passed, bool Grounded, IReadOnlyList<string> UngroundedNumbers, IReadOnlyList<string> Contradictions, string? GuardsLine);

internal sealed record AskToolCall(string Name, JsonElement Arguments, bool Ok, string? Verdict, double DurationMs);

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, WriteIndented = true)]
[JsonSerializable(typeof(AskJson))]
[JsonSerializable(typeof(IReadOnlyDictionary<string, object>))]
[JsonSerializable(typeof(JsonElement))]
[JsonSerializable(typeof(int))]
[JsonSerializable(typeof(double))]
[JsonSerializable(typeof(string))]
internal sealed partial class AskJsonContext : JsonSerializerContext;
