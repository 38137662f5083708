using Microsoft.Extensions.Logging;

namespace Vgac.Copilot.Testing;

/// <summary>
/// Routes the product's log lines (guard verdicts, action starts and outcomes, leadership changes) to the running
/// test's output, so a failing test shows what the code decided. The sink is asked for on every line: a line logged
/// after its test has finished is dropped.
/// </summary>
public sealed class TestOutputLoggerProvider(Func<Action<string>?> sink) : ILoggerProvider
{
    public ILogger CreateLogger(string categoryName) => new Logger(categoryName[(categoryName.LastIndexOf('.') + 1)..], sink);

    public void Dispose()
    {
    }

    private static string Short(LogLevel level) => level switch
    {
        LogLevel.Trace => "TRC",
        LogLevel.Debug => "DBG",
        LogLevel.Information => "INF",
        LogLevel.Warning => "WRN",
        LogLevel.Error => "ERR",
        _ => "CRT",
    };

    private sealed class Logger(string category, Func<Action<string>?> sink) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Debug;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            try
            {
                sink()?.Invoke($"[{Short(logLevel)}] {category}: {formatter(state, exception)}{(exception is null ? "" : $" ({exception.GetType().Name}: {exception.Message})")}");
            }
            catch (InvalidOperationException)
            {
                // The test has finished; its output is closed.
            }
        }
    }
}
