using System.Text;
using DataOpen.Core.Catalog;
using DataOpen.Core.Ingest;

namespace DataOpen.Core.Tests.Ingest;

public sealed class CsvSourceTests : IDisposable
{
    private readonly TempFiles files = new();

    public void Dispose() => files.Dispose();

    private static List<string[]> ReadAll(IRowSource rows, List<long>? numbers = null)
    {
        var all = new List<string[]>();
        while (rows.Read())
        {
            var values = new string[rows.Headers.Count];
            for (int i = 0; i < values.Length; i++)
            {
                values[i] = rows.GetValue(i).ToString();
            }

            numbers?.Add(rows.RowNumber);
            all.Add(values);
        }

        return all;
    }

    private IngestException OpenAndReadAll(string content, IngestOptions? options = null, string? delimiter = null)
    {
        string path = files.Write("bad.csv", content);
        return Assert.Throws<IngestException>(() =>
        {
            using var rows = RowSource.Open(path, new SourceSpec("bad.csv", Delimiter: delimiter), options);
            ReadAll(rows);
        });
    }

    [Fact]
    public void Quoted_fields_keep_delimiters_quotes_and_line_breaks()
    {
        string path = files.Write("a.csv", "id,text\r\n1,\"a,b\"\r\n2,\"say \"\"hi\"\"\"\r\n3,\"two\nlines\"\r\n4,plain\r\n");
        var numbers = new List<long>();

        using var rows = RowSource.Open(path, new SourceSpec("a.csv"));
        var all = ReadAll(rows, numbers);

        Assert.Equal(["1", "a,b"], all[0]);
        Assert.Equal(["2", "say \"hi\""], all[1]);
        Assert.Equal(["3", "two\nlines"], all[2]);
        Assert.Equal(["4", "plain"], all[3]);
        Assert.Equal([2L, 3, 4, 5], numbers);
        Assert.Equal(4, rows.DataRowIndex);
    }

    [Fact]
    public void The_delimiter_comes_from_the_source_spec()
    {
        string path = files.Write("a.csv", "id;name\n1;a,b\n");

        using var rows = RowSource.Open(path, new SourceSpec("a.csv", Delimiter: ";"));

        Assert.Equal(["1", "a,b"], ReadAll(rows)[0]);
    }

    [Fact]
    public void Blank_lines_are_skipped_but_keep_their_row_number()
    {
        string path = files.Write("a.csv", "id,name\n1,a\n\n2,b\n");
        var numbers = new List<long>();

        using var rows = RowSource.Open(path, new SourceSpec("a.csv"));
        var all = ReadAll(rows, numbers);

        Assert.Equal(2, all.Count);
        Assert.Equal([2L, 4], numbers);
        Assert.Equal(2, rows.DataRowIndex);
    }

    [Fact]
    public void An_empty_file_is_rejected()
    {
        Assert.Equal(IngestProblem.EmptyFile, OpenAndReadAll("").Problem);
    }

    [Fact]
    public void A_file_starting_with_an_empty_line_has_no_header()
    {
        Assert.Equal(IngestProblem.NoHeader, OpenAndReadAll("\n1,2\n").Problem);
    }

    [Fact]
    public void A_first_row_of_numbers_is_not_a_header()
    {
        var error = OpenAndReadAll("1,2023-01-05,3.5\n2,2023-01-06,4\n");

        Assert.Equal(IngestProblem.NoHeader, error.Problem);
        Assert.Equal(1, error.Row);
    }

    [Fact]
    public void A_header_only_file_has_headers_and_no_rows()
    {
        string path = files.Write("a.csv", "id,name\n");

        using var rows = RowSource.Open(path, new SourceSpec("a.csv"));

        Assert.Equal(["id", "name"], rows.Headers);
        Assert.False(rows.Read());
    }

