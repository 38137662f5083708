using System.Globalization;

namespace Vgac.Copilot.Calibration;

/// <summary>A CSV file that cannot be audited; names the line (1-based, header is line 1) and column.</summary>
public sealed class CsvAuditException(string file, long line, string column, string problem)
    : Exception($"{file}: line {line}, column '{Cut(column, 64)}': {Cut(problem, 400)}")
{
    /// <summary>Text from the file, echoed in a message: never more than <paramref name="max"/> characters of it.</summary>
    internal static string Cut(string text, int max) =>
        text.Length <= max ? text : string.Concat(text.AsSpan(0, max), string.Create(CultureInfo.InvariantCulture, $"... ({text.Length:N0} characters)"));

    public long Line { get; } = line;

    public string Column { get; } = column;
}

/// <summary>
/// Reads predictions and outcomes (or one numeric column) from a CSV file, fast enough for a million rows
/// and strict: every bad cell is an error naming its line and column.
/// </summary>
public static class ProbabilityCsv
{
    public static (double[] Probabilities, int[] Labels) ReadPredictions(string path, string probabilityColumn, string labelColumn)
    {
        var probabilities = new List<double>();
        var labels = new List<int>();
        foreach (var (line, cells) in Rows(path, [probabilityColumn, labelColumn]))
        {
            var p = Number(path, line, probabilityColumn, cells[0]);
            if (p is < 0 or > 1)
            {
                throw new CsvAuditException(path, line, probabilityColumn, $"probability {cells[0].ToString()} is outside [0, 1]");
            }

            var y = Number(path, line, labelColumn, cells[1]);
            if (y is not (0 or 1))
            {
                throw new CsvAuditException(path, line, labelColumn, $"label must be 0 or 1, found '{cells[1].ToString()}'");
            }

            probabilities.Add(p);
            labels.Add((int)y);
        }

        return probabilities.Count == 0
            ? throw new CsvAuditException(path, 2, probabilityColumn, "the file has no data rows")
            : ([.. probabilities], [.. labels]);
    }

    public static double[] ReadColumn(string path, string column)
    {
        var values = new List<double>();
        foreach (var (line, cells) in Rows(path, [column]))
        {
            values.Add(Number(path, line, column, cells[0]));
        }

        return values.Count == 0 ? throw new CsvAuditException(path, 2, column, "the file has no data rows") : [.. values];
    }

    /// <summary>Yields the wanted cells of each data row, in the order of <paramref name="columns"/>.</summary>
    private static IEnumerable<(long Line, CellPair Cells)> Rows(string path, string[] columns)
    {
        if (!File.Exists(path))
        {
            throw new CsvAuditException(path, 0, columns[0], "file not found");
        }

        using var reader = new StreamReader(path, System.Text.Encoding.UTF8, detectEncodingFromByteOrderMarks: true, bufferSize: 1 << 16);
        var header = reader.ReadLine();
        if (string.IsNullOrWhiteSpace(header))
        {
            throw new CsvAuditException(path, 1, columns[0], "the file is empty");
        }

        var names = header.Split(',').Select(h => h.Trim().Trim('"')).ToArray();
        var indices = columns.Select(c => Array.IndexOf(names, c)).ToArray();
        for (var k = 0; k < columns.Length; k++)
        {
            if (indices[k] < 0)
            {
                var shown = names.Length <= 20 ? string.Join(", ", names) : string.Create(CultureInfo.InvariantCulture, $"{string.Join(", ", names.Take(20))} and {names.Length - 20:N0} more");
                throw new CsvAuditException(path, 1, columns[k], $"no such column (the header has: {shown})");
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

            yield return (number, new CellPair(line, indices, names.Length, path, number, columns));
        }
    }

    private static double Number(string path, long line, string column, ReadOnlySpan<char> cell) =>
        double.TryParse(cell.Trim().Trim('"'), NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && double.IsFinite(value)
            ? value
            : throw new CsvAuditException(path, line, column, $"expected a number, found '{cell.ToString()}'");

    /// <summary>The wanted cells of one line, located without splitting the whole line.</summary>
    private readonly struct CellPair
    {
        private readonly string _line;
        private readonly (int Start, int Length)[] _cells;

        public CellPair(string line, int[] indices, int width, string path, long number, string[] columns)
        {
            _line = line;
            _cells = new (int, int)[indices.Length];
            var field = 0;
            var start = 0;
            var found = 0;
            for (var i = 0; i <= line.Length && found < indices.Length; i++)
            {
                if (i == line.Length || line[i] == ',')
                {
                    for (var k = 0; k < indices.Length; k++)
                    {
                        if (indices[k] == field)
                        {
                            _cells[k] = (start, i - start);
                            found++;
                        }
                    }

                    field++;
                    start = i + 1;
                }
            }

            if (found < indices.Length)
            {
                var missing = columns[Array.FindIndex(_cells, c => c == default)];
                throw new CsvAuditException(path, number, missing, $"the row has fewer than {width} fields");
            }
        }

        public ReadOnlySpan<char> this[int k] => _line.AsSpan(_cells[k].Start, _cells[k].Length);
    }
}
