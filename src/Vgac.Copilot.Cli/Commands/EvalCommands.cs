using System.CommandLine;
using System.Globalization;
using Microsoft.Extensions.Options;
using Vgac.Copilot.Agent.Llm;
using Vgac.Copilot.Cli.Composition;
using Vgac.Copilot.Cli.Hosting;
using Vgac.Copilot.Client;
using Vgac.Copilot.Evals.Cases;
using Vgac.Copilot.Evals.Cassettes;
using Vgac.Copilot.Evals.Running;

namespace Vgac.Copilot.Cli.Commands;

/// <summary><c>vgac record</c> and <c>vgac eval</c>: whole-API cassettes, and suites scored against them.</summary>
internal static class EvalCommands
{
    public static Command Record(CliContext context)
    {
        var output = new Option<string>("--out") { Description = "Cassette folder to write (e.g. evals/cassettes/calm).", Required = true, HelpName = "dir" };
        var name = new Option<string?>("--name") { Description = "Cassette name (default: the folder's name).", HelpName = "name" };
        var command = new Command("record", "Record a whole-API snapshot of a VGAC (or --demo) as a cassette for evals.") { output, name };
        command.SetAction((parse, ct) => CommandHost.RunAsync(parse, context, async (session, token) =>
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
        }, ct));
        return command;
    }

    public static Command Eval(CliContext context)
    {
        var suite = new Option<string?>("--suite") { Description = "Run only this suite.", HelpName = "name" };
        var planner = new Option<string>("--planner") { Description = "offline (default), llm (the Llm settings), or scripted (the LLM path with a deterministic stand-in model).", DefaultValueFactory = _ => "offline", HelpName = "offline|llm|scripted" };
        var repeat = new Option<int>("--repeat") { Description = "Runs per case (variance across repeats is reported).", DefaultValueFactory = _ => 1, HelpName = "n" };
        var report = new Option<string?>("--report") { Description = "Folder for eval-report.json, .junit.xml and .md.", HelpName = "dir" };
        var baseline = new Option<string?>("--baseline") { Description = "Fail if any suite's pass rate drops below this committed report.", HelpName = "file" };
        var suitesFolder = new Option<string?>("--suites") { Description = "Folder of YAML suites (default: the suites installed with vgac).", HelpName = "dir" };
        var cassettesFolder = new Option<string?>("--cassettes") { Description = "Folder of cassettes (default: 'cassettes' beside the suites folder, else the installed ones).", HelpName = "dir" };
        var command = new Command("eval", "Run eval suites against recorded cassettes (no network) and score them deterministically.") { suite, planner, repeat, report, baseline, suitesFolder, cassettesFolder };
        command.SetAction((parse, ct) => CommandHost.RunAsync(parse, context, async (session, token) =>
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

            var (suitesPath, cassettesPath) = EvalFolders.Resolve(parse.GetValue(suitesFolder), parse.GetValue(cassettesFolder));
            IReadOnlyList<EvalSuite> suites;
            try
            {
                suites = SuiteLoader.Load(suitesPath, parse.GetValue(suite));
            }
            catch (Exception ex) when (ex is InvalidDataException or DirectoryNotFoundException)
            {
                throw new ConfigurationException(ex.Message);
            }

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
        }, ct, connectsToVgac: false));
        return command;
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

        return s.ToString();
    }
}
