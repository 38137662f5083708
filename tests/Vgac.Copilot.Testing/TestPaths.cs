using System.Reflection;

namespace Vgac.Copilot.Testing;

/// <summary>Paths the build stamps into this assembly: the real <c>vgac.dll</c> and the repository's root.</summary>
public static class TestPaths
{
    /// <summary>The repository's <c>data/</c> folder (traces and prediction samples, with their provenance).</summary>
    public static string Data => Path.Combine(RepoRoot, "data");

    public static string DataFile(params string[] parts) => Path.Combine([Data, .. parts]);

    /// <summary>The repository's root folder.</summary>
    public static string RepoRoot => Metadata("RepoRoot");

    /// <summary>The build configuration these tests (and the programs beside them) were built in.</summary>
    public static string Configuration => Metadata("Configuration");

    private static readonly Lazy<string> RunRoot = new(() =>
    {
        var root = Directory.CreateTempSubdirectory("vgac-test-run-").FullName;
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            try
            {
                Directory.Delete(root, recursive: true);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                // A process still writing there: the system's temp cleaning takes the rest.
            }
        };
        return root;
    });

    /// <summary>
    /// This test run's own temporary folder (created on first use, removed when the run ends): tests and the
    /// programs they start keep logs and other per-run files under it, never in the system temp folder itself.
    /// </summary>
    public static string Run => RunRoot.Value;

    /// <summary>The log folder every in-process and child run of vgac uses (<c>VGAC_LOG_DIR</c>).</summary>
    public static string Logs => Directory.CreateDirectory(Path.Combine(Run, "logs")).FullName;

    /// <summary>A new, empty folder of this run's (removed with it), named <paramref name="prefix"/> and a unique suffix.</summary>
    public static string NewFolder(string prefix) => Directory.CreateDirectory(Path.Combine(Run, $"{prefix}{Guid.NewGuid():N}")).FullName;

    internal static string Metadata(string key) =>
        typeof(TestPaths).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == key).Value
        ?? throw new InvalidOperationException($"Assembly metadata '{key}' is missing.");
}
