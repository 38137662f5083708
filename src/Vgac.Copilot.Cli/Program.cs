using Vgac.Copilot.Cli;

Vgac.Copilot.Cli.Hosting.StartupTimeline.Mark("main");
return await CliApp.RunAsync(args, CliContext.FromConsole());
