using System.CommandLine;
using System.Diagnostics;
using System.Text.Json;
using Vgac.Copilot.Cli.Hosting;
using Vgac.Copilot.Cli.Input;
using Vgac.Copilot.Cli.Output;
using Vgac.Copilot.Contracts;
using Vgac.Copilot.Core;
using Vgac.Copilot.Core.Predictions;
using Vgac.Copilot.Core.Guards;
using Vgac.Copilot.Core.Jobs;
using Vgac.Copilot.Core.Text;

namespace Vgac.Copilot.Cli.Commands;

/// <summary>
/// <c>vgac predict</c>: the fast path. Input is checked before any call; then VGAC's prediction endpoint and the
/// guards, with no kernel, plugin or prompt in sight.
/// </summary>
internal sealed class PredictCommand : VgacCommand
{
    /// <summary>One flag per job-spec field, named and described by the schema (<c>duration_minutes</c> is <c>--duration-minutes</c>).</summary>
    private static readonly (JobSpecField Field, Option Option)[] SpecOptions = CreateSpecOptions();
    private static readonly Option<string?> Batch = new("--batch") { Description = "Predict every job spec in a JSONL file (one JSON object per line).", HelpName = "file.jsonl" };
    private static readonly Option<string[]> WhatIf = new("--what-if") { Description = "Compare variants in one batch call, e.g. gpus=1,2,4 (repeat for a grid).", HelpName = "field=v1,v2", AllowMultipleArgumentsPerToken = false };
    private static readonly Option<string?> Filename = new("--filename", "-f")
    {
        Description = "Predict each GPU workload of a Kubernetes manifest: Pod, Job, Deployment, StatefulSet, PyTorchJob, RayJob, JobSet (- reads stdin; several documents, one row each).",
        HelpName = "manifest.yaml",
    };
    private static readonly Option<string?> IntervalLevel = new("--interval-level") { Description = "Level of the wait interval: 80, 90 (default) or 95 percent.", HelpName = "80|90|95" };
    public PredictCommand(CliContext context)
        : base(context, "predict", "Predict the queue wait of a job submission, with the confidence gate and intervention tiers applied (no LLM).", CommandNeeds.Vgac | CommandNeeds.Demo)
    {
        foreach (var (_, option) in SpecOptions)
        {
            Options.Add(option);
        }

        Options.Add(Batch);
        Options.Add(Filename);
        Options.Add(WhatIf);
        Options.Add(IntervalLevel);

        AddFormat("Output: text for people (default), json for scripts, or line: one line for a scheduler's user at submission.", line: true);
        Examples =
        [
            ("vgac predict --demo --gpus 4 --gpu-type A100", "one job: P(long wait), confidence, the gate and the tiers it earns"),
            ("vgac predict --what-if gpus=1,2,4,8 --distributed", "how the wait grows with the job's size"),
            ("vgac predict --gpus 1 --what-if gpus=1,2,4 --what-if priority=0,10", "a grid of variants in one batch call"),
            ("vgac predict --batch jobs.jsonl -o json", "one JSON job spec per line (--batch - reads stdin)"),
            ("vgac predict --gpus 2 --duration-minutes 60 -o line", "one line, as the Slurm cli_filter shows it at sbatch"),
            ("kubectl vgac predict -f job.yaml", "each GPU workload of a manifest (as a kubectl plugin: kubectl-vgac on PATH)"),
        ];
    }

    /// <summary>An iterator: read inside the command host, so a bad value is a usage error (exit 2), not a crash.</summary>
    protected override IEnumerable<KeyValuePair<string, string?>>? Settings(ParseResult parse)
    {
        if (parse.GetValue(IntervalLevel) is { } level)
        {
            yield return new("Guards:WaitIntervalLevel", level.Trim().TrimEnd('%') switch
            {
                "80" or "0.8" => "0.8",
                "90" or "0.9" => "0.9",
                "95" or "0.95" => "0.95",
                _ => throw new Composition.ConfigurationException($"--interval-level must be 80, 90 or 95, got {Core.Guards.Identifiers.Echo(level)}."),
            });
        }
    }

