using System.Diagnostics;

namespace Vgac.Copilot.Testing;

/// <summary>
/// A program at a real pseudo-terminal: a tmux server of its own (its own socket), one window of a fixed size, keys
/// sent as a person types them, and the screen read back as text.
/// </summary>
public sealed class TmuxSession : IAsyncDisposable
{
    private readonly string _socket = $"vgac-test-{Guid.NewGuid():N}";

    private TmuxSession()
    {
    }

    public static bool Available => File.Exists("/usr/bin/tmux") || File.Exists("/usr/local/bin/tmux") || File.Exists("/bin/tmux");

    /// <summary>Runs <paramref name="arguments"/> (the program first) in a <paramref name="width"/> x <paramref name="height"/> terminal.</summary>
    public static async Task<TmuxSession> StartAsync(IReadOnlyList<string> arguments, IDictionary<string, string> environment, string folder, int width = 120, int height = 40)
    {
        var session = new TmuxSession();
        var script = Path.Combine(folder, $"run-{Guid.NewGuid():N}.sh");
        var exports = string.Join('\n', environment.Select(kv => $"export {kv.Key}='{kv.Value.Replace("'", "'\\''", StringComparison.Ordinal)}'"));
        var command = string.Join(' ', arguments.Select(a => $"'{a.Replace("'", "'\\''", StringComparison.Ordinal)}'"));
        // The shell stays after the program ends, so its last screen can still be read; it catches Ctrl+C itself
        // (a handler, not an ignore, which the program would inherit) so a Ctrl+C meant for the program does not end it.
        await File.WriteAllTextAsync(script, $"{exports}\nexport TERM=xterm-256color\ntrap ':' INT\n{command}\necho \"[exit $?]\"\nsleep 600\n");
        await session.RunAsync("new-session", "-d", "-s", "main", "-x", width.ToString(System.Globalization.CultureInfo.InvariantCulture), "-y", height.ToString(System.Globalization.CultureInfo.InvariantCulture), "bash " + script);
        return session;
    }

    /// <summary>Types text literally.</summary>
    public Task TypeAsync(string text) => RunAsync("send-keys", "-t", "main", "-l", text);

    /// <summary>Presses keys by tmux name: Enter, BSpace, Up, C-c, C-r, C-u ...</summary>
    public Task PressAsync(params string[] keys) => RunAsync(["send-keys", "-t", "main", .. keys]);

    /// <summary>The screen as it is now, one string per row.</summary>
    public async Task<string> ScreenAsync() => await RunAsync("capture-pane", "-p", "-t", "main");

    /// <summary>Waits until the screen shows what <paramref name="done"/> looks for; the screen either way.</summary>
    public async Task<string> WaitForAsync(Func<string, bool> done, TimeSpan timeout, string what)
    {
        var clock = Stopwatch.StartNew();
        var screen = "";
        while (clock.Elapsed < timeout)
        {
            screen = await ScreenAsync();
            if (done(screen))
            {
                return screen;
            }

            await Task.Delay(100);
        }

        throw new TimeoutException($"waited {timeout.TotalSeconds:0} s for {what}; the screen:\n{screen}");
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await RunAsync("kill-server");
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }
    }

    private async Task<string> RunAsync(params string[] arguments)
    {
        var info = new ProcessStartInfo("tmux") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add("-L");
        info.ArgumentList.Add(_socket);
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        using var process = Process.Start(info)!;
        var output = await process.StandardOutput.ReadToEndAsync();
        var error = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return process.ExitCode == 0 ? output : throw new InvalidOperationException($"tmux {string.Join(' ', arguments)}: {error}");
    }
}
