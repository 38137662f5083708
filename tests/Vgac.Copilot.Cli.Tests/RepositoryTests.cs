using Vgac.Copilot.Testing;

namespace Vgac.Copilot.Cli.Tests;

/// <summary>The repository is self-contained: a fresh clone anywhere has everything its programs, tests and README use.</summary>
public sealed class RepositoryTests
{
    private static readonly string[] TextFiles = [".cs", ".csproj", ".props", ".targets", ".json", ".md", ".yaml", ".yml", ".mjs", ".sh", ".sln", ".txt", ".editorconfig"];
    private static readonly string[] Skipped = ["bin", "obj", "node_modules", "TestResults", ".git", "BenchmarkDotNet.Artifacts"];

    /// <summary>Ways a file could reach outside the repository: the workspace's shared folder, or this machine's layout.</summary>
    private static readonly string[] Outside = ["../shared", "shared/data", "shared/seed", "/work/"];

    [Fact]
    public void Repository_NoFileNamesAPathOutsideIt()
    {
        var offenders = new List<string>();
        foreach (var file in Files(TestPaths.RepoRoot))
        {
            var text = File.ReadAllText(file);
            offenders.AddRange(Outside.Where(o => text.Contains(o, StringComparison.Ordinal)).Select(o => $"{Path.GetRelativePath(TestPaths.RepoRoot, file)} names '{o}'"));
        }

        Assert.True(offenders.Count == 0, string.Join("\n", offenders));
    }

    [Fact]
    public void Data_EveryDatasetHasItsProvenanceInTheReadme()
    {
        var readme = File.ReadAllText(TestPaths.DataFile("README.md"));
        foreach (var folder in Directory.EnumerateDirectories(TestPaths.Data))
        {
            Assert.Contains($"## {Path.GetFileName(folder)}/", readme, StringComparison.Ordinal);
        }

        Assert.Contains("licence", readme, StringComparison.OrdinalIgnoreCase);
    }

    private static IEnumerable<string> Files(string folder)
    {
        foreach (var file in Directory.EnumerateFiles(folder).Where(f => TextFiles.Contains(Path.GetExtension(f)) || Path.GetFileName(f) == "run"))
        {
            // This test names the forbidden paths itself.
            if (!file.EndsWith(nameof(RepositoryTests) + ".cs", StringComparison.Ordinal))
            {
                yield return file;
            }
        }

        foreach (var sub in Directory.EnumerateDirectories(folder).Where(d => !Skipped.Contains(Path.GetFileName(d))))
        {
            foreach (var file in Files(sub))
            {
                yield return file;
            }
        }
    }
}
