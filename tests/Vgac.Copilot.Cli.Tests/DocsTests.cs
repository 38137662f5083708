using System.Text.RegularExpressions;
using Vgac.Copilot.Testing;

namespace Vgac.Copilot.Cli.Tests;

/// <summary>A README for users, docs for the rest: the README stays short, and no link in the docs leads nowhere.</summary>
public sealed partial class DocsTests
{
    private static IEnumerable<string> Documents() =>
        new[] { "README.md", "CONTRIBUTING.md" }.Select(f => Path.Combine(TestPaths.RepoRoot, f))
            .Concat(Directory.GetFiles(Path.Combine(TestPaths.RepoRoot, "docs"), "*.md", SearchOption.AllDirectories));

    [Fact]
    public void Readme_IsForUsers_AtMost250Lines()
    {
        var lines = File.ReadAllLines(Path.Combine(TestPaths.RepoRoot, "README.md"));

        Assert.True(lines.Length <= 250, $"README.md has {lines.Length} lines; move the detail into docs/");
    }

    [Fact]
    public void Docs_EveryRelativeLink_ReachesAFileAndItsHeading()
    {
        var broken = new List<string>();
        foreach (var document in Documents())
        {
            var text = File.ReadAllText(document);
            foreach (Match link in Link().Matches(text))
            {
                var target = link.Groups["target"].Value;
                if (target.Contains("://", StringComparison.Ordinal) || target.StartsWith("mailto:", StringComparison.Ordinal))
                {
                    continue;
                }

                var parts = target.Split('#', 2);
                var file = parts[0].Length == 0 ? document : Path.GetFullPath(Path.Combine(Path.GetDirectoryName(document)!, parts[0]));
                var name = Path.GetRelativePath(TestPaths.RepoRoot, document);
                if (!File.Exists(file) && !Directory.Exists(file))
                {
                    broken.Add($"{name}: {target} (no such file)");
                }
                else if (parts.Length == 2 && File.Exists(file) && !Slugs(File.ReadAllText(file)).Contains(parts[1]))
                {
                    broken.Add($"{name}: {target} (no such heading)");
                }
            }
        }

        Assert.True(broken.Count == 0, string.Join('\n', broken));
    }

    /// <summary>The anchors a Markdown renderer gives the headings: lower case, punctuation dropped, spaces as hyphens.</summary>
    private static HashSet<string> Slugs(string markdown)
    {
        var inCode = false;
        var slugs = new HashSet<string>(StringComparer.Ordinal);
        foreach (var line in markdown.Split('\n'))
        {
            if (line.StartsWith("```", StringComparison.Ordinal))
            {
                inCode = !inCode;
            }
            else if (!inCode && Heading().Match(line) is { Success: true } h)
            {
                slugs.Add(string.Concat(h.Groups["title"].Value.Trim().ToLowerInvariant().Where(c => char.IsLetterOrDigit(c) || c is ' ' or '-' or '_')).Replace(' ', '-'));
            }
        }

        return slugs;
    }

    [GeneratedRegex(@"\[[^\]]*\]\((?<target>[^)\s]+)\)")]
    private static partial Regex Link();

    [GeneratedRegex(@"^#{1,6}\s+(?<title>.+)$")]
    private static partial Regex Heading();
}
