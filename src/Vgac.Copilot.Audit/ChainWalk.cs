using System.Globalization;
using System.Text;
using Vgac.Copilot.Audit.Storage;
using Vgac.Copilot.Core.Text;

namespace Vgac.Copilot.Audit;

/// <summary>
/// One walk along the chain, a row at a time, over the rows' stored bytes (<see cref="ChainRows"/>): each record's
/// own link, its tie to the one before, the front of a pruned trail, the keyed-after-legacy rule and the anchor's
/// point. <c>AuditChain.VerifyAsync</c> feeds it and reads the report.
/// </summary>
/// <param name="key">The key links are checked with.</param>
/// <param name="from">Where an incremental walk starts (the point the last clean check verified), or null.</param>
/// <param name="written">The point the trail's writers last recorded in its anchor, or null.</param>
/// <param name="continuing">
/// The walk starts inside the chain, at a record whose link to the one before another walk checks: the second half of
/// a long trail walked in two at once (<see cref="Join"/>).
/// </param>
internal sealed class ChainWalk(TrailKey? key, AnchorPoint? from, AnchorPoint? written, bool continuing = false)
{
    private static ReadOnlySpan<byte> KeyedPrefix => "k1:"u8;

    private static readonly byte[] CheckpointKind = Encoding.UTF8.GetBytes(AuditKind.Checkpoint.Wire());

    private readonly byte[]? _fromHash = from is null ? null : Encoding.UTF8.GetBytes(from.Hash);

    // The link the next record must carry (the last record walked), and when that record was written.
    private byte[] _previous = from is null ? [] : Encoding.UTF8.GetBytes(from.Hash);
    private int _previousLength = from is null ? 0 : Encoding.UTF8.GetByteCount(from.Hash);
    private byte[] _tipAt = [];
    private int _tipAtLength;
    private long? _tipId;
    private bool _chained = from is not null || continuing;
    private string? _joinsTo;
    private bool _first = true;
    private (long Id, string Link)? _cut;
    private string? _atAnchor;
    private long _verified, _unchained, _keyed, _legacy, _unverifiable;

    public enum Step
    {
        Next,
        Broken,

        /// <summary>The incremental walk's starting point is gone: walk the whole trail instead.</summary>
        WalkWhole,
    }

    /// <summary>The report when <see cref="Walk"/> said <see cref="Step.Broken"/>.</summary>
    public ChainReport? Break { get; private set; }

    /// <summary>Whether the walk began where it should have: an incremental walk that saw nothing at or after its point did not.</summary>
    public bool Started => from is null || !_first;

    public string? AtAnchor => _atAnchor;

    public (long Id, string Link)? Cut => _cut;

    /// <summary>The last record walked.</summary>
    public AnchorPoint? Tip => _tipId is not { } id ? null
        : from is not null && id == from.Id ? from
        : new AnchorPoint(id, Encoding.UTF8.GetString(_previous, 0, _previousLength),
            DateTimeOffset.TryParse(Encoding.UTF8.GetString(_tipAt, 0, _tipAtLength), CultureInfo.InvariantCulture, DateTimeStyles.None, out var at) ? at : null);

    public ChainReport Report(long? brokenAt = null, string? why = null) => new(_verified, _unchained, brokenAt, why)
    {
        Keyed = _keyed,
        Legacy = _legacy,
        KeyOrigin = key?.Origin,
        Unverifiable = _unverifiable,
        Tip = Tip,
        From = from,
    };

    private Step Broken(long id, string why)
    {
        Break = Report(id, why);
        return Step.Broken;
    }

    /// <summary>
    /// The first row of an incremental walk (it must be the point the last clean check stopped at, unchanged) or of
    /// a continuing one (it must lie inside the chain, and where it links to is where the two halves join). Null:
    /// walk the row as any other.
    /// </summary>
    private Step? FirstRow(ChainRows rows, int row, long id, ReadOnlySpan<byte> hash, bool hashIsNull)
    {
        if (from is not null)
        {
            _first = false;
            if (id != from.Id)
            {
                // The point is gone (a prune removes the front): the whole trail's checkpoints say what went.
                return Step.WalkWhole;
            }

            if (hashIsNull || !hash.SequenceEqual(_fromHash))
            {
                return Broken(from.Id, $"record {from.Id}, where the last clean check stopped, was changed since ('audit --check --full' walks the whole trail)");
            }

            _tipId = from.Id;
            return Step.Next;
        }

        if (continuing)
        {
            if (hashIsNull || rows.IsNull(row, ChainRows.PreviousHash))
            {
                return Broken(id, "the second half of the walk does not start inside the chain");
            }

            _joinsTo = Encoding.UTF8.GetString(rows.Field(row, ChainRows.PreviousHash));
            Keep(ref _previous, ref _previousLength, rows.Field(row, ChainRows.PreviousHash));
        }

        return null;
    }

