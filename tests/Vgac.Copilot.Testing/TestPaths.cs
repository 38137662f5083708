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

    internal static string Metadata(string key) =>
        typeof(TestPaths).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == key).Value
        ?? throw new InvalidOperationException($"Assembly metadata '{key}' is missing.");
}
