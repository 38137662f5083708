using Vgac.Copilot.Storage.Postgres;
using Vgac.Copilot.Storage.Sqlite;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Vgac.Copilot.Agent;
using Vgac.Copilot.Core.Settings;
using Vgac.Copilot.Plugins;
using Vgac.Copilot.Watch;

namespace Vgac.Copilot.Cli.Composition;

/// <summary>The product's wiring, shared by every command and by the MCP host: configuration, logging, client, core, plugins.</summary>
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
            $"{configuration["Cluster:Name"]}|{configuration["Vgac:BaseUrl"]}|{configuration["Watch:AuditPath"] ?? Vgac.Copilot.Audit.AuditStore.DefaultPath()}",
            () => Vgac.Copilot.Audit.Storage.TrailKey.Resolve(new Vgac.Copilot.Audit.Storage.StorageOptions
            {
                AuditKey = configuration["Storage:AuditKey"],
                AuditKeyFile = configuration["Storage:AuditKeyFile"],
            })));
        services.AddCopilotTools();
        if (Hosting.FullProgram.IsOneShotBuild)
        {
            // No planners, and so no model connector, in the native one-shot vgac (chat and ask run in vgac-full); the
            // model's settings are still checked there (vgac config).
            services.AddLlmOptions();
        }
        else
        {
            services.AddCopilotAgent();
        }

        services.AddVgacWatch();
        services.AddSqliteStorage();
        services.AddPostgresStorage();
        return services;
    }
}
