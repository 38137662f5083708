using System.Text.RegularExpressions;

namespace Vgac.Copilot.Tools.Catalog;

/// <summary>A prompt file: front matter (name, description, arguments) and a template body with <c>{{argument}}</c> slots.</summary>
public sealed record PromptTemplate(string Name, string Description, IReadOnlyList<string> Arguments, string Body, string File)
{
    /// <summary>Fills every slot; a slot without a value is an error naming it.</summary>
    public string Render(IReadOnlyDictionary<string, string> values) => PromptCatalog.Fill(Body, values, File);

    public string RenderDescription(IReadOnlyDictionary<string, string> values) => PromptCatalog.Fill(Description, values, File, lenient: true);
}

/// <summary>
/// Loads the prompt files under <c>prompts/</c> (copied beside the program). Prompts are data, not C# strings:
/// changing one is a change to a file that evals and tests see.
/// </summary>
public static partial class PromptCatalog
{
    public static string Root => Path.Combine(AppContext.BaseDirectory, "prompts");

    public static IReadOnlyList<PromptTemplate> Load(string folder)
    {
        var directory = Path.Combine(Root, folder);
        if (!Directory.Exists(directory))
        {
            throw new DirectoryNotFoundException($"Prompt folder '{directory}' is missing; the build copies prompts/ beside the program.");
        }

        return [.. Directory.GetFiles(directory, "*.md").Order(StringComparer.Ordinal).Select(Parse)];
    }

    /// <summary>A prompt file with no front matter (the MCP server's instructions), its <c>{{slots}}</c> filled.</summary>
    public static string Text(string relativePath, IReadOnlyDictionary<string, string>? values = null)
    {
        var file = Path.Combine(Root, relativePath);
        var text = System.IO.File.ReadAllText(file).ReplaceLineEndings("\n").Trim();
        return values is null ? text : Fill(text, values, file);
    }

    public static PromptTemplate Parse(string file)
    {
        var text = System.IO.File.ReadAllText(file).ReplaceLineEndings("\n");
        var match = FrontMatter().Match(text);
        if (!match.Success)
        {
            throw new FormatException($"{file}: expected front matter between '---' lines with name, description and arguments.");
        }

        var fields = match.Groups["meta"].Value.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(l => l.Split(':', 2))
            .ToDictionary(p => p[0].Trim(), p => p.Length > 1 ? p[1].Trim() : "", StringComparer.Ordinal);
        string Field(string key) => fields.TryGetValue(key, out var v) && v.Length > 0 ? v : throw new FormatException($"{file}: front matter needs '{key}'.");
        var arguments = fields.TryGetValue("arguments", out var a)
            ? a.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
            : [];
        return new PromptTemplate(Field("name"), Field("description"), arguments, match.Groups["body"].Value.Trim(), file);
    }

    internal static string Fill(string template, IReadOnlyDictionary<string, string> values, string file, bool lenient = false) =>
        Slot().Replace(template, m => values.TryGetValue(m.Groups[1].Value, out var value)
            ? value
            : lenient ? "" : throw new KeyNotFoundException($"{file}: no value for '{{{{{m.Groups[1].Value}}}}}'."));

    [GeneratedRegex(@"^---\n(?<meta>.*?)\n---\n(?<body>.*)$", RegexOptions.Singleline)]
    private static partial Regex FrontMatter();

    [GeneratedRegex(@"\{\{(\w+)\}\}")]
    private static partial Regex Slot();
}
