using DataOpen.Core.Query;

namespace DataOpen.Core.Tests.Query;

public class CursorTests
{
    private static object?[] Row(CompiledQuery c, params (string Name, object? Value)[] values) =>
        c.Columns.Select(col => values.First(v => v.Name == col.Name).Value).ToArray();

    [Fact]
    public void Cursor_round_trips_into_a_row_comparison_when_directions_agree()
    {
        var first = RestGoldenTests.Compile("select=station&order=-pm25&pm25[gt]=1");
        var cursor = first.CreateCursor(Row(first, ("station", "a"), ("pm25", 80.5m), ("_row_id", 42L)));
        var next = RestGoldenTests.Compile("select=station&order=-pm25&pm25[gt]=1&after=" + cursor);
        Assert.Equal("SELECT \"station\", \"pm25\", \"_row_id\" FROM \"data\".\"air__v1\" WHERE \"pm25\" > $1 AND (\"pm25\", \"_row_id\") < ($2, $3) ORDER BY \"pm25\" DESC NULLS FIRST, \"_row_id\" DESC LIMIT $4", next.Sql);
        Assert.Equal([1m, 80.5m, 42L, 101L], next.Parameters);
    }

    [Fact]
    public void Ascending_row_comparison_adds_back_rows_with_nulls()
    {
        var first = RestGoldenTests.Compile("select=station&order=station,report_date");
        var cursor = first.CreateCursor(Row(first, ("station", "a"), ("report_date", new DateTime(2024, 1, 2)), ("_row_id", 7)));
        var next = RestGoldenTests.Compile("select=station&order=station,report_date&after=" + cursor);
        Assert.Contains("WHERE (((\"station\", \"report_date\", \"_row_id\") > ($1, $2, $3)) OR (\"station\" IS NULL) OR (\"station\" = $1 AND \"report_date\" IS NULL))", next.Sql, StringComparison.Ordinal);
        Assert.Equal(["a", new DateOnly(2024, 1, 2), 7L, 101L], next.Parameters);
    }

    [Fact]
    public void Mixed_directions_expand_to_or_form()
    {
        var first = RestGoldenTests.Compile("select=station&order=-pm25,station");
        var cursor = first.CreateCursor(Row(first, ("station", "b"), ("pm25", 3m), ("_row_id", 9L)));
        var next = RestGoldenTests.Compile("select=station&order=-pm25,station&after=" + cursor);
        Assert.Contains("WHERE ((\"pm25\" < $1) OR (\"pm25\" = $1 AND (\"station\" > $2 OR \"station\" IS NULL)) OR (\"pm25\" = $1 AND \"station\" = $2 AND \"_row_id\" > $3))", next.Sql, StringComparison.Ordinal);
    }

    [Fact]
    public void Null_cursor_values_use_is_null_and_skip_impossible_branches()
    {
        var first = RestGoldenTests.Compile("select=station&order=-pm25,station");
        var cursor = first.CreateCursor(Row(first, ("station", null), ("pm25", DBNull.Value), ("_row_id", 9L)));
        var next = RestGoldenTests.Compile("select=station&order=-pm25,station&after=" + cursor);
        // Descending nulls come first, so every non-null pm25 follows; ascending nothing follows a null station.
        Assert.Contains("WHERE ((\"pm25\" IS NOT NULL) OR (\"pm25\" IS NULL AND \"station\" IS NULL AND \"_row_id\" > $1))", next.Sql, StringComparison.Ordinal);
        Assert.Equal([9L, 101L], next.Parameters);
    }

    [Fact]
    public void Cursor_from_another_query_is_rejected()
    {
        var first = RestGoldenTests.Compile("select=station&pm25[gt]=1");
        var cursor = first.CreateCursor(Row(first, ("station", "a"), ("_row_id", 1L)));
        var ex = Assert.Throws<QueryException>(() => RestGoldenTests.Compile("select=station&pm25[gt]=2&after=" + cursor));
        Assert.Equal(QueryErrorCodes.BadCursor, ex.Code);
        Assert.Equal("after", ex.Target);
    }

    [Fact]
    public void Tampered_cursor_is_rejected()
    {
        var first = RestGoldenTests.Compile("select=station&order=pm25");
        var cursor = first.CreateCursor(Row(first, ("station", "a"), ("pm25", 1m), ("_row_id", 1L)));
        var json = System.Text.Encoding.UTF8.GetString(System.Buffers.Text.Base64Url.DecodeFromChars(cursor));
        foreach (var forged in new[] { json.Replace("\"1\"", "\"x\"", StringComparison.Ordinal), json.Replace(",1]", ",\"1\"]", StringComparison.Ordinal), json.Replace("]", ",1]", StringComparison.Ordinal), "[]", "{" })
        {
            var encoded = System.Buffers.Text.Base64Url.EncodeToString(System.Text.Encoding.UTF8.GetBytes(forged));
            var ex = Assert.Throws<QueryException>(() => RestGoldenTests.Compile("select=station&order=pm25&after=" + encoded));
            Assert.Equal(QueryErrorCodes.BadCursor, ex.Code);
        }

        Assert.Equal(QueryErrorCodes.BadCursor, Assert.Throws<QueryException>(() => RestGoldenTests.Compile("select=station&order=pm25&after=" + cursor[..^3])).Code);
    }
}
