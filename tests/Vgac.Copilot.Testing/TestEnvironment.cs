using System.Diagnostics;

namespace Vgac.Copilot.Testing;

/// <summary>
/// The one environment every vgac a test starts runs in: this run's own configuration home (so no developer's
/// <c>~/.config/vgac</c> steers it, and one audit key serves the whole run), data and log folders under the run's
/// temporary root, never the real user's.
/// </summary>
public static class TestEnvironment
{
    /// <summary>The variables, before a test's own (which win).</summary>
    public static IReadOnlyDictionary<string, string> Defaults() => new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["XDG_CONFIG_HOME"] = CliProcess.NoUserConfig,
        ["VGAC_DATA_DIR"] = TestPaths.NewFolder("data-"),
        ["VGAC_LOG_DIR"] = TestPaths.Logs,
    };

    /// <summary>Puts <see cref="Defaults"/> into a child's environment, then <paramref name="environment"/> over them.</summary>
    public static ProcessStartInfo Apply(ProcessStartInfo info, IEnumerable<KeyValuePair<string, string>>? environment = null)
    {
        foreach (var (key, value) in Defaults().Concat(environment ?? []))
        {
            info.Environment[key] = value;
        }

        return info;
    }
}
