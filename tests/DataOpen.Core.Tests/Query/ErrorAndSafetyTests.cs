using DataOpen.Core.Query;
using DataOpen.Core.Query.Rest;
using static DataOpen.Core.Query.Expr;

namespace DataOpen.Core.Tests.Query;

public class ErrorAndSafetyTests
{
    private static QueryException Fails(string queryString) =>
        Assert.Throws<QueryException>(() => RestGoldenTests.Compile(queryString));

    [Theory]
    [InlineData("pm2_5[gt]=1", QueryErrorCodes.UnknownField, "pm2_5[gt]")]
    [InlineData("filter=pm2 gt 1", QueryErrorCodes.UnknownField, "filter")]
    [InlineData("select=station,nope", QueryErrorCodes.UnknownField, "select")]
    [InlineData("order=-nope", QueryErrorCodes.UnknownField, "order")]
    [InlineData("select=_row_id", QueryErrorCodes.UnknownField, "select")]
    [InlineData("group_by=station&order=pm25", QueryErrorCodes.UnknownField, "order")]
    [InlineData("pm25[gtt]=1", QueryErrorCodes.UnknownOperator, "pm25[gtt]")]
    [InlineData("filter=contain(station, 'a')", QueryErrorCodes.UnknownFunction, "filter")]
    [InlineData("aggregate=median(pm25)", QueryErrorCodes.UnknownFunction, "aggregate")]
    [InlineData("filter=station gt 5", QueryErrorCodes.TypeMismatch, "filter")]
    [InlineData("filter=contains(pm25, '1')", QueryErrorCodes.TypeMismatch, "filter")]
    [InlineData("filter=station add 1 eq 2", QueryErrorCodes.TypeMismatch, "filter")]
    [InlineData("filter=pm25 gt null", QueryErrorCodes.TypeMismatch, "filter")]
    [InlineData("filter=pm25", QueryErrorCodes.TypeMismatch, "filter")]
    [InlineData("filter=temperature mod 2 eq 1", QueryErrorCodes.TypeMismatch, "filter")]
    [InlineData("filter=year(station) eq 1", QueryErrorCodes.TypeMismatch, "filter")]
    [InlineData("filter=length(station, 1) eq 1", QueryErrorCodes.TypeMismatch, "filter")]
    [InlineData("filter=is_open eq 'maybe'", QueryErrorCodes.BadValue, "filter")]
    [InlineData("aggregate=sum(station)", QueryErrorCodes.TypeMismatch, "aggregate")]
    [InlineData("aggregate=min(is_open)", QueryErrorCodes.TypeMismatch, "aggregate")]
    [InlineData("report_date=abc", QueryErrorCodes.BadValue, "report_date")]
    [InlineData("observed_at[gt]=2024-01-01T08:00:00", QueryErrorCodes.BadValue, "observed_at[gt]")]
    [InlineData("pm25[null]=maybe", QueryErrorCodes.BadValue, "pm25[null]")]
    [InlineData("district_code[in]=1,x", QueryErrorCodes.BadValue, "district_code[in]")]
    [InlineData("limit=abc", QueryErrorCodes.BadValue, "limit")]
    [InlineData("select=a,,b", QueryErrorCodes.BadValue, "select")]
    [InlineData("select=station,station", QueryErrorCodes.BadValue, "select")]
    [InlineData("aggregate=count() as 1bad", QueryErrorCodes.BadValue, "aggregate")]
    [InlineData("group_by=station&aggregate=count() as station", QueryErrorCodes.BadValue, "aggregate")]
    [InlineData("limit=10001", QueryErrorCodes.LimitExceeded, "limit")]
    [InlineData("offset=1000001", QueryErrorCodes.LimitExceeded, "offset")]
    [InlineData("after=%%%", QueryErrorCodes.BadCursor, "after")]
    [InlineData("group_by=station&after=abc", QueryErrorCodes.BadCursor, "after")]
    [InlineData("filter=pm25 gt", QueryErrorCodes.BadSyntax, "filter")]
    [InlineData("filter=(pm25 gt 1", QueryErrorCodes.BadSyntax, "filter")]
    [InlineData("filter=station eq 'unterminated", QueryErrorCodes.BadSyntax, "filter")]
    [InlineData("filter=pm25 gt 1 pm25", QueryErrorCodes.BadSyntax, "filter")]
    [InlineData("filter=", QueryErrorCodes.BadSyntax, "filter")]
    [InlineData("aggregate=sum pm25", QueryErrorCodes.BadSyntax, "aggregate")]
    [InlineData("filter=pm25 gt 1&filter=pm25 lt 2", QueryErrorCodes.BadValue, "filter")]
    public void Bad_query_raises_a_specific_code_naming_the_parameter(string queryString, string code, string target)
    {
        var ex = Fails(queryString);
        Assert.Equal(code, ex.Code);
        Assert.Equal(target, ex.Target);
        Assert.False(string.IsNullOrWhiteSpace(ex.Message));
    }

