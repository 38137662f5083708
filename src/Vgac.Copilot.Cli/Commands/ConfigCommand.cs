using System.CommandLine;
using System.Text;
using System.Text.Json;
using Vgac.Copilot.Cli.Composition;

namespace Vgac.Copilot.Cli.Commands;

/// <summary>
/// <c>vgac config</c>: every setting of every section, where its value came from (default, a file, an environment
/// variable, a flag), secrets masked. An invalid configuration is still shown whole, each error beside its value,
/// and the command exits 2.
/// </summary>
internal sealed class ConfigCommand : VgacCommand
{
    public ConfigCommand(CliContext context)
        : base(context, "config", "Show every setting, where its value came from and what is wrong with it (secrets masked).", CommandNeeds.Vgac | CommandNeeds.Model)
    {
        AddFormat();
        Examples = [("vgac config", "every setting and its source"), ("vgac config -o json | jq '.settings[] | select(.error)'", "only what is wrong")];
    }

    /// <summary>Runs without <see cref="Hosting.CommandHost"/>: an invalid configuration must be shown, not refused.</summary>
    protected override async Task<int> InvokeAsync(ParseResult parse, CancellationToken ct)
    {
        var context = Context;
        {
            ConfigReport report;
            try
            {
                report = ConfigurationReport.Build(context, parse.GetValue(GlobalOptions.ConfigFile), GlobalOptions.ToConfiguration(parse));
            }
            catch (ConfigurationException ex)
            {
                await context.Error.WriteLineAsync($"vgac: {ex.Message}").ConfigureAwait(false);
                return ExitCodes.UsageError;
            }

            await context.Out.WriteAsync(IsJson(parse) ? Json(report) : Text(report)).ConfigureAwait(false);
            if (!report.Valid)
            {
                var count = report.Settings.Count(s => s.Error is not null) + report.Problems.Count;
                await context.Error.WriteLineAsync($"vgac: the configuration has {count} problem{(count == 1 ? "" : "s")}; commands will refuse to start until {(count == 1 ? "it is" : "they are")} fixed.").ConfigureAwait(false);
            }

            return report.Valid ? ExitCodes.Success : ExitCodes.UsageError;
        }
    }

    private static string Text(ConfigReport report)
    {
        var s = new StringBuilder();
        s.AppendLine("Files (later wins; then environment variables, then flags):");
        foreach (var file in report.Files)
        {
            s.AppendLine($"  {file.Role,-9} {file.Path}{(file.Exists ? "" : "  (not found)")}");
        }

        foreach (var problem in report.Problems)
        {
            s.AppendLine($"  error: {problem}");
        }

        foreach (var warning in report.Warnings)
        {
            s.AppendLine($"  WARNING: {warning}");
        }

        s.AppendLine().AppendLine($"Clusters (default: {report.DefaultCluster}):");
        var nameWidth = report.Clusters.Select(c => c.Name.Length).DefaultIfEmpty(7).Max();
        foreach (var cluster in report.Clusters)
        {
            var labels = string.Join(" ", cluster.Labels.Select(l => $"{l.Key}={l.Value}"));
            s.AppendLine($"  {(cluster.Name == report.DefaultCluster ? "*" : " ")} {cluster.Name.PadRight(nameWidth)}  {cluster.Endpoint}{(labels.Length == 0 ? "" : "  " + labels)}");
        }

        var keyWidth = report.Settings.Max(x => x.Key.Length);
        var valueWidth = Math.Min(40, report.Settings.Max(x => x.Value.Length));
        string? section = null;
        foreach (var setting in report.Settings)
        {
            var name = setting.Key.Split(':')[0];
            if (name != section)
            {
                section = name;
                s.AppendLine().AppendLine(name);
            }

            var value = setting.Value.Length <= valueWidth ? setting.Value : setting.Value[..(valueWidth - 1)] + "…";
            s.Append($"  {setting.Key.PadRight(keyWidth)}  {value.PadRight(valueWidth)}  {setting.Source}");
            s.AppendLine(setting.Error is null ? "" : $"{Environment.NewLine}  {"".PadRight(keyWidth)}  error: {setting.Error}");
        }

        return s.ToString();
    }

    private static string Json(ConfigReport report)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            json.WriteStartObject();
            json.WriteBoolean("valid", report.Valid);
            json.WriteStartArray("files");
            foreach (var file in report.Files)
            {
                json.WriteStartObject();
                json.WriteString("role", file.Role);
                json.WriteString("path", file.Path);
                json.WriteBoolean("exists", file.Exists);
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteString("default_cluster", report.DefaultCluster);
            WriteClusters(json, report);
            WriteSettings(json, report.Settings);
            WriteStrings(json, "problems", report.Problems);
            WriteStrings(json, "warnings", report.Warnings);
            json.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.ToArray()) + Environment.NewLine;
    }

    private static void WriteClusters(Utf8JsonWriter json, ConfigReport report)
    {
        json.WriteStartArray("clusters");
        foreach (var cluster in report.Clusters)
        {
            json.WriteStartObject();
            json.WriteString("name", cluster.Name);
            json.WriteString("endpoint", cluster.Endpoint);
            json.WriteBoolean("default", cluster.Name == report.DefaultCluster);
            json.WriteStartObject("labels");
            foreach (var (key, value) in cluster.Labels)
            {
                json.WriteString(key, value);
            }

            json.WriteEndObject();
            json.WriteEndObject();
        }

        json.WriteEndArray();
    }

    /// <summary>Each setting with its value and source; a described one (<see cref="SettingsCatalog"/>) also with what it is and its variable and flag.</summary>
    private static void WriteSettings(Utf8JsonWriter json, IReadOnlyList<ConfigSetting> settings)
    {
        json.WriteStartArray("settings");
        foreach (var setting in settings)
        {
            json.WriteStartObject();
            json.WriteString("key", setting.Key);
            json.WriteString("value", setting.Value);
            json.WriteString("source", setting.Source);
            json.WriteString("error", setting.Error);
            if (SettingsCatalog.Find(setting.Key) is { } described)
            {
                json.WriteString("about", described.About);
                if (described.Variable is { } variable)
                {
                    json.WriteString("variable", variable);
                }

                if (described.Flag is { } flag)
                {
                    json.WriteString("flag", flag);
                }
            }

            json.WriteEndObject();
        }

        json.WriteEndArray();
    }

    private static void WriteStrings(Utf8JsonWriter json, string name, IEnumerable<string> values)
    {
        json.WriteStartArray(name);
        foreach (var value in values)
        {
            json.WriteStringValue(value);
        }

        json.WriteEndArray();
    }
}
