using Microsoft.Extensions.Options;
using Vgac.Copilot.Client;

namespace Vgac.Copilot.Core.Calibration;

/// <summary>An audit of the model the copilot made itself: its ECE on recent outcomes, and when.</summary>
/// <param name="Ece">Debiased ECE measured against outcomes.</param>
/// <param name="Samples">Outcomes behind it.</param>
/// <param name="At">When it was made (the clock that stamps the audit trail).</param>
/// <param name="EceLow">Lower end of its interval, which drift is judged on (null: judged on <paramref name="Ece"/>).</param>
/// <param name="Source">The VGAC it audited (null for audits made before audits recorded their source).</param>
public sealed record AuditedCalibration(double Ece, int Samples, DateTimeOffset At, double? EceLow = null, AuditSource? Source = null)
{
    /// <summary>
    /// The worst of the audits that count (those on at least <paramref name="minimumSamples"/> outcomes; the guards
    /// ignore the others): the highest ECE, with the highest lower end among them (never above that ECE). Null when
    /// none counts. With every audit in force weighed, a calmer one can never hide one that found drift.
    /// </summary>
    public static AuditedCalibration? Worst(IEnumerable<AuditedCalibration> audits, int minimumSamples)
    {
        var counting = audits.Where(a => a.Samples >= minimumSamples).ToList();
        if (counting.Count == 0)
        {
            return null;
        }

        var worst = counting.MaxBy(a => a.Ece)!;
        var low = counting.Max(a => a.EceLow ?? a.Ece);
        return worst with { EceLow = Math.Min(low, worst.Ece) };
    }
}

/// <summary>
/// Where the copilot's own calibration audits are kept, so that every process that may act (the watch loop, an
/// approval from the CLI, an MCP or REPL apply) judges against every audit in force, not only the process that made
/// one. The default keeps them in memory; the watch registers one over the audit trail.
/// </summary>
public interface ICalibrationAudits
{
    /// <summary>Records an audit (made now, by the clock that stamps the store's records).</summary>
    Task RecordAsync(double ece, int samples, double? eceLow, AuditSource source, CancellationToken cancellationToken);

    /// <summary>
    /// The audit in force for the VGAC this process talks to: the worst (<see cref="AuditedCalibration.Worst"/>) of
    /// those no older than <paramref name="maxAge"/> whose source is that VGAC (<see cref="AuditSource.CountsFor"/>), or null.
    /// </summary>
    Task<AuditedCalibration?> InForceAsync(TimeSpan maxAge, CancellationToken cancellationToken);
}

/// <summary>Audits kept in this process only (hosts without an audit trail).</summary>
public sealed class InMemoryCalibrationAudits(TimeProvider time, IOptions<VgacClientOptions> vgac, IOptions<Guards.GuardOptions> guards) : ICalibrationAudits
{
    private readonly Lock _gate = new();
    private readonly List<AuditedCalibration> _audits = [];

    public Task RecordAsync(double ece, int samples, double? eceLow, AuditSource source, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            _audits.Add(new AuditedCalibration(ece, samples, time.GetUtcNow(), eceLow, source));
        }

        return Task.CompletedTask;
    }

    public Task<AuditedCalibration?> InForceAsync(TimeSpan maxAge, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        lock (_gate)
        {
            _audits.RemoveAll(a => now - a.At > maxAge);
            return Task.FromResult(AuditedCalibration.Worst(
                _audits.Where(a => AuditSource.CountsFor(a.Source, vgac.Value.BaseUrl)), guards.Value.LearningModeMinSamples));
        }
    }
}
