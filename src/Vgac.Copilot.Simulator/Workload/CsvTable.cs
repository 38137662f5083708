using System.Globalization;

namespace Vgac.Copilot.Simulator.Workload;

/// <summary>
/// A minimal reader for the plain comma-separated traces we replay (no quoted fields in them), with errors
/// that name the file, line and column.
/// </summary>
internal sealed class CsvTable(string file, string[] header)
{
    public string File { get; } = file;

    public static IEnumerable<CsvRow> Read(string path, params string[] requiredColumns)
    {
        using var reader = new StreamReader(path);
        var headerLine = reader.ReadLine() ?? throw new TraceFormatException(path, 1, "header", "the file is empty");
        var table = new CsvTable(path, headerLine.Split(','));
        foreach (var column in requiredColumns)
        {
            if (Array.IndexOf(table.Header, column) < 0)
            {
                throw new TraceFormatException(path, 1, column, $"required column is missing (have: {headerLine})");
            }
        }

        long number = 1;
        while (reader.ReadLine() is { } line)
        {
            number++;
            if (line.Length == 0)
            {
                continue;
            }

            var cells = line.Split(',');
            if (cells.Length != table.Header.Length)
            {
                throw new TraceFormatException(path, number, table.Header[Math.Min(cells.Length, table.Header.Length - 1)],
                    $"expected {table.Header.Length} fields, found {cells.Length}");
            }

            yield return new CsvRow(table, number, cells);
        }
    }

    public string[] Header { get; } = header;
}

/// <summary>One data line of a <see cref="CsvTable"/>.</summary>
internal readonly struct CsvRow(CsvTable table, long line, string[] cells)
{
    public long Line { get; } = line;

    public string Text(string column) => cells[Index(column)];

    public double Number(string column)
    {
        var cell = Text(column);
        return double.TryParse(cell, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && double.IsFinite(value)
            ? value
            : throw new TraceFormatException(table.File, Line, column, $"expected a number, found '{cell}'");
    }

    public double? OptionalNumber(string column) => Text(column).Length == 0 ? null : Number(column);

    private int Index(string column)
    {
        var i = Array.IndexOf(table.Header, column);
        return i >= 0 ? i : throw new TraceFormatException(table.File, 1, column, "column is missing");
    }
}
