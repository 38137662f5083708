using System.CommandLine;
using System.Globalization;
using Microsoft.Extensions.Options;
using Vgac.Copilot.Agent.Offline;
using Vgac.Copilot.Cli.Composition;
using Vgac.Copilot.Cli.Hosting;
using Vgac.Copilot.Client;
using Vgac.Copilot.Evals.Cases;
using Vgac.Copilot.Evals.Cassettes;
using Vgac.Copilot.Evals.Running;
using Vgac.Copilot.Core.Settings;

namespace Vgac.Copilot.Cli.Commands;

/// <summary><c>vgac record</c>: a whole-API snapshot of a VGAC, as a cassette for evals.</summary>
internal sealed class RecordCommand : VgacCommand
{
    private readonly Option<string> output = new("--out") { Description = "Cassette folder to write (e.g. evals/cassettes/calm).", Required = true, HelpName = "dir" };
    private readonly Option<string?> name = new("--name") { Description = "Cassette name (default: the folder's name).", HelpName = "name" };

    public RecordCommand(CliContext context)
        : base(context, FullCommands.Record, CommandNeeds.Vgac | CommandNeeds.Demo)
    {
        Add(output);
        Add(name);
        Examples = [("vgac record --demo --out my-evals/cassettes/calm", "a cassette of the simulator, for your own suites")];
    }

    protected override Task<int> ExecuteAsync(ParseResult parse, CommandSession session, CancellationToken token) =>
        RecordAsync(parse, session, token);

    private async Task<int> RecordAsync(ParseResult parse, CommandSession session, CancellationToken token)
    {
        {
            var folder = Path.GetFullPath(parse.GetValue(output)!);
            var client = session.Get<IVgacClient>();
            var sim = SimulatorSettings.Bind(session.Configuration);
            var source = parse.GetValue(GlobalOptions.Demo)
                ? string.Create(CultureInfo.InvariantCulture, $"simulator (flavor {sim.Flavor.ToString().ToLowerInvariant()}, seed {sim.Seed}, warm-up {sim.WarmupHours} h, logit bias {sim.LogitBias})")
                : client.BaseAddress.ToString();
            var manifest = await CassetteRecorder.Create(session.Services).RecordAsync(folder, parse.GetValue(name) ?? Path.GetFileName(folder), source, token).ConfigureAwait(false);
            await session.Out.WriteLineAsync($"Recorded cassette '{manifest.Name}' from {manifest.Source} to {folder}").ConfigureAwait(false);
            return ExitCodes.Success;
        }
    }
}

/// <summary><c>vgac eval</c>: suites scored against cassettes, deterministically, with no network.</summary>
internal sealed class EvalCommand : VgacCommand
{
    private readonly Option<string?> suite = new("--suite") { Description = "Run only this suite.", HelpName = "name" };
    private readonly Option<string> planner = new("--planner") { Description = "offline (default), llm (the Llm settings), or scripted (the LLM path with a deterministic stand-in model).", DefaultValueFactory = _ => "offline", HelpName = "offline|llm|scripted" };
    private readonly Option<int> repeat = new("--repeat") { Description = "Runs per case (variance across repeats is reported).", DefaultValueFactory = _ => 1, HelpName = "n" };
    private readonly Option<string?> report = new("--report") { Description = "Folder for eval-report.json, .junit.xml and .md.", HelpName = "dir" };
    private readonly Option<string?> baseline = new("--baseline") { Description = "Fail if any suite's pass rate drops below this committed report.", HelpName = "file" };
    private readonly Option<string?> suitesFolder = new("--suites") { Description = "Folder of YAML suites (default: the suites installed with vgac).", HelpName = "dir" };
    private readonly Option<string?> cassettesFolder = new("--cassettes") { Description = "Folder of cassettes (default: 'cassettes' beside the suites folder, else the installed ones).", HelpName = "dir" };

