using System.Globalization;
using Vgac.Copilot.Audit.Storage;

namespace Vgac.Copilot.Audit;

/// <summary>One record of the audit trail. Records are only ever appended.</summary>
public sealed record AuditEvent(
    long Id,
    DateTimeOffset At,
    long Cycle,
    AuditKind Kind,
    string? JobId,
    int? Tier,
    string? ProposalId,
    string Summary,
    string? Payload)
{
    /// <summary>The cluster the record is about (<c>default</c> for a single-VGAC setup and for records older than clusters).</summary>
    public string Cluster { get; init; } = AuditStore.DefaultCluster;
}

/// <summary>A start that lost its reservation, and the start that holds it.</summary>
/// <param name="Start">The start that was not written.</param>
/// <param name="HolderProposalId">The proposal whose start holds the job and tier.</param>
/// <param name="HolderAt">When that one started.</param>
/// <param name="HolderState">Its outcome's state as recorded (null while in flight): one that <see cref="ReservationRules.Holds"/>.</param>
public sealed record ReservationConflict(AuditEvent Start, string HolderProposalId, DateTimeOffset HolderAt, string? HolderState);

/// <summary>How starts reserve their job and tier: for how long, which outcomes keep holding them, and what is written instead when one loses.</summary>
/// <param name="Window">How long a start holds its job and tier.</param>
/// <param name="Holds">Whether a start whose latest outcome has this state (null: none yet, in flight) still holds them.</param>
/// <param name="Refuse">The record written instead of a start that lost.</param>
public sealed record ReservationRules(TimeSpan Window, Func<string?, bool> Holds, Func<ReservationConflict, AuditEvent> Refuse);

