using System.Buffers;
using System.Runtime.CompilerServices;
using System.Threading.Channels;
using System.Globalization;
using System.Text;
using Vgac.Copilot.Core.Text;

namespace Vgac.Copilot.Audit.Storage;

/// <summary>
/// A batch of records as the store holds them: the chain's columns (<see cref="AuditRows.ChainColumns"/>, in that
/// order) as UTF-8 text, in one rented buffer. The chain walk checks links over these bytes without making a record
/// (and a dozen strings) per row; it makes one (<see cref="ToRecord"/>) only where it needs the record itself. Its
/// arrays are rented: dispose it when done.
/// </summary>
public sealed class ChainRows : IDisposable
{
    /// <summary>Columns per row: the record's ten, then <see cref="PreviousHash"/> and <see cref="Hash"/>.</summary>
    public const int Columns = 12;

    public const int PreviousHash = 10;
    public const int Hash = 11;

    /// <summary>Rows a store puts in one batch.</summary>
    public const int DefaultCapacity = 2048;

    private byte[] _bytes;
    private int[] _starts;
    private int[] _lengths;
    private long[] _ids;
    private int _used;

    public ChainRows(int capacity = DefaultCapacity)
    {
        Capacity = capacity;
        _bytes = ArrayPool<byte>.Shared.Rent(capacity * 512);
        _starts = ArrayPool<int>.Shared.Rent(capacity * Columns);
        _lengths = ArrayPool<int>.Shared.Rent(capacity * Columns);
        _ids = ArrayPool<long>.Shared.Rent(capacity);
    }

    public int Capacity { get; }

    /// <summary>Rows in the batch.</summary>
    public int Count { get; private set; }

    public bool Full => Count == Capacity;

    /// <summary>The id of row <paramref name="row"/>.</summary>
    public long Id(int row) => _ids[row];

    /// <summary>Column <paramref name="column"/> of row <paramref name="row"/> as stored (empty for null; see <see cref="IsNull"/>).</summary>
    public ReadOnlySpan<byte> Field(int row, int column)
    {
        var at = (row * Columns) + column;
        return _lengths[at] < 0 ? default : _bytes.AsSpan(_starts[at], _lengths[at]);
    }

    public bool IsNull(int row, int column) => _lengths[(row * Columns) + column] < 0;

    /// <summary>Starts a row; its twelve columns follow, in order, through <see cref="Add(ReadOnlySpan{byte})"/> or <see cref="AddNull"/>.</summary>
    public void BeginRow(long id)
    {
        if (Full)
        {
            throw new InvalidOperationException("the batch is full");
        }

        _ids[Count] = id;
        Count++;
        _column = 0;
    }

    private int _column;

    /// <summary>The next column of the current row, as stored.</summary>
    public void Add(ReadOnlySpan<byte> value)
    {
        if (_used + value.Length > _bytes.Length)
        {
            Grow(value.Length);
        }

        var at = ((Count - 1) * Columns) + _column++;
        _starts[at] = _used;
        _lengths[at] = value.Length;
        value.CopyTo(_bytes.AsSpan(_used));
        _used += value.Length;
    }

    /// <summary>The next column of the current row, as text.</summary>
    public void Add(string? value)
    {
        if (value is null)
        {
            AddNull();
            return;
        }

        var max = Encoding.UTF8.GetMaxByteCount(value.Length);
        if (_used + max > _bytes.Length)
        {
            Grow(max);
        }

        var at = ((Count - 1) * Columns) + _column++;
        var written = Encoding.UTF8.GetBytes(value, _bytes.AsSpan(_used));
        _starts[at] = _used;
        _lengths[at] = written;
        _used += written;
    }

    /// <summary>The next column of the current row is null.</summary>
    public void AddNull() => _lengths[((Count - 1) * Columns) + _column++] = -1;