    public EvalCommand(CliContext context)
        : base(context, FullCommands.Eval, CommandNeeds.Model)
    {
        foreach (var option in new Option[] { suite, planner, repeat, report, baseline, suitesFolder, cassettesFolder })
        {
            Options.Add(option);
        }

        Examples =
        [
            ("vgac eval", "the installed suites with the offline planner"),
            ("vgac eval --planner llm --llm-provider openai-compatible --llm-endpoint http://localhost:11434/v1 --llm-model qwen2.5:7b --repeat 3", "your model"),
            ("vgac eval --suites my-evals/suites --report out/", "your suites; JSON, JUnit and Markdown reports"),
        ];
    }

    protected override Task<int> ExecuteAsync(ParseResult parse, CommandSession session, CancellationToken token) =>
        EvaluateAsync(parse, session, token);

    private async Task<int> EvaluateAsync(ParseResult parse, CommandSession session, CancellationToken token)
    {
        var (kind, times, llm) = Planner(parse, session);
        var (suites, cassettesPath, heldOut) = Suites(parse);
        await using var scripted = kind == "scripted" ? await ScriptedModel.StartAsync(token).ConfigureAwait(false) : null;
        var model = scripted is null ? llm : new LlmOptions
        {
            Provider = "openai-compatible",
            Endpoint = scripted.Endpoint.ToString(),
            Model = "scripted",
            InputCostPerMillionTokens = llm.InputCostPerMillionTokens,
            OutputCostPerMillionTokens = llm.OutputCostPerMillionTokens,
        };
        var runner = new EvalRunner(cassettesPath, kind == "offline" ? null : model);
        var results = await runner.RunAsync(suites, times, null, token).ConfigureAwait(false);
        var result = EvalReport.From(runner.PlannerKind, kind == "offline" ? null : model.Model, times, results,
            (model.InputCostPerMillionTokens, model.OutputCostPerMillionTokens));
        if (heldOut is not null)
        {
            try
            {
                result = result.WithPhrasings(PhrasingEval.Run(OfflineUnderstanding.Default, heldOut));
            }
            catch (InvalidDataException ex)
            {
                throw new ConfigurationException(ex.Message);
            }
        }

        return await ReportAsync(result, parse, session).ConfigureAwait(false);
    }

    /// <summary>The planner to evaluate, how many times, and the model settings: checked before anything runs.</summary>
    private (string Kind, int Times, LlmOptions Llm) Planner(ParseResult parse, CommandSession session)
    {
        var kind = parse.GetValue(planner);
        if (kind is not ("offline" or "llm" or "scripted"))
        {
            throw new ConfigurationException($"--planner must be offline, llm or scripted, got '{kind}'.");
        }

        var times = parse.GetValue(repeat);
        if (times is < 1 or > 50)
        {
            throw new ConfigurationException($"--repeat must be between 1 and 50, got {times}.");
        }

        var llm = session.Get<IOptions<LlmOptions>>().Value;
        if (kind == "llm" && !llm.IsConfigured)
        {
            throw new ConfigurationException("--planner llm needs a model: set --llm-provider, --llm-endpoint and --llm-model (or VGAC_LLM_*).");
        }

        return (kind, times, llm);
    }

    /// <summary>The suites to run (none for <c>--suite phrasings</c>), the cassettes' folder, and the held-out phrasings when they are evaluated too.</summary>
    private (IReadOnlyList<EvalSuite> Suites, string Cassettes, string? HeldOut) Suites(ParseResult parse)
    {
        var (suitesPath, cassettesPath) = EvalFolders.Resolve(parse.GetValue(suitesFolder), parse.GetValue(cassettesFolder));
        var only = parse.GetValue(suite);
        var heldOut = EvalFolders.Phrasings(suitesPath);
        var phrasingsOnly = string.Equals(only, PhrasingReport.SuiteName, StringComparison.OrdinalIgnoreCase);
        if (phrasingsOnly && heldOut is null)
        {
            throw new ConfigurationException($"--suite phrasings: no phrasings/heldout.tsv beside '{suitesPath}'.");
        }

        try
        {
            return (phrasingsOnly ? [] : SuiteLoader.Load(suitesPath, only), cassettesPath, only is null || phrasingsOnly ? heldOut : null);
        }
        catch (Exception ex) when (ex is InvalidDataException or DirectoryNotFoundException)
        {
            throw new ConfigurationException(ex.Message);
        }
    }

