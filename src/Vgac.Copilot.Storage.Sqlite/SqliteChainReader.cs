using System.Globalization;
using System.Runtime.InteropServices;
using Vgac.Copilot.Audit.Storage;

namespace Vgac.Copilot.Storage.Sqlite;

/// <summary>
/// Reads the chain's rows of a prepared SQLite statement into a <see cref="ChainRows"/> batch by calling SQLite's
/// column functions directly: a dozen calls a row, millions of rows in a full check, where each call through
/// SQLitePCLRaw's safe handles costs several times the work it does (docs/decisions/0001-chain-walk-reads-stored-bytes.md). The
/// statement itself is prepared, bound, stepped and finalised through SQLitePCLRaw as everywhere else.
/// </summary>
internal static partial class SqliteChainReader
{
    private const string Library = "e_sqlite3";

    /// <summary>Fills a new batch from <paramref name="statement"/> (positioned before its next row) until it is full or the statement is done.</summary>
    public static ChainRows ReadBatch(SQLitePCL.sqlite3_stmt statement, Func<int, Exception> failed)
    {
        var rows = new ChainRows();
        var added = false;
        try
        {
            statement.DangerousAddRef(ref added);
            var handle = statement.DangerousGetHandle();
            Span<byte> number = stackalloc byte[20];
            int step;
            while (!rows.Full && (step = SQLitePCL.raw.sqlite3_step(statement)) != SQLitePCL.raw.SQLITE_DONE)
            {
                if (step != SQLitePCL.raw.SQLITE_ROW)
                {
                    rows.Dispose();
                    throw failed(step);
                }

                var value = ColumnInt64(handle, 0);
                rows.BeginRow(value);
                rows.Add(Decimal(value, number));
                for (var column = 1; column < ChainRows.Columns; column++)
                {
                    switch (ColumnType(handle, column))
                    {
                        case SQLitePCL.raw.SQLITE_NULL:
                            rows.AddNull();
                            break;
                        case SQLitePCL.raw.SQLITE_INTEGER:
                            // Formatted here rather than by SQLite, which would allocate the text for each one.
                            rows.Add(Decimal(ColumnInt64(handle, column), number));
                            break;
                        default:
                            rows.Add(Column(handle, column));
                            break;
                    }
                }
            }

            return rows;
        }
        finally
        {
            if (added)
            {
                statement.DangerousRelease();
            }
        }
    }

    /// <summary><paramref name="value"/> in decimal, as SQLite would write it as text.</summary>
    private static ReadOnlySpan<byte> Decimal(long value, Span<byte> buffer)
    {
        value.TryFormat(buffer, out var length, provider: CultureInfo.InvariantCulture);
        return buffer[..length];
    }

    /// <summary>A column's value as SQLite holds it (integers as their decimal text), valid until the next step.</summary>
    private static unsafe ReadOnlySpan<byte> Column(nint statement, int column)
    {
        var bytes = ColumnBlob(statement, column);
        return bytes == 0 ? default : new ReadOnlySpan<byte>((void*)bytes, ColumnBytes(statement, column));
    }

    // Each does a few instructions of work on memory SQLite already holds (a text conversion at most): the runtime's
    // GC transition, which would cost more than the call, is left out.
    [LibraryImport(Library, EntryPoint = "sqlite3_column_blob"), SuppressGCTransition]
    private static partial nint ColumnBlob(nint statement, int column);

    [LibraryImport(Library, EntryPoint = "sqlite3_column_bytes"), SuppressGCTransition]
    private static partial int ColumnBytes(nint statement, int column);

    [LibraryImport(Library, EntryPoint = "sqlite3_column_type"), SuppressGCTransition]
    private static partial int ColumnType(nint statement, int column);

    [LibraryImport(Library, EntryPoint = "sqlite3_column_int64"), SuppressGCTransition]
    private static partial long ColumnInt64(nint statement, int column);
}
