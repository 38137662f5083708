using System.CommandLine;
using System.Diagnostics;
using System.Text.Json;
using Vgac.Copilot.Cli.Hosting;
using Vgac.Copilot.Cli.Input;
using Vgac.Copilot.Cli.Output;
using Vgac.Copilot.Contracts;
using Vgac.Copilot.Core;
using Vgac.Copilot.Core.Agents;

namespace Vgac.Copilot.Cli.Commands;

/// <summary>
/// <c>vgac predict</c>: the fast path. Input is checked before any call; then VGAC's prediction endpoint and the
/// guards, with no kernel, plugin or prompt in sight.
/// </summary>
internal static class PredictCommand
{
    private static readonly Option<int?> Gpus = new("--gpus") { Description = "GPUs requested (required unless --batch).", HelpName = "n" };
    private static readonly Option<double?> Cpu = new("--cpu") { Description = "CPU in millicores (default 1000).", HelpName = "millicores" };
    private static readonly Option<double?> Memory = new("--memory-gb") { Description = "Memory in GB (default 1).", HelpName = "gb" };
    private static readonly Option<int?> Priority = new("--priority") { Description = "Job priority (default 0).", HelpName = "p" };
    private static readonly Option<string?> Namespace = new("--namespace", "-n") { Description = "Namespace (default 'default').", HelpName = "ns" };
    private static readonly Option<string?> Queue = new("--queue") { Description = "Queue or partition.", HelpName = "queue" };
    private static readonly Option<string?> GpuType = new("--gpu-type") { Description = "GPU type, e.g. A100.", HelpName = "type" };
    private static readonly Option<bool> Distributed = new("--distributed") { Description = "Multi-node job." };
    private static readonly Option<int?> Duration = new("--duration-minutes") { Description = "Expected runtime in minutes.", HelpName = "minutes" };
    private static readonly Option<string?> Batch = new("--batch") { Description = "Predict every job spec in a JSONL file (one JSON object per line).", HelpName = "file.jsonl" };
    private static readonly Option<string[]> WhatIf = new("--what-if") { Description = "Compare variants in one batch call, e.g. gpus=1,2,4 (repeat for a grid).", HelpName = "field=v1,v2", AllowMultipleArgumentsPerToken = false };
    private static readonly Option<string> Format = OutputFormat.Create();

    public static Command Create(CliContext context)
    {
        var command = new Command("predict", "Predict the queue wait of a job submission, with the confidence gate and intervention tiers applied (no LLM).");
        foreach (var option in new Option[] { Gpus, Cpu, Memory, Priority, Namespace, Queue, GpuType, Distributed, Duration, Batch, WhatIf, Format })
        {
            command.Options.Add(option);
        }

        command.SetAction((parse, ct) => CommandHost.RunAsync(parse, context, (session, token) => RunAsync(parse, session, token), ct));
        return command;
    }

    private static async Task<int> RunAsync(ParseResult parse, CommandSession session, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        var format = parse.GetValue(Format);
        var specs = ReadSpecs(parse);
        var agent = session.Get<PredictorAgent>();
        var predictions = specs.Count == 1 && parse.GetValue(Batch) is null
            ? [await agent.PredictAsync(specs[0], cancellationToken).ConfigureAwait(false)]
            : await agent.PredictBatchAsync(specs, cancellationToken).ConfigureAwait(false);
        var total = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        var views = predictions.Select(p => PredictionView.From(p, total)).ToList();

        if (format == OutputFormat.Json)
        {
            var json = views.Count == 1
                ? JsonSerializer.Serialize(views[0], CoreJsonContext.Default.PredictionView)
                : JsonSerializer.Serialize(views, CoreJsonContext.Default.ListPredictionView);
            await session.Out.WriteLineAsync(json).ConfigureAwait(false);
        }
        else if (views.Count == 1)
        {
            await PredictionText.WriteAsync(session.Out, views[0]).ConfigureAwait(false);
        }
        else
        {
            await PredictionText.WriteTableAsync(session.Out, views, VariedFields(parse)).ConfigureAwait(false);
        }

        if (views.Any(v => v.IsFallback))
        {
            await session.Context.Error.WriteLineAsync($"vgac: fallback answer (confidence 0): {views.First(v => v.IsFallback).Error}").ConfigureAwait(false);
            return ExitCodes.Fallback;
        }

        return ExitCodes.Success;
    }

    private static List<JobSpec> ReadSpecs(ParseResult parse)
    {
        if (parse.GetValue(Batch) is { } file)
        {
            if (parse.GetValue(Gpus) is not null || parse.GetValue(WhatIf) is { Length: > 0 })
            {
                throw new Composition.ConfigurationException("--batch reads every spec from the file; do not combine it with --gpus or --what-if.");
            }

            return JobSpecFile.Read(file);
        }

        if (parse.GetValue(Gpus) is not { } gpus)
        {
            throw new Composition.ConfigurationException("--gpus is required (or give --batch FILE.jsonl).");
        }

        var spec = new JobSpec
        {
            Gpus = gpus,
            Cpu = parse.GetValue(Cpu) ?? 1000,
            MemoryGb = parse.GetValue(Memory) ?? 1,
            Priority = parse.GetValue(Priority) ?? 0,
            Namespace = parse.GetValue(Namespace) ?? "default",
            Queue = parse.GetValue(Queue),
            GpuType = parse.GetValue(GpuType),
            IsDistributed = parse.GetValue(Distributed),
            EstimatedDurationMinutes = parse.GetValue(Duration),
        };
        var specs = WhatIfGrid.Expand(spec, parse.GetValue(WhatIf) ?? []);
        foreach (var (s, i) in specs.Select((s, i) => (s, i)))
        {
            var problems = JobSpecRules.Validate(s);
            if (problems.Count > 0)
            {
                throw new Composition.ConfigurationException($"invalid job spec{(specs.Count > 1 ? $" (variant {i + 1})" : "")}: {string.Join(" ", problems)}");
            }
        }

        return specs;
    }

    private static IReadOnlyList<string> VariedFields(ParseResult parse) =>
        [.. (parse.GetValue(WhatIf) ?? []).Select(w => w.Split('=')[0].Trim())];
}
