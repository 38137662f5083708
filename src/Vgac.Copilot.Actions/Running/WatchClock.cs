namespace Vgac.Copilot.Actions;

/// <summary>
/// The time the watch stamps its records with and measures its windows (dedupe, in-flight grace) on: the wall clock,
/// or, in the demo, the simulated cluster's clock, which runs a day in minutes. The loop's own pacing always uses
/// real time.
/// </summary>
public class WatchClock(TimeProvider time)
{
    public virtual DateTimeOffset Now => time.GetUtcNow();
}

/// <summary>A clock set from outside (the demo sets it to the simulator's time after every step).</summary>
public sealed class SettableWatchClock(DateTimeOffset start) : WatchClock(TimeProvider.System)
{
    private long _ticks = start.UtcTicks;

    public override DateTimeOffset Now => new(Interlocked.Read(ref _ticks), TimeSpan.Zero);

    public void Set(DateTimeOffset now) => Interlocked.Exchange(ref _ticks, now.UtcTicks);
}
