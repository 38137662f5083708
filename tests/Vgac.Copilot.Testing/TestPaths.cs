using System.Reflection;

namespace Vgac.Copilot.Testing;

/// <summary>Paths the build stamps into this assembly: the real <c>vgac.dll</c>, and <c>../shared/data</c>.</summary>
public static class TestPaths
{
    /// <summary>The shared data folder beside the repository (traces and prediction samples; never copied in).</summary>
    public static string SharedData => Metadata("SharedDataDir");

    public static string SharedFile(params string[] parts) => Path.Combine([SharedData, .. parts]);

    /// <summary>The repository's root folder.</summary>
    public static string RepoRoot => Metadata("RepoRoot");

    internal static string Metadata(string key) =>
        typeof(TestPaths).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == key).Value
        ?? throw new InvalidOperationException($"Assembly metadata '{key}' is missing.");
}
