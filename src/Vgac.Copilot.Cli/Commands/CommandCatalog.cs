using System.CommandLine;

namespace Vgac.Copilot.Cli.Commands;

/// <summary>
/// The command tree: each command is a class over <see cref="VgacCommand"/> (groups take their subcommands), made
/// here once, in the order <c>--help</c> lists them. Plain constructors, no container: the tree is built on every run,
/// so it costs no reflection and survives trimming and native compilation.
/// </summary>
internal static class CommandCatalog
{
    public static IReadOnlyList<Command> Create(CliContext context) =>
    [
        new DoctorCommand(context),
        new ConfigCommand(context),
        new ChatCommand(context),
        new AskCommand(context),
        new PredictCommand(context),
        new CalibrationCommand(new CalibrationAuditCommand(context), new CalibrationPsiCommand(context)),
        new McpCommand(context),
        new EvalCommand(context),
        new RecordCommand(context),
        new WatchCommand(context),
        new AuditCommand(context, new AuditExportCommand(context), new AuditPruneCommand(context)),
        new StorageCommand(new StorageMigrateCommand(context), new StorageStatusCommand(context)),
        new ActionsCommand(
            new ActionsListCommand(context), new ActionsShowCommand(context), new ActionsApproveCommand(context), new ActionsRejectCommand(context),
            new ActionsApplyCommand(context)),
        new SimCommand(context),
        new CompletionCommand(context),
    ];
}
