using DataOpen.Core.Query;
using static DataOpen.Core.Query.Expr;

namespace DataOpen.Core.Tests.Query;

/// <summary>Trees built directly, as the OData and GraphQL doors will.</summary>
public class ModelCompilerTests
{
    private static CompiledQuery Compile(RowQuery q) => QueryCompiler.Default.Compile(q);

    [Fact]
    public void Query_without_filter_selects_every_field_ordered_by_row_id()
    {
        var c = Compile(new RowQuery(TestShape.Air));
        Assert.Equal($"SELECT {TestShape.AllColumns} FROM \"data\".\"air__v1\" ORDER BY \"_row_id\" ASC LIMIT $1", c.Sql);
        Assert.Equal([101L], c.Parameters);
        Assert.Equal(101, c.FetchLimit);
        Assert.True(c.Columns[^1].Hidden);
    }

    [Fact]
    public void Date_string_against_date_column_becomes_a_DateOnly_parameter()
    {
        var c = Compile(new RowQuery(TestShape.Air) { Filter = Ge(Field("report_date"), Const("2024-01-01")), Select = ["station"] });
        Assert.Equal("SELECT \"station\", \"_row_id\" FROM \"data\".\"air__v1\" WHERE \"report_date\" >= $1 ORDER BY \"_row_id\" ASC LIMIT $2", c.Sql);
        Assert.Equal(new DateOnly(2024, 1, 1), Assert.IsType<DateOnly>(c.Parameters[0]));
    }

    [Fact]
    public void Integer_literal_against_decimal_column_binds_a_decimal()
    {
        var c = Compile(new RowQuery(TestShape.Air) { Filter = Gt(Field("pm25"), Const(75)), Select = ["pm25"] });
        Assert.Equal(75m, Assert.IsType<decimal>(c.Parameters[0]));
    }

    [Fact]
    public void Eq_null_compiles_to_is_null_without_a_parameter()
    {
        var c = Compile(new RowQuery(TestShape.Air) { Filter = Eq(Field("pm25"), Constant.Null), Select = ["pm25"] });
        Assert.Contains("WHERE \"pm25\" IS NULL ORDER BY", c.Sql, StringComparison.Ordinal);
        Assert.Single(c.Parameters);
    }

    [Fact]
    public void Unknown_field_names_close_matches()
    {
        var ex = Assert.Throws<QueryException>(() => Compile(new RowQuery(TestShape.Air) { Filter = Gt(Field("pm2.5"), Const(1)) }));
        Assert.Equal(QueryErrorCodes.UnknownField, ex.Code);
        Assert.Equal("filter", ex.Target);
        Assert.Contains("pm25", ex.Suggestions);
    }
}
