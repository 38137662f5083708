namespace Vgac.Copilot.Core.Clusters;

/// <summary>A configured cluster as every face shows it: its name, where its VGAC is (no credentials), and its labels.</summary>
public sealed record ClusterInfo(string Name, string Endpoint, IReadOnlyDictionary<string, string> Labels);

/// <summary>
/// The clusters this run serves, each with services of its own (client, calibration, guards, audit trail), built
/// when first asked for. Nothing is shared between two clusters' guards: a drifted model on one never changes what
/// another may do.
/// </summary>
public interface IClusterDirectory
{
    /// <summary>Every cluster, in configuration order.</summary>
    IReadOnlyList<ClusterInfo> Clusters { get; }

    /// <summary>The cluster questions and tools go to when they name none (<c>--cluster</c>; the REPL's <c>/cluster</c> changes it).</summary>
    string Current { get; set; }

    /// <summary>One cluster's services (started on first use: a demo cluster's simulator, say).</summary>
    /// <exception cref="KeyNotFoundException">No cluster has that name.</exception>
    Task<IServiceProvider> ServicesAsync(string name, CancellationToken cancellationToken);
}

/// <summary>Helpers over a directory.</summary>
public static class ClusterDirectoryExtensions
{
    public static bool Has(this IClusterDirectory directory, string name) => directory.Clusters.Any(c => c.Name == name);

    /// <summary>The names, comma-separated, for messages.</summary>
    public static string NameList(this IClusterDirectory directory) => string.Join(", ", directory.Clusters.Select(c => c.Name));
}