    [Fact]
    public void Syntax_error_says_position_and_what_was_expected()
    {
        var ex = Fails("filter=pm25 gt 1 and (station eq 'a' or)");
        Assert.Equal(QueryErrorCodes.BadSyntax, ex.Code);
        Assert.Equal(32, ex.Position);
        Assert.Contains("position 32", ex.Message, StringComparison.Ordinal);
        Assert.Contains("Expected a field name", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Unknown_field_error_lists_close_matches()
    {
        var ex = Fails("filter=staton eq 'a'");
        Assert.Equal(["station"], ex.Suggestions);
        Assert.Contains("Did you mean 'station'?", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Ten_thousand_nested_parentheses_are_too_complex_not_a_stack_overflow()
    {
        var deep = new string('(', 10_000) + "pm25 gt 1" + new string(')', 10_000);
        Assert.Equal(QueryErrorCodes.TooComplex, Fails("filter=" + Uri.EscapeDataString(deep)).Code);
    }

    [Fact]
    public void Deep_tree_built_in_code_is_too_complex_not_a_stack_overflow()
    {
        Expr e = Gt(Field("pm25"), Const(1));
        for (var i = 0; i < 100_000; i++)
        {
            e = Not(e);
        }

        var ex = Assert.Throws<QueryException>(() => QueryCompiler.Default.Compile(new RowQuery(TestShape.Air) { Filter = e }));
        Assert.Equal(QueryErrorCodes.TooComplex, ex.Code);
    }

    [Fact]
    public void Too_many_nodes_and_too_long_in_lists_are_too_complex()
    {
        var wide = string.Join(" or ", Enumerable.Repeat("pm25 gt 1", 300));
        Assert.Equal(QueryErrorCodes.TooComplex, Fails("filter=" + Uri.EscapeDataString(wide)).Code);
        Assert.Equal(QueryErrorCodes.TooComplex, Fails("station[in]=" + string.Join(',', Enumerable.Range(0, 1001))).Code);
        Assert.Equal(QueryErrorCodes.TooComplex, Fails("filter=" + Uri.EscapeDataString("station eq '" + new string('x', 100_000) + "'")).Code);
    }

    public static TheoryData<string> Injections => new()
    {
        "'; DROP TABLE data.air__v1; --",
        "a' OR '1'='1",
        "x\"; SELECT pg_sleep(10); --",
        "/* comment */ 1",
        "$$ SELECT 1 $$",
        "\\'; --",
        "＇ OR ＇1＇=＇1",
        "\u0000nul",
        "%_\\",
        new string('a', 100_000) + "';--",
    };

    [Theory]
    [MemberData(nameof(Injections))]
    public void Hostile_values_appear_only_in_parameters(string hostile)
    {
        foreach (var key in new[] { "station", "station[contains]", "station[ne]", "station[in]", "station[iendswith]" })
        {
            var c = QueryCompiler.Default.Compile(RestQueryParser.Parse(TestShape.Air, [new(key, hostile)]));
            var sql = c.Sql.Replace("ESCAPE '\\'", "", StringComparison.Ordinal);
            Assert.DoesNotContain(hostile.Length > 40 ? hostile[..40] : hostile, c.Sql, StringComparison.Ordinal);
            foreach (var forbidden in new[] { "'", ";", "--", "/*", "$$", "\u0000", "＇", "DROP", "pg_sleep" })
            {
                Assert.DoesNotContain(forbidden, sql, StringComparison.Ordinal);
            }

            Assert.Contains(c.Parameters, p => p is string);
        }
    }

    [Theory]
    [MemberData(nameof(Injections))]
    public void Hostile_text_in_a_filter_expression_is_an_error_or_a_parameter(string hostile)
    {
        var expression = "station eq '" + hostile.Replace("'", "''", StringComparison.Ordinal) + "'";
        try
        {
            var c = QueryCompiler.Default.Compile(RestQueryParser.Parse(TestShape.Air, [new("filter", expression)]));
            Assert.Equal(hostile, c.Parameters[0]);
            Assert.DoesNotContain("DROP", c.Sql, StringComparison.Ordinal);
        }
        catch (QueryException ex)
        {
            Assert.Equal(QueryErrorCodes.TooComplex, ex.Code);
        }
    }

    [Theory]
    [InlineData("station eq ＇a＇")]
    [InlineData("station eq \"a\"")]
    [InlineData("station eq 'a'; DROP TABLE x")]
    [InlineData("station eq 'a' -- comment")]
    [InlineData("station eq 'a' /* x */")]
    [InlineData("station eq $$a$$")]
    [InlineData("\"station\" eq 'a'")]
    public void Sql_syntax_in_a_filter_expression_is_a_syntax_error(string expression)
    {
        var ex = Assert.Throws<QueryException>(() => RestQueryParser.Parse(TestShape.Air, [new("filter", expression)]));
        Assert.Equal(QueryErrorCodes.BadSyntax, ex.Code);
        Assert.NotNull(ex.Position);
    }

    [Fact]
    public void Long_error_echoes_are_shortened()
    {
        var ex = Fails("report_date=" + new string('x', 100_000));
        Assert.True(ex.Message.Length < 300);
    }
}
