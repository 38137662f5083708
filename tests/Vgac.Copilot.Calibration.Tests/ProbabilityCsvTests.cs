namespace Vgac.Copilot.Calibration.Tests;

public sealed class ProbabilityCsvTests
{
    [Theory]
    [InlineData("raw_score,label_long_wait\n0.2,0\n0.4,oops\n", 3, "label_long_wait", "expected a number")]
    [InlineData("raw_score,label_long_wait\n0.2,0\nabc,1\n", 3, "raw_score", "expected a number")]
    [InlineData("raw_score,label_long_wait\n0.2,0\n1.2,1\n", 3, "raw_score", "outside [0, 1]")]
    [InlineData("raw_score,label_long_wait\n0.2,2\n", 2, "label_long_wait", "0 or 1")]
    [InlineData("score,label_long_wait\n0.2,0\n", 1, "raw_score", "no such column")]
    [InlineData("raw_score,label_long_wait\n", 2, "raw_score", "no data rows")]
    [InlineData("", 1, "raw_score", "empty")]
    [InlineData("raw_score,x,label_long_wait\n0.3\n", 2, "label_long_wait", "fewer than 3 fields")]
    public void ReadPredictions_BadFile_NamesLineAndColumn(string content, long line, string column, string problem)
    {
        var path = Path.Combine(Vgac.Copilot.Testing.TestPaths.NewFolder("vgac-csv-"), "bad.csv");
        File.WriteAllText(path, content);

        var ex = Assert.Throws<CsvAuditException>(() => ProbabilityCsv.ReadPredictions(path, "raw_score", "label_long_wait"));

        Assert.Equal(line, ex.Line);
        Assert.Equal(column, ex.Column);
        Assert.Contains(problem, ex.Message, StringComparison.Ordinal);
        Assert.Contains($"line {line}", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ReadPredictions_HeaderOfAMillionColumns_ErrorStaysShort()
    {
        var path = Path.Combine(Vgac.Copilot.Testing.TestPaths.NewFolder("vgac-csv-"), "wide.csv");
        File.WriteAllText(path, string.Join(",", Enumerable.Range(0, 1_000_000).Select(i => $"c{i}")) + "\n0.1\n");

        var ex = Assert.Throws<CsvAuditException>(() => ProbabilityCsv.ReadPredictions(path, "raw_score", "label_long_wait"));

        Assert.Contains("no such column (the header has: c0, c1", ex.Message, StringComparison.Ordinal);
        Assert.Contains("and 999,980 more", ex.Message, StringComparison.Ordinal);
        Assert.True(ex.Message.Length < 1000, $"{ex.Message.Length} characters");
    }

    [Fact]
    public void ReadPredictions_ColumnsInAnyOrder_AndLabelsAsFloats()
    {
        var path = Path.Combine(Vgac.Copilot.Testing.TestPaths.NewFolder("vgac-csv-"), "ok.csv");
        File.WriteAllText(path, "label_long_wait,other,raw_score\n1.0,x,0.75\n0,y,1e-3\n");

        var (p, y) = ProbabilityCsv.ReadPredictions(path, "raw_score", "label_long_wait");

        Assert.Equal([0.75, 0.001], p);
        Assert.Equal([1, 0], y);
    }
}
