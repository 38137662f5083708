using System.Globalization;
using Microsoft.Extensions.Configuration;
using Vgac.Copilot.Contracts;
using Vgac.Copilot.Simulator;

namespace Vgac.Copilot.Cli.Hosting;

/// <summary>Binds and checks the <c>Simulator</c> section; a bad value is a one-line error naming the setting.</summary>
internal static class SimulatorSettings
{
    public static SimulatorOptions Bind(IConfiguration configuration)
    {
        var options = new SimulatorOptions();
        configuration.GetSection(SimulatorOptions.SectionName).Bind(options);
        var problems = new List<string>();
        if (!(options.Speed is >= 0 and <= 100_000))
        {
            problems.Add($"Simulator:Speed (--speed) must be between 0 and 100000, got {Format(options.Speed)}.");
        }

        if (!(options.WarmupHours is >= 0 and <= 24 * 90))
        {
            problems.Add($"Simulator:WarmupHours must be between 0 and 2160, got {Format(options.WarmupHours)}.");
        }

        if (!(options.LongWaitThresholdSeconds > 0))
        {
            problems.Add($"Simulator:LongWaitThresholdSeconds must be positive, got {Format(options.LongWaitThresholdSeconds)}.");
        }

        if (!(options.ArrivalsPerHour is > 0 and <= 10_000))
        {
            problems.Add($"Simulator:ArrivalsPerHour must be in (0, 10000], got {Format(options.ArrivalsPerHour)}.");
        }

        if (options.Flavor == SchedulerType.Unknown)
        {
            problems.Add("Simulator:Flavor (--flavor) must be kubernetes or slurm.");
        }

        if (options.TracePath is { } trace && !File.Exists(trace))
        {
            problems.Add($"Simulator:TracePath (--trace): file '{trace}' does not exist.");
        }

        if (!(options.TraceStartHours >= 0 && double.IsFinite(options.TraceStartHours)))
        {
            problems.Add($"Simulator:TraceStartHours (--trace-start-hours) must be 0 or more, got {Format(options.TraceStartHours)}.");
        }

        if (options.TraceTiming is not ("simulate" or "recorded"))
        {
            problems.Add($"Simulator:TraceTiming (--trace-timing) must be simulate or recorded, got '{options.TraceTiming}'.");
        }

        if (options.TraceFormat is not ("auto" or "alibaba" or "slurm-dataset" or "swf"))
        {
            problems.Add($"Simulator:TraceFormat (--trace-format) must be auto, alibaba, slurm-dataset or swf, got '{options.TraceFormat}'.");
        }

        return problems.Count == 0 ? options : throw new Composition.ConfigurationException("invalid configuration: " + string.Join(" ", problems));
    }

    private static string Format(double value) => value.ToString(CultureInfo.InvariantCulture);
}
