using System.Diagnostics;

namespace Vgac.Copilot.Cli.Hosting;

/// <summary>
/// Where a run's start-up time goes: with <c>VGAC_STARTUP_TIMELINE=1</c>, each phase's time since the process
/// started is written to stderr, with what has been allocated by then ("startup: host built 41.2 ms (3.1 MB
/// allocated, 0 GCs)"). Off, a mark costs one static read. The startup
/// benchmark reads these lines; nothing else does.
/// </summary>
internal static class StartupTimeline
{
    public const string Variable = "VGAC_STARTUP_TIMELINE";

    private static readonly bool Enabled = Environment.GetEnvironmentVariable(Variable) == "1";

    private static readonly DateTime ProcessStart = Enabled ? Process.GetCurrentProcess().StartTime.ToUniversalTime() : default;

    public static void Mark(string phase)
    {
        if (Enabled)
        {
            Console.Error.WriteLine(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"startup: {phase} {(DateTime.UtcNow - ProcessStart).TotalMilliseconds:0.0} ms ({GC.GetTotalAllocatedBytes() / 1048576.0:0.0} MB allocated, {GC.CollectionCount(0)} GCs)"));
        }
    }
}