    /// <summary>Walks row <paramref name="row"/> of <paramref name="rows"/>.</summary>
    public Step Walk(ChainRows rows, int row)
    {
        var id = rows.Id(row);
        var hash = rows.Field(row, ChainRows.Hash);
        var hashIsNull = rows.IsNull(row, ChainRows.Hash);
        if (_first && FirstRow(rows, row, id, hash, hashIsNull) is { } step)
        {
            return step;
        }

        _first = false;
        if (hashIsNull)
        {
            if (_chained)
            {
                return Broken(id, "it carries no hash, inside the chain");
            }

            _unchained++;
            return Step.Next;
        }

        var previous = rows.Field(row, ChainRows.PreviousHash);
        var previousIsNull = rows.IsNull(row, ChainRows.PreviousHash);
        if (!_chained && !previousIsNull)
        {
            // The first chained record links to one that is not here: the front was removed.
            _cut = (id, Encoding.UTF8.GetString(previous));
        }
        else if (_chained && (previousIsNull || !previous.SequenceEqual(_previous.AsSpan(0, _previousLength))))
        {
            return Broken(id, "it does not link to the record before it (one was removed or inserted)");
        }

        var isKeyed = hash.StartsWith(KeyedPrefix);
        if (!isKeyed && _keyed > 0)
        {
            return Broken(id, "its link is not keyed, inside the keyed chain (rewritten by someone without the key)");
        }

        switch (AuditChain.Holds(key, rows, row, isKeyed))
        {
            case false:
                return Broken(id, isKeyed
                    ? "its content does not match its keyed link (changed after it was written, or linked under another key)"
                    : "its content does not match its hash (it was changed after it was written)");
            case null:
                _unverifiable++;
                break;
        }

        if (_cut is { } front && rows.Field(row, 3).SequenceEqual(CheckpointKind) && rows.ToRecord(row) is { } cut && Checkpoint.Read(cut.Event) is { } checkpoint
            && checkpoint.ThroughId == front.Id - 1 && checkpoint.LastHash == front.Link)
        {
            _cut = null;
        }

        if (written is not null && id == written.Id)
        {
            _atAnchor = Encoding.UTF8.GetString(hash);
        }

        Keep(ref _previous, ref _previousLength, hash);
        Keep(ref _tipAt, ref _tipAtLength, rows.Field(row, 1));
        (_tipId, _chained) = (id, true);
        _verified++;
        _ = isKeyed ? _keyed++ : _legacy++;
        return Step.Next;
    }

    /// <summary>
    /// This walk with <paramref name="next"/> (a <c>continuing</c> walk of the records after this one's) appended, or
    /// null when the two cannot simply be added up: either half broke, this half does not end inside the chain or left
    /// a removed front unexplained, the second half does not link to this one's last record, or it holds an unkeyed
    /// link after this half's keyed ones. A whole walk in one then says precisely what and where.
    /// </summary>
    public ChainWalk? Join(ChainWalk next)
    {
        if (Break is not null || next.Break is not null || !Started || _cut is not null || !_chained || _verified == 0)
        {
            return null;
        }

        if (next._first)
        {
            return this;
        }

        if (next._joinsTo != Encoding.UTF8.GetString(_previous, 0, _previousLength) || (_keyed > 0 && next._legacy > 0))
        {
            return null;
        }

        (_previous, _previousLength, _tipAt, _tipAtLength, _tipId) = (next._previous, next._previousLength, next._tipAt, next._tipAtLength, next._tipId);
        _atAnchor = next._atAnchor ?? _atAnchor;
        _verified += next._verified;
        _keyed += next._keyed;
        _legacy += next._legacy;
        _unverifiable += next._unverifiable;
        return this;
    }

    private static void Keep(ref byte[] buffer, ref int length, ReadOnlySpan<byte> value)
    {
        if (buffer.Length < value.Length)
        {
            buffer = new byte[Math.Max(value.Length, 80)];
        }

        value.CopyTo(buffer);
        length = value.Length;
    }
}