    protected override async Task<int> ExecuteAsync(ParseResult parse, CommandSession session, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        var format = parse.GetValue(Format!);
        if (parse.GetValue(Filename) is { } manifest)
        {
            return await PredictWorkloadsAsync(parse, session, manifest, format!, started, cancellationToken).ConfigureAwait(false);
        }

        var specs = ReadSpecs(parse, session.Context.In);
        var agent = session.Get<GuardedPredictor>();
        Hosting.StartupTimeline.Mark("predictor resolved");
        // One job asked for is one object; --batch and --what-if always give a list, however many lines or variants.
        var single = parse.GetValue(Batch) is null && parse.GetValue(WhatIf) is not { Length: > 0 };
        var predictions = single
            ? [await agent.PredictAsync(specs[0], cancellationToken).ConfigureAwait(false)]
            : await agent.PredictBatchAsync(specs, cancellationToken).ConfigureAwait(false);
        var total = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        Hosting.StartupTimeline.Mark("predicted");
        var cluster = session.Clusters.Several ? session.Clusters.Selected : null;
        var views = predictions.Select(p => PredictionView.From(p, total) with { Cluster = cluster }).ToList();

        if (format == OutputFormat.Json)
        {
            var json = single
                ? JsonSerializer.Serialize(views[0], CoreJsonContext.Default.PredictionView)
                : JsonSerializer.Serialize(views, CoreJsonContext.Default.ListPredictionView);
            await session.Out.WriteLineAsync(json).ConfigureAwait(false);
        }
        else if (format == OutputFormat.Line)
        {
            foreach (var view in views)
            {
                await session.Out.WriteLineAsync(PredictionText.Line(view)).ConfigureAwait(false);
            }
        }
        else if (single)
        {
            await PredictionText.WriteAsync(session.Out, views[0]).ConfigureAwait(false);
        }
        else
        {
            await PredictionText.WriteTableAsync(session.Out, views, VariedFields(parse)).ConfigureAwait(false);
        }

        Hosting.StartupTimeline.Mark("written");
        if (views.FirstOrDefault(v => v.ShownAs == ShownAs.Infeasible) is { } infeasible)
        {
            await session.Context.Error.WriteLineAsync($"vgac: infeasible: {infeasible.Feasibility!.Reason}").ConfigureAwait(false);
            return ExitCodes.Infeasible;
        }

        if (views.Any(v => v.IsFallback))
        {
            await session.Context.Error.WriteLineAsync($"vgac: fallback answer (confidence 0): {views.First(v => v.IsFallback).Error}").ConfigureAwait(false);
            return ExitCodes.Fallback;
        }

        return ExitCodes.Success;
    }

    /// <summary>
    /// <c>-f manifest.yaml</c>: every GPU workload of the manifest in one batch call, a row (or line) each; the
    /// workloads without a prediction are named with why. Exit 2 when there is none to predict.
    /// </summary>
    private static async Task<int> PredictWorkloadsAsync(ParseResult parse, CommandSession session, string file, string format, long started, CancellationToken cancellationToken)
    {
        var conflict = SpecOptions.FirstOrDefault(o => o.Field.Name != "namespace" && Given(parse, o.Option)).Option?.Name
            ?? (parse.GetValue(Batch) is not null ? "--batch" : parse.GetValue(WhatIf) is { Length: > 0 } ? "--what-if" : null);
        if (conflict is not null)
        {
            throw new Composition.ConfigurationException($"-f reads each job from the manifest; do not combine it with {conflict} (-n sets the namespace of workloads that name none).");
        }

        var text = file == "-" ? await ReadBoundedAsync(session.Context.In, cancellationToken).ConfigureAwait(false) : await ReadManifestAsync(file, cancellationToken).ConfigureAwait(false);
        var workloads = WorkloadManifest.Read(text, parse.GetValue((Option<string?>)SpecOptions.Single(o => o.Field.Name == "namespace").Option));
        var estimated = workloads.Where(w => w.Spec is not null).ToList();
        var skipped = workloads.Where(w => w.Spec is null).Select(w => new NotEstimated(w.Label, w.Problem!)).ToList();
        if (estimated.Count == 0)
        {
            throw new Composition.ConfigurationException(workloads.Count == 0
                ? $"{Identifiers.Echo(file)} holds no Kubernetes object."
                : $"no workload in {Identifiers.Echo(file)} asks for GPUs: {string.Join("; ", skipped.Take(3).Select(s => $"{s.Workload} {s.Reason}"))}.");
        }

        var checkedSpecs = estimated.Select(w => JobSpecSchema.Checked(w.Spec!, $"invalid job spec ({w.Label})").ToContract()).ToList();
        var predictions = await session.Get<GuardedPredictor>().PredictBatchAsync(checkedSpecs, cancellationToken).ConfigureAwait(false);
        var total = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        var views = predictions.Select((p, i) => PredictionView.From(p, total) with { Workload = estimated[i].Label }).ToList();
        if (format == OutputFormat.Json)
        {
            await session.Out.WriteLineAsync(JsonSerializer.Serialize(new WorkloadPredictions(views, skipped), CoreJsonContext.Default.WorkloadPredictions)).ConfigureAwait(false);
        }
        else if (format == OutputFormat.Line)
        {
            foreach (var view in views)
            {
                await session.Out.WriteLineAsync(PredictionText.Line(view)).ConfigureAwait(false);
            }
        }
        else
        {
            await PredictionText.WriteTableAsync(session.Out, views, [], [.. views.Select(v => v.Workload!)]).ConfigureAwait(false);
        }

        if (format != OutputFormat.Json)
        {
            foreach (var s in skipped)
            {
                await session.Out.WriteLineAsync($"Not estimated: {s.Workload}: {s.Reason}").ConfigureAwait(false);
            }
        }

        return views.Any(v => v.ShownAs == ShownAs.Infeasible) ? ExitCodes.Infeasible : views.Any(v => v.IsFallback) ? ExitCodes.Fallback : ExitCodes.Success;
    }

