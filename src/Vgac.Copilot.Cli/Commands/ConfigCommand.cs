using System.CommandLine;
using Microsoft.Extensions.Options;
using Vgac.Copilot.Cli.Hosting;
using Vgac.Copilot.Client;
using Vgac.Copilot.Watch;

namespace Vgac.Copilot.Cli.Commands;

/// <summary><c>vgac config</c>: shows the effective configuration, secrets masked.</summary>
internal static class ConfigCommand
{
    public static Command Create(CliContext context)
    {
        var command = new Command("config", "Show the effective configuration (files, environment and flags merged; secrets masked).");
        command.SetAction((parse, ct) => CommandHost.RunAsync(parse, context, async (session, _) =>
        {
            var vgac = session.Get<IOptions<VgacClientOptions>>().Value;
            var watch = session.Get<WatchOptions>();
            var rows = new (string Key, string Value)[]
            {
                ("Vgac:BaseUrl", vgac.BaseUrl),
                ("Vgac:ApiKey", string.IsNullOrEmpty(vgac.ApiKey) ? "(not set)" : "(set, hidden)"),
                ("Vgac:ApiKeyHeader", vgac.ApiKeyHeader),
                ("Vgac:TimeoutSeconds", vgac.TimeoutSeconds.ToString("0.###", System.Globalization.CultureInfo.InvariantCulture)),
                ("Vgac:MaxRetries", vgac.MaxRetries.ToString(System.Globalization.CultureInfo.InvariantCulture)),
                ("Log:ConsoleLevel", session.Configuration["Log:ConsoleLevel"] ?? "Error"),
                ("Log:Directory", session.Configuration["Log:Directory"] ?? "(user data folder)/vgac/logs"),
                ("Watch:AuditPath", session.Get<AuditStore>().Path),
                ("Watch:Autonomy", watch.Autonomy.ToString().ToLowerInvariant()),
                ("Watch:IntervalSeconds", watch.IntervalSeconds.ToString("0.###", System.Globalization.CultureInfo.InvariantCulture)),
                ("Watch:Webhook:Url", string.IsNullOrEmpty(watch.Webhook.Url) ? "(not set: notifications are dry runs)" : "(set, hidden)"),
                ("Watch:Command:Path", watch.Command.Path ?? "(not set: Kubernetes/Slurm effects are previews)"),
            };
            var width = rows.Max(r => r.Key.Length);
            foreach (var (key, value) in rows)
            {
                await session.Out.WriteLineAsync($"{key.PadRight(width)}  {value}").ConfigureAwait(false);
            }

            return ExitCodes.Success;
        }, ct));
        return command;
    }
}
