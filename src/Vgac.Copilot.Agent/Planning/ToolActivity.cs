namespace Vgac.Copilot.Agent.Planning;

/// <summary>
/// Tells whoever is watching (the REPL's live line) that a tool call started and how it ended, from both planners'
/// one place of calling tools. Listeners are called on the calling thread and must return at once.
/// </summary>
public sealed class ToolActivity
{
    private event Action<string>? Started;

    private event Action<string>? Finished;

    /// <summary>Listens until the returned handle is disposed. Every start is followed by its end, a failed or cancelled call included.</summary>
    public IDisposable Listen(Action<string> started, Action<string> finished)
    {
        Started += started;
        Finished += finished;
        return new Subscription(() =>
        {
            Started -= started;
            Finished -= finished;
        });
    }

    internal void OnStarted(string tool) => Started?.Invoke(tool);

    internal void OnFinished(string tool) => Finished?.Invoke(tool);

    private sealed class Subscription(Action dispose) : IDisposable
    {
        public void Dispose() => dispose();
    }
}
