using System.CommandLine;
using Microsoft.Extensions.DependencyInjection;

namespace Vgac.Copilot.Cli.Commands;

/// <summary>
/// The command tree, built by dependency injection: each command is a class over <see cref="VgacCommand"/> (groups
/// get their subcommands injected), registered here once, in the order <c>--help</c> lists them.
/// </summary>
internal static class CommandCatalog
{
    public static IReadOnlyList<Command> Create(CliContext context)
    {
        var services = new ServiceCollection().AddSingleton(context);
        Type[] leaves =
        [
            typeof(CalibrationAuditCommand), typeof(CalibrationPsiCommand),
            typeof(ActionsListCommand), typeof(ActionsShowCommand), typeof(ActionsApproveCommand), typeof(ActionsRejectCommand), typeof(ActionsApplyCommand),
        ];
        foreach (var type in leaves.Concat(TopLevel))
        {
            services.AddSingleton(type);
        }

        using var provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true });
        return [.. TopLevel.Select(t => (Command)provider.GetRequiredService(t))];
    }

    /// <summary>The top-level commands, in help order.</summary>
    private static readonly Type[] TopLevel =
    [
        typeof(DoctorCommand), typeof(ConfigCommand), typeof(ChatCommand), typeof(AskCommand), typeof(PredictCommand), typeof(CalibrationCommand),
        typeof(McpCommand), typeof(EvalCommand), typeof(RecordCommand), typeof(WatchCommand), typeof(AuditCommand), typeof(ActionsCommand),
        typeof(SimCommand), typeof(CompletionCommand),
    ];
}