    /// <summary>A record as the store would have read it, in the same textual forms the link is made over.</summary>
    public void Add(ChainedRecord record)
    {
        var e = record.Event;
        BeginRow(e.Id);
        Add(e.Id.ToString(CultureInfo.InvariantCulture));
        Add(AuditStore.Stamp(e.At));
        Add(e.Cycle.ToString(CultureInfo.InvariantCulture));
        Add(e.Kind.Wire());
        Add(e.JobId);
        Add(e.Tier?.ToString(CultureInfo.InvariantCulture));
        Add(e.ProposalId);
        Add(e.Summary);
        Add(e.Payload);
        Add(e.Cluster);
        Add(record.PreviousHash);
        Add(record.Hash);
    }

    /// <summary>Row <paramref name="row"/> as a record (what the reader of a store's row would make of it); null when its kind is none vgac writes.</summary>
    public ChainedRecord? ToRecord(int row)
    {
        string? Text(int column) => IsNull(row, column) ? null : Encoding.UTF8.GetString(Field(row, column));
        long Number(int column) => long.Parse(Field(row, column), CultureInfo.InvariantCulture);
        if (!WireNames.TryParse(Text(3), out AuditKind kind))
        {
            return null;
        }

        var e = new AuditEvent(
            Id(row), DateTimeOffset.Parse(Text(1)!, CultureInfo.InvariantCulture), Number(2), kind, Text(4),
            IsNull(row, 5) ? null : (int)Number(5), Text(6), Text(7)!, Text(8))
        {
            Cluster = Text(9)!,
        };
        return new ChainedRecord(e, Text(PreviousHash), Text(Hash));
    }

    private void Grow(int needed)
    {
        var larger = ArrayPool<byte>.Shared.Rent(Math.Max(_bytes.Length * 2, _used + needed));
        _bytes.AsSpan(0, _used).CopyTo(larger);
        ArrayPool<byte>.Shared.Return(_bytes);
        _bytes = larger;
    }

    public void Dispose()
    {
        if (_ids.Length == 0)
        {
            return;
        }

        ArrayPool<byte>.Shared.Return(_bytes);
        ArrayPool<int>.Shared.Return(_starts);
        ArrayPool<int>.Shared.Return(_lengths);
        ArrayPool<long>.Shared.Return(_ids);
        (_bytes, _starts, _lengths, _ids) = ([], [], [], []);
    }

    /// <summary>
    /// <paramref name="source"/>'s batches, read ahead on another thread (at most two waiting): the store's read and
    /// the caller's check of the batch before run at once. Batches left unread when the caller stops are disposed.
    /// </summary>
    public static async IAsyncEnumerable<ChainRows> ReadAhead(IAsyncEnumerable<ChainRows> source, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var ahead = Channel.CreateBounded<ChainRows>(new BoundedChannelOptions(2) { SingleReader = true, SingleWriter = true });
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var reader = Task.Run(async () =>
        {
            try
            {
                await foreach (var rows in source.WithCancellation(stop.Token).ConfigureAwait(false))
                {
                    if (!ahead.Writer.TryWrite(rows))
                    {
                        try
                        {
                            await ahead.Writer.WriteAsync(rows, stop.Token).ConfigureAwait(false);
                        }
                        catch (OperationCanceledException)
                        {
                            rows.Dispose();
                            throw;
                        }
                    }
                }

                ahead.Writer.TryComplete();
            }
            catch (Exception ex)
            {
                ahead.Writer.TryComplete(ex);
            }
        }, CancellationToken.None);

        try
        {
            await foreach (var rows in ahead.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
            {
                yield return rows;
            }
        }
        finally
        {
            await stop.CancelAsync().ConfigureAwait(false);
            await reader.ConfigureAwait(false);
            while (ahead.Reader.TryRead(out var left))
            {
                left.Dispose();
            }
        }
    }

    /// <summary>Batches of a store's chained records (for a store with no faster way to read its rows).</summary>
    public static async IAsyncEnumerable<ChainRows> Batch(IAsyncEnumerable<ChainedRecord> records, int capacity = DefaultCapacity)
    {
        var rows = new ChainRows(capacity);
        await foreach (var record in records.ConfigureAwait(false))
        {
            rows.Add(record);
            if (rows.Full)
            {
                yield return rows;
                rows = new ChainRows(capacity);
            }
        }

        if (rows.Count > 0)
        {
            yield return rows;
        }
        else
        {
            rows.Dispose();
        }
    }
}