/// <summary>
/// The audit trail as one cluster sees it: appends that cluster's records, reads only those, and reserves per
/// cluster, job and tier; or every cluster's records for reading (<see cref="AllClusters"/>). Where the trail lives
/// is the backend's business (<see cref="IAuditBackend"/>: an SQLite file by default, or a shared PostgreSQL
/// database); every view of one trail shares its backend.
/// </summary>
/// <param name="backend">Where the trail lives.</param>
/// <param name="cluster">The cluster this view appends and reads; null for the read-only view of every cluster.</param>
/// <param name="fences">The leadership appends are fenced with.</param>
/// <param name="notice">Said in every record this view appends (the cluster's guards run weaker than built-in), or null.</param>
/// <param name="key">The key the chain's links are made and checked with (null: plain SHA-256).</param>
/// <param name="keys">Where the key comes from when it is read on first use instead (the configured key or key file):
/// a command that never appends or checks never reads, or makes, a key file.</param>
/// <param name="anchor">Where the trail's tip is recorded outside the store after each append (null: nowhere).</param>
public sealed class AuditStore(
    IAuditBackend backend, string? cluster = AuditStore.DefaultCluster, LeaseFenceHolder? fences = null, string? notice = null,
    TrailKey? key = null, TrailAnchor? anchor = null, Lazy<TrailKey?>? keys = null)
{
    private readonly Lazy<TrailKey?> _key = keys ?? new Lazy<TrailKey?>(key);

    /// <summary>The cluster of a single-VGAC setup, and of records written before clusters existed.</summary>
    public const string DefaultCluster = "default";

    /// <summary>The "cluster" of trail-wide records (exports, checkpoints): not a DNS label, so never a configured name.</summary>
    public const string TrailScope = "*";

    public IAuditBackend Backend { get; } = backend;

    /// <summary>Where the trail is, for people (a file path, or a database address without credentials).</summary>
    public string Path => Backend.Location;

    /// <summary>The cluster this view appends and reads; null for the read-only view of every cluster.</summary>
    public string? Cluster { get; } = cluster;

    /// <summary>The key the chain is kept with, or null.</summary>
    public TrailKey? Key => _key.Value;

    /// <summary>The trail's anchor outside the store, or null.</summary>
    public TrailAnchor? Anchor { get; } = anchor;

    /// <summary>The same trail, every cluster's records (read only).</summary>
    public AuditStore AllClusters() => new(Backend, cluster: null, fences, anchor: Anchor, keys: _key);

    /// <summary>The same trail, one cluster's records.</summary>
    public AuditStore ForCluster(string name) => new(Backend, name, fences, anchor: Anchor, keys: _key);

    /// <summary>Whether the trail exists yet (readers say so instead of creating an empty one).</summary>
    public bool Exists => Backend.Exists;

    public static string DefaultPath() => StorageOptions.DefaultSqlitePath();

    /// <summary>Appends a cycle's records in one transaction: all of them, or none.</summary>
    public async Task AppendAsync(IReadOnlyList<AuditEvent> events, CancellationToken cancellationToken) =>
        await AppendAsync(events, null, cancellationToken).ConfigureAwait(false);

    /// <summary>
    /// Appends records in one write transaction (one writer at a time, across processes and replicas). With
    /// <paramref name="reservations"/>, every <c>execution_started</c> record is a reservation of its job and tier for
    /// the window: if another start for the same job and tier holds it (in flight, done, or interrupted), the start is
    /// not written and the refusal the rules make is written in its place. Check and write happen inside the same
    /// transaction, so two processes can never both reserve. With <paramref name="fence"/> (by default, the lease this
    /// process leads its watch with, if any), nothing is written once the lease has moved to another replica.
    /// </summary>
    /// <returns>The starts that lost, each with the start that holds the reservation.</returns>
    public async Task<IReadOnlyList<ReservationConflict>> AppendAsync(
        IReadOnlyList<AuditEvent> events, ReservationRules? reservations, CancellationToken cancellationToken, LeaseFence? fence = null)
    {
        var result = await Backend.AppendAsync(
            Writer(), notice is null ? events : [.. events.Select(e => e with { Summary = $"{e.Summary} [{notice}]" })], reservations, fence ?? fences?.Current, Key, cancellationToken)
            .ConfigureAwait(false);
        Anchored(result);
        return result.Conflicts;
    }

    /// <summary>Appends trail-wide records (exports, checkpoints), whichever cluster this view is of.</summary>
    public async Task AppendTrailRecordAsync(AuditEvent record, CancellationToken cancellationToken) =>
        Anchored(await Backend.AppendAsync(TrailScope, [record], null, null, Key, cancellationToken).ConfigureAwait(false));

    /// <summary>Records the new tip in the anchor (a failure to record it is not a failure to append: the check says the anchor lags).</summary>
    private void Anchored(AppendResult result)
    {
        if (Anchor is not null && result.Tip is { } tip)
        {
            try
            {
                Anchor.Wrote(tip);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                // The record is in the trail; the anchor catches up with the next append.
            }
        }
    }

    private string Writer() => Cluster ?? throw new InvalidOperationException("The every-cluster view of the audit trail is read-only; append through one cluster's.");

    /// <summary>How a time is stored and hashed: ISO-8601 in UTC, to the tick.</summary>
    public static string Stamp(DateTimeOffset at) => at.ToUniversalTime().ToString("O", CultureInfo.InvariantCulture);

    /// <summary>The latest record of <paramref name="kind"/> at or after <paramref name="since"/> whose payload has the top-level field <paramref name="payloadField"/> set.</summary>
    public Task<AuditEvent?> LatestAsync(AuditKind kind, DateTimeOffset since, string payloadField, CancellationToken cancellationToken) =>
        Backend.LatestAsync(Cluster, kind, since, payloadField, cancellationToken);

    /// <summary>Whether an exception is the store refusing a second "once" record (a unique-index violation).</summary>
    public bool IsDuplicate(Exception ex) => Backend.IsDuplicate(ex);

    /// <param name="since">Only records at or after this time.</param>
    /// <param name="jobId">Only records about this job.</param>
    /// <param name="kind">Only records of this kind.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <param name="proposal">Only records about this proposal.</param>
    /// <param name="kinds">Only records of these kinds (readers that need several, without the bulky observations).</param>
    /// <param name="until">Only records before this time.</param>
    /// <param name="chainedOnly">Only records of the chain (what a queue or a decision may rest on).</param>
    public Task<IReadOnlyList<AuditEvent>> QueryAsync(
        DateTimeOffset? since = null, string? jobId = null, AuditKind? kind = null, CancellationToken cancellationToken = default, string? proposal = null,
        IReadOnlyList<AuditKind>? kinds = null, DateTimeOffset? until = null, bool chainedOnly = false) =>
        Backend.QueryAsync(Cluster, new AuditQuery { Since = since, Until = until, JobId = jobId, Kind = kind, ProposalId = proposal, Kinds = kinds, ChainedOnly = chainedOnly }, cancellationToken);

    /// <summary>The clusters the trail has records of, in the order they first appear.</summary>
    public Task<IReadOnlyList<string>> ClustersAsync(CancellationToken cancellationToken) => Backend.ClustersAsync(cancellationToken);

    /// <summary>The last cycle number recorded (0 when none).</summary>
    public Task<long> LastCycleAsync(CancellationToken cancellationToken) => Backend.LastCycleAsync(Cluster, cancellationToken);
}
