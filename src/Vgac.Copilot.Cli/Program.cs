using Vgac.Copilot.Cli;

return await CliApp.RunAsync(args, CliContext.FromConsole());