    private static async Task<string> ReadManifestAsync(string file, CancellationToken cancellationToken)
    {
        try
        {
            using var reader = new StreamReader(file);
            return await ReadBoundedAsync(reader, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new Composition.ConfigurationException($"cannot read {Identifiers.Echo(file)}: {(ex is FileNotFoundException or DirectoryNotFoundException ? "no such file" : UntrustedText.Clean(ex.Message, 120))}.");
        }
    }

    /// <summary>
    /// At most one character more than a manifest may hold, from a file or stdin alike: an endless stream is cut there
    /// (and refused by the reader), never read whole into memory.
    /// </summary>
    private static async Task<string> ReadBoundedAsync(TextReader reader, CancellationToken cancellationToken)
    {
        var buffer = new char[WorkloadManifest.MaxChars + 1];
        var read = 0;
        int n;
        while (read < buffer.Length && (n = await reader.ReadAsync(buffer.AsMemory(read), cancellationToken).ConfigureAwait(false)) > 0)
        {
            read += n;
        }

        return new string(buffer, 0, read);
    }

    private static bool Given(ParseResult parse, Option option) =>
        option is Option<bool> flag ? parse.GetValue(flag) : parse.GetValue((Option<string?>)option) is not null;

    // A loop, not a LINQ chain: this runs on every start (the help lists the flags), and the native runtime resolves
    // each generic operator over a value tuple on first use.
    private static (JobSpecField Field, Option Option)[] CreateSpecOptions()
    {
        var fields = JobSpecSchema.Fields;
        var options = new (JobSpecField, Option)[fields.Count];
        for (var i = 0; i < options.Length; i++)
        {
            options[i] = (fields[i], SpecOption(fields[i]));
        }

        return options;
    }

    private static Option SpecOption(JobSpecField field)
    {
        var description = field switch
        {
            { Required: true } => field.Description.TrimEnd('.') + " (required unless --batch).",
            { Default: { } value and not false } => field.Description.TrimEnd('.') + $" (default {Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture)}).",
            _ => field.Description,
        };
        if (field.Kind == JobFieldKind.Flag)
        {
            return new Option<bool>(field.Flag) { Description = description };
        }

        // Read as text and parsed by the schema, so a bad value gets the schema's message (no parser type names).
        string[] aliases = field.Name == "namespace" ? ["-n"] : [];
        return new Option<string?>(field.Flag, aliases) { Description = description, HelpName = field.Kind == JobFieldKind.Text ? "text" : "n" };
    }

    private static List<JobSpec> ReadSpecs(ParseResult parse, TextReader stdin)
    {
        var given = SpecOptions.Where(o => Given(parse, o.Option)).ToList();
        if (parse.GetValue(Batch) is { } file)
        {
            if (given.Count > 0 || parse.GetValue(WhatIf) is { Length: > 0 })
            {
                throw new Composition.ConfigurationException($"--batch reads every spec from the file; do not combine it with {(given.Count > 0 ? given[0].Option.Name : "--what-if")}.");
            }

            return [.. JobSpecFile.Read(file, stdin).Select(s => s.ToContract())];
        }

        // A required field may come from the flags or from a --what-if that varies it (every variant then sets it).
        var varied = VariedFields(parse);
        if (!given.Any(o => o.Field.Required) && !JobSpecSchema.Fields.Any(f => f.Required && varied.Contains(f.Name, StringComparer.OrdinalIgnoreCase)))
        {
            throw new Composition.ConfigurationException("--gpus is required (or vary it with --what-if gpus=1,2,4, or give --batch FILE.jsonl).");
        }

        var spec = new JobSpecInput { Gpus = 0 };
        foreach (var (field, option) in given)
        {
            spec = option is Option<bool>
                ? JobSpecSchema.With(spec, field, "true", option.Name)
                : JobSpecSchema.With(spec, field, parse.GetValue((Option<string?>)option)!, option.Name);
        }

        var specs = WhatIfGrid.Expand(spec, parse.GetValue(WhatIf) ?? []);
        return [.. specs.Select((s, i) => JobSpecSchema.Checked(s, specs.Count > 1 ? $"invalid job spec (variant {i + 1})" : "invalid job spec").ToContract())];
    }

    private static IReadOnlyList<string> VariedFields(ParseResult parse) =>
        [.. (parse.GetValue(WhatIf) ?? []).Select(w => w.Split('=')[0].Trim().Replace('-', '_'))];
}
