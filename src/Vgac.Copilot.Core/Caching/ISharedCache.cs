namespace Vgac.Copilot.Core.Caching;

/// <summary>
/// A few small values shared by the processes of one user (one VGAC, one audit trail): a one-shot command such as
/// <c>vgac predict</c> reuses the calibration and the fitted wait intervals another run read moments ago, so its one
/// VGAC call is the prediction. What is read back is untrusted: every reader checks its age (by the timestamp inside,
/// against its own clock) and its values, and falls back to asking VGAC on any doubt. A re-check before an action
/// never reads it (<c>fresh: true</c> bypasses every cache).
/// </summary>
public interface ISharedCache
{
    /// <summary>The bytes last written under <paramref name="key"/>, or null (none, unreadable, or too large).</summary>
    byte[]? Read(string key);

    /// <summary>Stores <paramref name="value"/> under <paramref name="key"/>; a failure is ignored (a cache is a convenience).</summary>
    void Write(string key, byte[] value);
}

/// <summary>No sharing: each process keeps its own caches (long-lived hosts, tests).</summary>
public sealed class NoSharedCache : ISharedCache
{
    public byte[]? Read(string key) => null;

    public void Write(string key, byte[] value)
    {
    }
}
