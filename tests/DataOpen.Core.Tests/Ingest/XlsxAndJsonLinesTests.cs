using DataOpen.Core.Catalog;
using DataOpen.Core.Ingest;
using MiniExcelLibs;

namespace DataOpen.Core.Tests.Ingest;

public sealed class XlsxAndJsonLinesTests : IDisposable
{
    private readonly TempFiles files = new();

    public void Dispose() => files.Dispose();

    [Fact]
    public void An_xlsx_sheet_round_trips_with_invariant_text_and_inferred_types()
    {
        string path = files.PathOf("data.xlsx");
        var sheet = new List<Dictionary<string, object?>>
        {
            new() { ["编号"] = 1, ["名称"] = "长春", ["金额"] = 1234.5, ["日期"] = new DateTime(2023, 1, 5), ["开放"] = true, ["大数"] = 3000000000L },
            new() { ["编号"] = 2, ["名称"] = "新区", ["金额"] = 0.25, ["日期"] = new DateTime(2023, 2, 28), ["开放"] = false, ["大数"] = 5L },
        };
        MiniExcel.SaveAs(path, sheet);

        using (var rows = RowSource.Open(path, new SourceSpec("data.xlsx")))
        {
            Assert.Equal("xlsx", rows.Format);
            Assert.Equal(["编号", "名称", "金额", "日期", "开放", "大数"], rows.Headers);
            Assert.True(rows.Read());
            Assert.Equal(2, rows.RowNumber);
            Assert.Equal(["1", "长春", "1234.5", "2023-01-05", "true", "3000000000"], Enumerable.Range(0, 6).Select(i => rows.GetValue(i).ToString()));
        }

        var (plan, report) = StagingLoader.Validate(path, ValidationTests.Dataset("data.xlsx"));

        Assert.True(report.IsValid);
        Assert.Equal(2, report.TotalRows);
        Assert.Equal(
            [FieldType.Integer, FieldType.Text, FieldType.Decimal, FieldType.Date, FieldType.Boolean, FieldType.BigInt],
            plan.Columns.Select(c => c.Type));
    }

    [Fact]
    public void An_xlsx_sheet_is_chosen_by_name_and_a_missing_one_is_an_error()
    {
        string path = files.PathOf("two.xlsx");
        var sheets = new Dictionary<string, object>
        {
            ["first"] = new List<Dictionary<string, object?>> { new() { ["a"] = 1 } },
            ["second"] = new List<Dictionary<string, object?>> { new() { ["b"] = "x" } },
        };
        MiniExcel.SaveAs(path, sheets);

        using (var rows = RowSource.Open(path, new SourceSpec("two.xlsx", Sheet: "second")))
        {
            Assert.Equal(["b"], rows.Headers);
        }

        var error = Assert.Throws<IngestException>(() => RowSource.Open(path, new SourceSpec("two.xlsx", Sheet: "third")));
        Assert.Equal(IngestProblem.SheetNotFound, error.Problem);
    }

    [Fact]
    public void An_xlsx_declared_integer_column_reports_bad_cells_with_excel_row_numbers()
    {
        string path = files.PathOf("bad.xlsx");
        MiniExcel.SaveAs(path, new List<Dictionary<string, object?>>
        {
            new() { ["id"] = 1, ["n"] = "5" },
            new() { ["id"] = 2, ["n"] = "five" },
        });

        var (_, report) = StagingLoader.Validate(path, ValidationTests.Dataset("bad.xlsx", [new FieldSpec("n", Type: "integer")]));

        Assert.Equal([new RejectedValue(3, "n", "five", "not an integer")], report.RejectedValues);
    }

