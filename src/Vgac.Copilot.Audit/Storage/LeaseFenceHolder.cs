namespace Vgac.Copilot.Audit.Storage;

/// <summary>The lease this process's appends are fenced with while it leads (none while it stands by).</summary>
public sealed class LeaseFenceHolder
{
    private LeaseFence? _current;

    public LeaseFence? Current
    {
        get => Volatile.Read(ref _current);
        set => Volatile.Write(ref _current, value);
    }
}
