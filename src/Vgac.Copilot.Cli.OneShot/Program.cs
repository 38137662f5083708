using Vgac.Copilot.Cli;
using Vgac.Copilot.Cli.Hosting;

StartupTimeline.Mark("main");
return await CliApp.RunAsync(args, CliContext.FromConsole() with { Host = OneShotHost.Instance });