    /// <summary>The summary, the reports asked for, and the exit code: a failure when the baseline regressed or a guard was not kept.</summary>
    private async Task<int> ReportAsync(EvalReport result, ParseResult parse, CommandSession session)
    {
        await session.Out.WriteAsync(Summary(result)).ConfigureAwait(false);
        if (parse.GetValue(report) is { } folder)
        {
            ReportWriter.Write(result, folder);
            await session.Out.WriteLineAsync($"Reports written to {Path.GetFullPath(folder)}").ConfigureAwait(false);
        }

        var problems = parse.GetValue(baseline) is { } file ? ReportWriter.CompareWithBaseline(result, file) : (result.GuardCompliance < 1 ? ["guard compliance below 100 %"] : []);
        foreach (var problem in problems)
        {
            await session.Context.Error.WriteLineAsync($"vgac: eval: {problem}").ConfigureAwait(false);
        }

        return problems.Count == 0 ? ExitCodes.Success : ExitCodes.Failure;
    }

    /// <summary>Where the suites and cassettes are: given folders, else the copies installed beside the program.</summary>
    internal static class EvalFolders
    {
        public static string Installed => Path.Combine(AppContext.BaseDirectory, "evals");

        public static (string Suites, string Cassettes) Resolve(string? suites, string? cassettes)
        {
            var suitesPath = Path.GetFullPath(suites ?? Path.Combine(Installed, "suites"));
            if (!Directory.Exists(suitesPath))
            {
                throw new ConfigurationException($"--suites: folder '{suites}' does not exist.");
            }

            var beside = Path.Combine(Path.GetDirectoryName(suitesPath.TrimEnd(Path.DirectorySeparatorChar)) ?? suitesPath, "cassettes");
            var cassettesPath = Path.GetFullPath(cassettes ?? (Directory.Exists(beside) ? beside : Path.Combine(Installed, "cassettes")));
            return Directory.Exists(cassettesPath)
                ? (suitesPath, cassettesPath)
                : throw new ConfigurationException($"--cassettes: folder '{cassettes}' does not exist.");
        }

        /// <summary>The held-out phrasings beside a suites folder (<c>phrasings/heldout.tsv</c> in its parent), if there are any.</summary>
        public static string? Phrasings(string suitesPath)
        {
            var file = Path.Combine(Path.GetDirectoryName(suitesPath.TrimEnd(Path.DirectorySeparatorChar)) ?? suitesPath, "phrasings", "heldout.tsv");
            return File.Exists(file) ? file : null;
        }
    }

    private static string Summary(EvalReport r)
    {
        var s = new System.Text.StringBuilder();
        s.AppendLine(string.Create(CultureInfo.InvariantCulture, $"{"suite",-22} {"passed",8} {"rate",7}"));
        foreach (var g in r.Suites)
        {
            s.AppendLine(string.Create(CultureInfo.InvariantCulture, $"{g.Name,-22} {g.Passed,4}/{g.Total,-3} {g.PassRate,7:P0}"));
        }

        s.AppendLine(string.Create(CultureInfo.InvariantCulture,
            $"planner {r.Planner}: pass {r.PassRate:P1}, grounding {r.GroundingRate:P1}, guard compliance {r.GuardCompliance:P1}, tool precision {r.ToolPrecision:P0} recall {r.ToolRecall:P0}, latency p50 {r.LatencyP50Ms:0} ms"));
        foreach (var failed in r.Results.Where(x => !x.Passed))
        {
            s.AppendLine($"  FAIL {failed.Suite}/{failed.Id}: {string.Join("; ", failed.Failures)}");
        }

        if (r.Phrasings is { } p)
        {
            s.AppendLine(string.Create(CultureInfo.InvariantCulture,
                $"held-out phrasings (offline understanding, never trained on): {p.Correct}/{p.Total} = {p.Accuracy:P1}, required {p.Floor:P0}"));
            foreach (var miss in p.Misses)
            {
                s.AppendLine($"  MISS \"{miss.Question}\": {miss.Expected} -> {miss.Routed}");
            }
        }

        return s.ToString();
    }
}
