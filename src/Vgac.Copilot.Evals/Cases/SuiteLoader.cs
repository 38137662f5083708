using YamlDotNet.Core;
using YamlDotNet.Serialization;
using YamlDotNet.Serialization.NamingConventions;

namespace Vgac.Copilot.Evals.Cases;

/// <summary>Reads the YAML suites under <c>evals/suites/</c>; a malformed file is an error naming it and the line.</summary>
public static class SuiteLoader
{
    private static readonly IDeserializer Yaml = new DeserializerBuilder().WithNamingConvention(UnderscoredNamingConvention.Instance).Build();

    public static IReadOnlyList<EvalSuite> Load(string folder, string? only = null)
    {
        if (!Directory.Exists(folder))
        {
            throw new DirectoryNotFoundException($"No eval suites at '{folder}'.");
        }

        var suites = new List<EvalSuite>();
        foreach (var file in Directory.GetFiles(folder, "*.yaml").Order(StringComparer.Ordinal))
        {
            EvalSuite suite;
            try
            {
                suite = Yaml.Deserialize<EvalSuite>(File.ReadAllText(file)) ?? throw new InvalidDataException($"{file}: empty suite.");
            }
            catch (YamlException ex)
            {
                throw new InvalidDataException($"{file}: line {ex.Start.Line}, column {ex.Start.Column}: {ex.Message}", ex);
            }

            suite.File = file;
            if (string.IsNullOrWhiteSpace(suite.Suite))
            {
                suite.Suite = Path.GetFileNameWithoutExtension(file);
            }

            var duplicate = suite.Cases.GroupBy(c => c.Id).FirstOrDefault(g => g.Count() > 1);
            if (duplicate is not null)
            {
                throw new InvalidDataException($"{file}: case id '{duplicate.Key}' is used twice.");
            }

            if (only is null || string.Equals(suite.Suite, only, StringComparison.OrdinalIgnoreCase))
            {
                suites.Add(suite);
            }
        }

        return only is not null && suites.Count == 0 ? throw new InvalidDataException($"No suite named '{only}' in {folder}.") : suites;
    }
}
