using System.Text.RegularExpressions;
using Vgac.Copilot.Testing;

namespace Vgac.Copilot.Cli.Tests;

/// <summary>The repository is self-contained: a fresh clone anywhere has everything its programs, tests and README use.</summary>
public sealed partial class RepositoryTests
{
    private static readonly string[] TextFiles = [".cs", ".csproj", ".props", ".targets", ".json", ".md", ".yaml", ".yml", ".mjs", ".sh", ".sln", ".txt", ".editorconfig"];
    private static readonly string[] Skipped = ["bin", "obj", "node_modules", "TestResults", ".git", "BenchmarkDotNet.Artifacts"];

    /// <summary>
    /// No file names a place outside the repository: every relative path that goes up must reach something that exists
    /// inside it (from the file's own folder, or from the root, as the README's commands are run); and no file names the
    /// folder the clone happens to sit in.
    /// </summary>
    /// <summary>The docs describe the job-spec schema once; the table must be the schema, field by field, with its flags.</summary>
    [Fact]
    public void Docs_JobSpecTable_IsTheSchema()
    {
        var doc = File.ReadAllText(Path.Combine(Testing.TestPaths.RepoRoot, "docs", "job-specs.md"));
        var section = doc[doc.IndexOf("## Job specs", StringComparison.Ordinal)..];
        var next = section.IndexOf("\n## ", 3, StringComparison.Ordinal);
        section = next < 0 ? section : section[..next];
        var rows = section.Split('\n').Where(l => l.StartsWith("| `", StringComparison.Ordinal))
            .Select(l => l.Split('|', StringSplitOptions.TrimEntries)).ToList();

        Assert.Equal(Core.Jobs.JobSpecSchema.Names, rows.Select(r => r[1].Trim('`')));
        Assert.All(rows, r => Assert.StartsWith($"`{Core.Jobs.JobSpecSchema.Get(r[1].Trim('`'), "README").Flag}`", r[2], StringComparison.Ordinal));
    }

    /// <summary>
    /// No build output is committed: a build that writes outside <c>bin/</c> and <c>obj/</c> (which .gitignore
    /// covers) shows up here before its files reach the history.
    /// </summary>
    [Fact]
    public async Task Repository_TracksNoBuildOutput()
    {
        Assert.SkipUnless(Directory.Exists(Path.Combine(TestPaths.RepoRoot, ".git")), "not a git checkout");
        var run = await ProgramRun.RunAsync("git", ["ls-files", "-z"], TestPaths.RepoRoot, TimeSpan.FromMinutes(1), TestContext.Current.CancellationToken);
        Assert.True(run.ExitCode == 0, run.ToString());

        string[] built = [".dll", ".pdb", ".so", ".dylib", ".exe", ".o", ".dbg", ".deps.json", ".runtimeconfig.json", ".nupkg"];
        var offenders = run.Out.Split('\0', StringSplitOptions.RemoveEmptyEntries)
            .Where(f => built.Any(e => f.EndsWith(e, StringComparison.OrdinalIgnoreCase)) || f.Split('/').Any(part => part is "bin" or "obj"))
            .ToList();
        Assert.True(offenders.Count == 0, $"{offenders.Count} build outputs are tracked, e.g. {string.Join(", ", offenders.Take(5))}");
    }

    [Fact]
    public void Repository_NoFileNamesAPathOutsideIt()
    {
        var root = Path.GetFullPath(TestPaths.RepoRoot).TrimEnd(Path.DirectorySeparatorChar);
        var parent = Path.GetDirectoryName(root)!;
        var offenders = new List<string>();
        foreach (var file in Files(root))
        {
            var text = File.ReadAllText(file);
            var name = Path.GetRelativePath(root, file);
            foreach (Match m in Climbing().Matches(text))
            {
                var relative = m.Value.Replace('\\', '/');
                if (!Reaches(Path.Combine(Path.GetDirectoryName(file)!, relative), root) && !Reaches(Path.Combine(root, relative), root))
                {
                    offenders.Add($"{name} names '{m.Value}', outside the repository");
                }
            }

            if (parent.Length > 1 && text.Contains(parent + "/", StringComparison.Ordinal) && !text.Contains(root, StringComparison.Ordinal))
            {
                offenders.Add($"{name} names the folder the repository sits in ({parent})");
            }
        }

        Assert.True(offenders.Count == 0, string.Join("\n", offenders));
    }

    [Fact]
    public void Reaches_OnlyWhatExistsInsideTheRoot()
    {
        var root = Path.GetFullPath(TestPaths.RepoRoot).TrimEnd(Path.DirectorySeparatorChar);
        var here = Path.Combine(root, "tests", "Vgac.Copilot.Cli.Tests");
        var found = Climbing().Matches("see ../../data/README.md and ..\\Vgac.Copilot.Testing\\TestPaths.cs").Select(m => m.Value).ToList();

        Assert.Equal(2, found.Count);
        Assert.All(found, f => Assert.True(Reaches(Path.Combine(here, f.Replace('\\', '/')), root), f));
        Assert.False(Reaches(Path.Combine(root, ".."), root)); // the folder above the clone
        Assert.False(Reaches(Path.Combine(here, "no-such-folder"), root));
    }

    /// <summary>The path exists and lies inside the root.</summary>
    private static bool Reaches(string path, string root)
    {
        root = root.TrimEnd(Path.DirectorySeparatorChar);
        var full = Path.GetFullPath(path).TrimEnd(Path.DirectorySeparatorChar);
        return (full == root || full.StartsWith(root + Path.DirectorySeparatorChar, StringComparison.Ordinal)) && (File.Exists(full) || Directory.Exists(full));
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
            yield return file;
        }

        foreach (var sub in Directory.EnumerateDirectories(folder).Where(d => !Skipped.Contains(Path.GetFileName(d))))
        {
            foreach (var file in Files(sub))
            {
                yield return file;
            }
        }
    }

    /// <summary>A relative path that starts by going up one or more folders (with either slash), and what follows it.</summary>
    [GeneratedRegex(@"(?<![\w.])(?:\.\.[/\\])+[\w.-]+(?:[/\\][\w.-]+)*")]
    private static partial Regex Climbing();
}
