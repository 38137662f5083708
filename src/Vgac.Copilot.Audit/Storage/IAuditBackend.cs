namespace Vgac.Copilot.Audit.Storage;

/// <summary>Which records a query wants; every filter left null is not applied.</summary>
public sealed record AuditQuery
{
    public DateTimeOffset? Since { get; init; }

    /// <summary>Only records before this time.</summary>
    public DateTimeOffset? Until { get; init; }

    public string? JobId { get; init; }

    public AuditKind? Kind { get; init; }

    public IReadOnlyList<AuditKind>? Kinds { get; init; }

    public string? ProposalId { get; init; }

    /// <summary>Only records of the chain (an id in the sequence, a link): what queues and decisions may rest on.</summary>
    public bool ChainedOnly { get; init; }
}

/// <summary>What an append did: the starts that lost their reservation, and the trail's tip after it.</summary>
public sealed record AppendResult(IReadOnlyList<ReservationConflict> Conflicts, AnchorPoint? Tip);

/// <summary>A record as the chain stores it: the record, the hash it links to, and its own hash.</summary>
public sealed record ChainedRecord(AuditEvent Event, string? PreviousHash, string? Hash);

/// <summary>Who leads a named duty (a cluster's watch loop) until when, and the fencing token of that leadership.</summary>
/// <param name="Name">The duty: <c>watch:CLUSTER</c>.</param>
/// <param name="Holder">The replica holding it (host and process).</param>
/// <param name="ExpiresAt">When it lapses unless renewed (by the database's clock in PostgreSQL).</param>
/// <param name="Token">Grows by one each time the lease changes hands; a write fenced with an older token is refused.</param>
public sealed record Lease(string Name, string Holder, long Token, DateTimeOffset ExpiresAt)
{
    /// <summary>
    /// The one rule both stores decide a lease by: free → token 1; the holder renewing → its token; lapsed and taken
    /// by another → the next token; held by another and not lapsed → null (not granted).
    /// </summary>
    public static long? Next(Lease? current, bool expired, string holder) =>
        current is null ? 1 : current.Holder == holder ? current.Token : expired ? current.Token + 1 : null;
}

/// <summary>The leadership an append is made under: refused unless the lease still names this holder and token.</summary>
public sealed record LeaseFence(string Name, string Holder, long Token);

/// <summary>One schema migration: its version (applied in order, once), and what it does in words.</summary>
public sealed record MigrationStep(int Version, string Name);

/// <summary>Where a store's schema stands: the versions applied, and those this program would still apply.</summary>
public sealed record SchemaStatus(string Provider, string Location, IReadOnlyList<MigrationStep> Applied, IReadOnlyList<MigrationStep> Pending)
{
    public int Version => Applied.Count == 0 ? 0 : Applied.Max(m => m.Version);
}

/// <summary>
/// Where the audit trail lives. Every record the copilot keeps — observations, calibration audits, proposals,
/// decisions, execution reservations and outcomes, exports and checkpoints — goes through this interface (the same
/// store also keeps watch leases, <see cref="ILeaseStore"/>, and saved chat sessions, <see cref="ISessionStore"/>),
/// with an embedded SQLite file (Vgac.Copilot.Storage.Sqlite) and a shared PostgreSQL database as its
/// implementations. Both keep the same promises, and the same tests hold both to them: records are only appended
/// (the database refuses changes), the hash chain is extended inside one write lock across processes, at most one
/// start and one decision per proposal, a start reserves its job and tier inside the writing transaction, and a
/// fenced append is refused once the lease has moved on.
/// </summary>
public interface IAuditBackend : IAsyncDisposable, IDisposable
{
    /// <summary><c>sqlite</c> or <c>postgres</c>.</summary>
    string Provider { get; }

    /// <summary>Where the trail is, for people: a file path, or a database address without its credentials.</summary>
    string Location { get; }

    /// <summary>Whether there is a trail yet (a reader says so rather than create an empty one).</summary>
    bool Exists { get; }

    /// <summary>Applies the schema migrations this program knows and the store lacks, each once, in order.</summary>
    Task<IReadOnlyList<MigrationStep>> MigrateAsync(CancellationToken cancellationToken);

    /// <summary>The schema's version and what is still to apply, changing nothing.</summary>
    Task<SchemaStatus> StatusAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Appends records for <paramref name="cluster"/> in one transaction under the trail's write lock: all or none,
    /// each chained to the one before. With <paramref name="reservations"/>, each start reserves its job and tier
    /// (see <see cref="AuditStore"/>).
    /// With <paramref name="fence"/>, nothing is written unless the lease still names that holder and token.
    /// </summary>
    /// <exception cref="LeadershipLostException">The lease has moved on.</exception>
    /// <param name="cluster">The cluster the records are of.</param>
    /// <param name="events">The records.</param>
    /// <param name="reservations">How starts reserve their job and tier; null: no reservations.</param>
    /// <param name="fence">The lease the append is made under; null: none.</param>
    /// <param name="key">The key the links are made with (null: plain SHA-256, for a trail that has no key).</param>
    /// <param name="cancellationToken">Cancels the append.</param>
    /// <returns>The starts that lost their reservation, and the trail's tip after the append.</returns>
    Task<AppendResult> AppendAsync(
        string cluster, IReadOnlyList<AuditEvent> events, ReservationRules? reservations, LeaseFence? fence, TrailKey? key, CancellationToken cancellationToken);

    /// <summary>The latest record of a kind at or after a time whose JSON payload has a (top-level) field set.</summary>
    Task<AuditEvent?> LatestAsync(string? cluster, AuditKind kind, DateTimeOffset since, string payloadField, CancellationToken cancellationToken);