    [Fact]
    public void Xlsx_trailing_empty_header_cells_are_dropped_but_values_under_them_are_an_error()
    {
        string path = files.PathOf("wide.xlsx");
        MiniExcel.SaveAs(path, new List<Dictionary<string, object?>>
        {
            new() { ["A"] = "id", ["B"] = "name", ["C"] = null },
            new() { ["A"] = 1, ["B"] = "x", ["C"] = null },
            new() { ["A"] = 2, ["B"] = "y", ["C"] = "stray" },
        }, printHeader: false);

        var error = Assert.Throws<IngestException>(() =>
        {
            using var rows = RowSource.Open(path, new SourceSpec("wide.xlsx"));
            Assert.Equal(["id", "name"], rows.Headers);
            Assert.True(rows.Read());
            Assert.Equal("x", rows.GetValue(1).ToString());
            rows.Read();
        });

        Assert.Equal(IngestProblem.RaggedRow, error.Problem);
        Assert.Equal(3, error.Row);
    }

    [Fact]
    public void Json_lines_use_the_first_object_keys_as_headers_and_keep_number_text()
    {
        string path = files.Write(
            "data.jsonl",
            "{\"id\":1,\"name\":\"长春\",\"amount\":1.50,\"open\":true,\"note\":null}\n\n{\"id\":2,\"name\":\"新区\",\"amount\":2,\"open\":false}\n");

        using (var rows = RowSource.Open(path, new SourceSpec("data.jsonl")))
        {
            Assert.Equal("jsonl", rows.Format);
            Assert.Equal(["id", "name", "amount", "open", "note"], rows.Headers);
            Assert.True(rows.Read());
            Assert.Equal((1L, 1L), (rows.RowNumber, rows.DataRowIndex));
            Assert.Equal("1.50", rows.GetValue(2).ToString());
            Assert.True(rows.Read());
            Assert.Equal((3L, 2L), (rows.RowNumber, rows.DataRowIndex));
            Assert.Equal("", rows.GetValue(4).ToString());
            Assert.False(rows.Read());
        }

        var (plan, report) = StagingLoader.Validate(path, ValidationTests.Dataset("data.jsonl"));

        Assert.True(report.IsValid);
        Assert.Equal(
            [FieldType.Integer, FieldType.Text, FieldType.Decimal, FieldType.Boolean, FieldType.Text],
            plan.Columns.Select(c => c.Type));
    }

    [Theory]
    [InlineData("{\"id\":1}\n{\"id\":2,\"extra\":3}\n", IngestProblem.UnknownKey, 2)]
    [InlineData("{\"id\":1}\n{\"id\":[1,2]}\n", IngestProblem.InvalidJson, 2)]
    [InlineData("{\"id\":1}\n{\"id\":\n", IngestProblem.InvalidJson, 2)]
    [InlineData("{\"id\":1}\n[1]\n", IngestProblem.InvalidJson, 2)]
    [InlineData("", IngestProblem.EmptyFile, null)]
    [InlineData("{\"a\":1,\"a\":2}\n", IngestProblem.DuplicateHeader, 1)]
    public void Bad_json_lines_are_reported_with_their_line(string content, IngestProblem problem, int? line)
    {
        string path = files.Write("bad.jsonl", content);

        var error = Assert.Throws<IngestException>(() =>
        {
            using var rows = RowSource.Open(path, new SourceSpec("bad.jsonl"));
            while (rows.Read())
            {
            }
        });

        Assert.Equal(problem, error.Problem);
        Assert.Equal(line, error.Row);
    }

    [Fact]
    public void A_huge_json_string_is_rejected_by_the_field_limit()
    {
        string path = files.Write("big.jsonl", "{\"id\":1,\"text\":\"a\"}\n{\"id\":2,\"text\":\"" + new string('q', 5000) + "\"}\n");

        var error = Assert.Throws<IngestException>(() =>
        {
            using var rows = RowSource.Open(path, new SourceSpec("big.jsonl"), new IngestOptions { MaxFieldBytes = 1000 });
            while (rows.Read())
            {
            }
        });

        Assert.Equal(IngestProblem.FieldTooLarge, error.Problem);
        Assert.Equal(2, error.Row);
    }
}
