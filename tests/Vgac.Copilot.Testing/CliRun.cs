using System.Diagnostics;

namespace Vgac.Copilot.Testing;

/// <summary>Result of running <c>vgac</c>: exit code and what it printed.</summary>
public sealed record CliResult(int ExitCode, string Out, string Error)
{
    public override string ToString() => $"exit {ExitCode}\n--- stdout\n{Out}\n--- stderr\n{Error}";
}

/// <summary>Runs the real <c>vgac</c> program as a child process (<c>dotnet vgac.dll</c>), as a user would.</summary>
public static class CliProcess
{
    public static string VgacDll => TestPaths.Metadata("VgacDll");

    /// <summary>An empty configuration home, so a developer's own <c>~/.config/vgac/config.json</c> never steers a test.</summary>
    public static string NoUserConfig { get; } = TestPaths.NewFolder("no-user-config-");

    /// <summary>Runs <c>vgac</c> with <paramref name="args"/>; <paramref name="input"/> is what it reads on stdin (closed at once when null).</summary>
    public static async Task<CliResult> RunAsync(IEnumerable<string> args, IDictionary<string, string>? environment = null, TimeSpan? timeout = null, CancellationToken cancellationToken = default, string? input = null)
    {
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(VgacDll);
        TestEnvironment.Apply(info);
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            info.Environment[key] = value;
        }

        using var process = Process.Start(info)!;
        if (input is not null)
        {
            await process.StandardInput.WriteAsync(input.AsMemory(), cancellationToken);
        }

        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        cts.CancelAfter(timeout ?? TimeSpan.FromSeconds(60));
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }

        return new CliResult(process.ExitCode, await stdout, await stderr);
    }
}

/// <summary>Runs another program (node, npm) to completion, as a user would, killing it if it outlives the timeout.</summary>
public static class ProgramRun
{
    public static async Task<CliResult> RunAsync(string file, IEnumerable<string> args, string workingDirectory, TimeSpan timeout, CancellationToken cancellationToken, IDictionary<string, string>? environment = null)
    {
        var info = new ProcessStartInfo(file) { WorkingDirectory = workingDirectory, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        TestEnvironment.Apply(info);
        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            info.Environment[key] = value;
        }

        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        cts.CancelAfter(timeout);
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }
        }

        return new CliResult(process.ExitCode, await stdout, await stderr);
    }
}
