using Vgac.Copilot.Storage.Postgres;
using Vgac.Copilot.Storage.Sqlite;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Vgac.Copilot.Actions;
using Vgac.Copilot.Client;
using Vgac.Copilot.Core;
using Vgac.Copilot.Core.Settings;

namespace Vgac.Copilot.Cli.Composition;

/// <summary>
/// The library's wiring, shared by every command of both programs and by the MCP host: configuration, logging, the
/// VGAC client, the core (guards, calibration, prediction), the actions' audited path and the stores. What a program
/// carries beyond it, its host adds (<see cref="Hosting.CliHost.AddServices"/>).
/// </summary>
internal static class CopilotServices
{
    public static IServiceCollection AddCopilotServices(this IServiceCollection services, IConfiguration configuration)
    {
        // Replace, not add: a host builder registers its own (empty) configuration first.
        services.Replace(ServiceDescriptor.Singleton(configuration));
        services.TryAddSingleton(TimeProvider.System);
        // The run's redactor when the CLI registered one (it knows the environment too), else one from this configuration.
        var secrets = services.FirstOrDefault(d => d.ServiceType == typeof(Core.Text.SecretRedactor))?.ImplementationInstance as Core.Text.SecretRedactor
            ?? new Core.Text.SecretRedactor().Learn(configuration);
        services.TryAddSingleton(secrets);
        services.AddCliLogging(configuration.GetSection(LogOptions.SectionName).Get<LogOptions>() ?? new LogOptions(), secrets);
        // One-shot runs share what they read with the user's next ones: a script's `vgac predict` makes one VGAC call.
        services.TryAddSingleton<Core.Caching.ISharedCache>(new Hosting.FileSharedCache(
            Path.Combine(Commands.ChatSettings.Resolve(configuration), "cache"),
            $"{configuration["Cluster:Name"]}|{configuration["Vgac:BaseUrl"]}|{configuration[Vgac.Copilot.Audit.AuditServiceCollectionExtensions.SqlitePathKey] ?? Vgac.Copilot.Audit.AuditStore.DefaultPath()}",
            () => Vgac.Copilot.Audit.Storage.TrailKey.Resolve(new Vgac.Copilot.Audit.Storage.StorageOptions
            {
                AuditKey = configuration["Storage:AuditKey"],
                AuditKeyFile = configuration["Storage:AuditKeyFile"],
            })));
        services.AddVgacClient();
        services.AddCopilotCore();
        services.AddVgacActions();
        // Every program reports and checks the model's and the watch's settings (vgac config), whether or not it carries them.
        services.AddLlmOptions();
        services.AddWatchOptions();
        services.AddSqliteStorage();
        services.AddPostgresStorage();
        return services;
    }
}