    /// <summary>Records in trail order; <paramref name="cluster"/> null for every cluster's.</summary>
    Task<IReadOnlyList<AuditEvent>> QueryAsync(string? cluster, AuditQuery query, CancellationToken cancellationToken);

    /// <summary>The clusters with records, in the order they first appear (trail-wide records excluded).</summary>
    Task<IReadOnlyList<string>> ClustersAsync(CancellationToken cancellationToken);

    /// <summary>The last cycle number recorded (0 when none).</summary>
    Task<long> LastCycleAsync(string? cluster, CancellationToken cancellationToken);

    /// <summary>Every record with its chain fields, in trail order, from <paramref name="fromId"/> on.</summary>
    /// <param name="fromId">The first id.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <param name="throughId">The last id (default: to the end).</param>
    IAsyncEnumerable<ChainedRecord> ChainAsync(long fromId, CancellationToken cancellationToken, long throughId = long.MaxValue);

    /// <summary>
    /// The records from <paramref name="fromId"/> on, as <see cref="ChainAsync"/> gives them, in batches of their stored
    /// text: the chain walk's read of a whole trail. The caller disposes each batch. By default made from
    /// <see cref="ChainAsync"/>; a store that can hand out its rows' bytes without making records does so.
    /// </summary>
    /// <param name="fromId">The first id.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <param name="throughId">The last id (default: to the end).</param>
    IAsyncEnumerable<ChainRows> ChainRowsAsync(long fromId, CancellationToken cancellationToken, long throughId = long.MaxValue) =>
        ChainRows.Batch(ChainAsync(fromId, cancellationToken, throughId));

    /// <summary>
    /// The first and last ids of the chain's sequence (ids from 1), or null when it is empty or the store does not say:
    /// where the chain walk may split a long trail in two and check both halves at once.
    /// </summary>
    Task<(long First, long Last)?> ChainBoundsAsync(CancellationToken cancellationToken) => Task.FromResult<(long, long)?>(null);

    /// <summary>
    /// Removes the records with ids up to <paramref name="throughId"/> and appends <paramref name="checkpoint"/> (a
    /// trail-wide record saying what went and the hash it ended on), in one transaction under the write lock. Needs a
    /// role allowed to delete (the application's own is not, in PostgreSQL).
    /// </summary>
    Task<long> PruneAsync(long throughId, Func<ChainedRecord, AuditEvent> checkpoint, TrailKey? key, CancellationToken cancellationToken);

    /// <summary>Whether an exception is the store refusing a second "once" record.</summary>
    bool IsDuplicate(Exception ex);
}

/// <summary>
/// Leases among watch replicas (<c>watch:CLUSTER</c>), kept in the same store as the trail so that an append can be
/// fenced by the lease it was made under. Every store provider implements it beside <see cref="IAuditBackend"/>.
/// </summary>
public interface ILeaseStore
{
    /// <summary>
    /// Takes or renews the lease <paramref name="name"/> for <paramref name="holder"/>: granted when it is free, expired,
    /// or already this holder's (renewed, same token); otherwise the current lease is returned and not granted.
    /// </summary>
    Task<(bool Granted, Lease Lease)> LeadAsync(string name, string holder, TimeSpan ttl, CancellationToken cancellationToken);

    /// <summary>Gives the lease up early (a clean stop), so another replica need not wait for it to expire.</summary>
    Task ReleaseAsync(string name, string holder, CancellationToken cancellationToken);
}

/// <summary>
/// Saved chat sessions (<c>/save NAME</c>, <c>--resume NAME</c>), one document per owner and name, in the team's store.
/// Every store provider implements it beside <see cref="IAuditBackend"/>.
/// </summary>
public interface ISessionStore
{
    /// <summary>Where the sessions are, for people (a file path, or a database address without credentials).</summary>
    string Location { get; }

    /// <summary>
    /// Saves a chat session (<c>/save NAME</c>) as one document per owner and name, replacing an older one of that name.
    /// <paramref name="owner"/> null means whoever the store authenticated: the database role in PostgreSQL (where
    /// row-level security keeps each role to its own sessions), the OS user for a local file.
    /// </summary>
    Task SaveSessionAsync(string? owner, string name, DateTimeOffset savedAt, string document, CancellationToken cancellationToken);

    /// <summary>A saved chat session's document, or null (<paramref name="owner"/> as for <see cref="SaveSessionAsync"/>).</summary>
    Task<string?> LoadSessionAsync(string? owner, string name, CancellationToken cancellationToken);

    /// <summary>Every saved chat session of an owner, newest first (<paramref name="owner"/> as for <see cref="SaveSessionAsync"/>).</summary>
    Task<IReadOnlyList<string>> SessionsAsync(string? owner, CancellationToken cancellationToken);
}

/// <summary>An append made under a lease that has since moved to another replica (or expired and been taken).</summary>
public sealed class LeadershipLostException(string message) : Exception(message);

/// <summary>The store could not be opened, or its schema is not one this program can use; the message says which and what to do.</summary>
public class AuditStoreException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>A stored record of a kind this vgac does not write: a newer vgac wrote it, or it was changed behind the trail's back.</summary>
public sealed class UnknownRecordKindException(long id, string kind) : AuditStoreException(
    $"record {id} of the audit trail is of kind {Core.Guards.Identifiers.Echo(kind)}, which this vgac does not write: a newer vgac wrote it, "
    + "or it was changed behind the trail's back. Read the trail with the newest vgac, or run 'vgac audit --check'.")
{
    /// <summary>The record's id.</summary>
    public long Id { get; } = id;
}
