using System.CommandLine;

namespace Vgac.Copilot.Cli.Commands;

/// <summary>
/// The command tree: each command is a class over <see cref="VgacCommand"/> (groups take their subcommands), made
/// here once, in the order <c>--help</c> lists them. The full program's own commands come from the program's host
/// (<see cref="Hosting.CliHost"/>): the commands themselves, or stand-ins that hand them over. Plain constructors, no container: the tree is built on every run,
/// so it costs no reflection and survives trimming and native compilation.
/// </summary>
internal static class CommandCatalog
{
    public static IReadOnlyList<Command> Create(CliContext context) =>
    [
        new DoctorCommand(context),
        new ConfigCommand(context),
        context.Host.Command(context, FullCommands.Chat),
        context.Host.Command(context, FullCommands.Ask),
        new PredictCommand(context),
        new CalibrationCommand(new CalibrationAuditCommand(context), new CalibrationPsiCommand(context)),
        context.Host.Command(context, FullCommands.Mcp),
        context.Host.Command(context, FullCommands.Eval),
        context.Host.Command(context, FullCommands.Record),
        context.Host.Command(context, FullCommands.Watch),
        new AuditCommand(context, new AuditExportCommand(context), new AuditPruneCommand(context)),
        new StorageCommand(new StorageMigrateCommand(context), new StorageStatusCommand(context)),
        new ActionsCommand(
            new ActionsListCommand(context), new ActionsShowCommand(context), new ActionsApproveCommand(context), new ActionsRejectCommand(context),
            new ActionsApplyCommand(context),
            new ActionsReleaseCommand(context)),
        context.Host.Command(context, FullCommands.Sim),
        context.Host.Command(context, FullCommands.Admission),
        new CompletionCommand(context),
    ];
}