    [Fact]
    public void Duplicate_headers_are_rejected_naming_both_columns()
    {
        var error = OpenAndReadAll("id,name,name\n1,a,b\n");

        Assert.Equal(IngestProblem.DuplicateHeader, error.Problem);
        Assert.Equal("name", error.Column);
        Assert.Contains("Columns 2 and 3", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_empty_header_name_is_rejected_with_its_position()
    {
        var error = OpenAndReadAll("id,,name\n1,2,3\n");

        Assert.Equal(IngestProblem.EmptyHeader, error.Problem);
        Assert.Contains("Column 2", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("id,name\n1,a\n2,b,c\n", 3, 3)]
    [InlineData("id,name\n1,a\n2\n", 3, 1)]
    public void A_ragged_row_is_rejected_with_its_row_and_field_count(string content, long row, int fields)
    {
        var error = OpenAndReadAll(content);

        Assert.Equal(IngestProblem.RaggedRow, error.Problem);
        Assert.Equal(row, error.Row);
        Assert.Equal($"Row {row}: {fields} fields, expected 2 (the number of columns in the header row).", error.Message);
    }

    [Fact]
    public void A_field_larger_than_the_limit_is_rejected_without_reading_it_into_memory()
    {
        const int fieldBytes = 5 * 1024 * 1024;
        string path = files.PathOf("huge.csv");
        using (var writer = new StreamWriter(path, false, new UTF8Encoding(false)))
        {
            writer.Write("id,text\n1,small\n2,\"");
            writer.Write(new string('x', fieldBytes));
            writer.Write("\"\n3,after\n");
        }

        var options = new IngestOptions { MaxFieldBytes = 1024 * 1024 };
        long before = GC.GetAllocatedBytesForCurrentThread();
        var error = Assert.Throws<IngestException>(() =>
        {
            using var rows = RowSource.Open(path, new SourceSpec("huge.csv"), options);
            while (rows.Read())
            {
            }
        });
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(IngestProblem.FieldTooLarge, error.Problem);
        Assert.Equal(3, error.Row);
        // Chars are two bytes: holding the field even once would allocate twice its size.
        Assert.True(allocated < fieldBytes, $"allocated {allocated} bytes");
    }

    [Fact]
    public void An_unquoted_field_over_the_limit_deep_in_a_file_is_reported_with_its_row()
    {
        var content = new StringBuilder("id,text\n");
        for (int i = 0; i < 10_000; i++)
        {
            content.Append(i).Append(",\"quoted, ").Append(i).Append("\"\n");
        }

        content.Append("10000,").Append('u', 300_000).Append('\n');
        var options = new IngestOptions { MaxFieldBytes = 200_000 };

        var error = OpenAndReadAll(content.ToString(), options);

        Assert.Equal(IngestProblem.FieldTooLarge, error.Problem);
        Assert.Equal(10_002, error.Row);
    }

    [Fact]
    public void Fields_just_under_the_limit_are_accepted_across_read_boundaries()
    {
        string field = new('v', 150_000);
        string path = files.Write("a.csv", $"a,b\n{field},\"{field}\"\n{field},{field}\n");

        using var rows = RowSource.Open(path, new SourceSpec("a.csv"), new IngestOptions { MaxFieldBytes = 150_002, MaxRowBytes = 400_000 });
        var all = ReadAll(rows);

        Assert.Equal(2, all.Count);
        Assert.All(all, r => Assert.Equal([field, field], r));
    }

    [Fact]
    public void A_row_of_fields_under_the_field_limit_can_still_exceed_the_row_limit()
    {
        string field = new('w', 100_000);

        var error = OpenAndReadAll($"a,b,c\n1,2,3\n{field},{field},{field}\n", new IngestOptions { MaxFieldBytes = 150_000, MaxRowBytes = 250_000 });

        Assert.Equal(IngestProblem.RowTooLarge, error.Problem);
        Assert.Equal(3, error.Row);
    }

    [Fact]
    public void An_unclosed_quote_is_reported_with_the_row_where_it_opens()
    {
        var error = OpenAndReadAll("id,name\n1,a\n2,\"b\n3,c\n");

        Assert.Equal(IngestProblem.UnclosedQuote, error.Problem);
        Assert.Equal(3, error.Row);
    }

    [Fact]
    public void A_row_larger_than_the_row_limit_is_rejected()
    {
        var options = new IngestOptions { MaxFieldBytes = 100, MaxRowBytes = 1000 };
        string row = string.Join(",", Enumerable.Repeat(new string('y', 50), 30));

        var error = OpenAndReadAll("a\n" + row + "\n", options);

        Assert.Equal(IngestProblem.RowTooLarge, error.Problem);
        Assert.Equal(2, error.Row);
    }

    [Fact]
    public void A_quote_as_delimiter_is_refused()
    {
        Assert.Equal(IngestProblem.InvalidDelimiter, OpenAndReadAll("a\n1\n", delimiter: "\"").Problem);
    }
}
