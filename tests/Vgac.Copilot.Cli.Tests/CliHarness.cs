using Vgac.Copilot.Testing;

namespace Vgac.Copilot.Cli.Tests;

/// <summary>Runs <c>vgac</c> in-process with captured streams and an explicit environment: the full program, or the one-shot one.</summary>
internal static class CliHarness
{
    public static Task<CliResult> RunAsync(string[] args, IDictionary<string, string>? environment = null, CancellationToken cancellationToken = default, string? input = null) =>
        RunAsync(Hosting.FullHost.Instance, args, environment, cancellationToken, input);

    public static async Task<CliResult> RunAsync(Hosting.CliHost host, string[] args, IDictionary<string, string>? environment = null, CancellationToken cancellationToken = default, string? input = null)
    {
        var env = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            // Keep test runs out of the user's log folder.
            ["VGAC_LOG_DIR"] = TestPaths.Logs,

            // ...out of the user's chat history and saved sessions...
            ["VGAC_DATA_DIR"] = TestPaths.NewFolder("data-"),

            // ...out of the user's configuration (and so the audit key: one for the whole test run, like a user's)...
            ["XDG_CONFIG_HOME"] = CliProcess.NoUserConfig,

            // ...and out of the user's audit trail (calibration audits are persisted there).
            ["VGAC_AUDIT_DB"] = Path.Combine(TestPaths.NewFolder("audit-"), "audit.db"),
        };
        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            env[key] = value;
        }

        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var context = new CliContext(stdout, stderr, env) { In = input is null ? TextReader.Null : new StringReader(input), Host = host };
        var code = await CliApp.RunAsync(args, context, cancellationToken);
        return new CliResult(code, stdout.ToString(), stderr.ToString());
    }
}
