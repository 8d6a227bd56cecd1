using DataOpen.Api.Rows;
using DataOpen.Core.Catalog;
using DataOpen.Core.Query;

namespace DataOpen.Api.Tests.OData;

/// <summary>A page read ahead is served only to a query with the same SQL and the same parameter values, types included.</summary>
public sealed class PageReadAheadKeyTests
{
    private static readonly TableShape Shape = new("data", "t_v1", [new FieldInfo("name", FieldType.Text, 1), new FieldInfo("at", FieldType.Timestamp, 2), new FieldInfo("n", FieldType.BigInt, 3)]);

    private static string Key(Expr filter, string? after = null) =>
        PageReadAhead.KeyOf(QueryCompiler.Default.Compile(new RowQuery(Shape) { Filter = filter, Limit = 10, After = after }));

    [Fact]
    public void Keys_differ_by_value_type_and_sub_second_instant_and_agree_on_equal_queries()
    {
        var at = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
        Assert.Equal(Key(Expr.Eq(Expr.Field("name"), Expr.Const("a"))), Key(Expr.Eq(Expr.Field("name"), Expr.Const("a"))));
        Assert.NotEqual(Key(Expr.Eq(Expr.Field("name"), Expr.Const("a"))), Key(Expr.Eq(Expr.Field("name"), Expr.Const("b"))));
        Assert.NotEqual(Key(Expr.Gt(Expr.Field("at"), Expr.Const(at))), Key(Expr.Gt(Expr.Field("at"), Expr.Const(at.AddTicks(1)))));
        Assert.NotEqual(Key(Expr.Eq(Expr.Field("n"), Expr.Const(1L))), Key(Expr.Eq(Expr.Field("n"), Expr.Const(2L))));
        // A text value that mimics the key's own separators cannot pose as two parameters.
        Assert.NotEqual(
            Key(Expr.And(Expr.Eq(Expr.Field("name"), Expr.Const("a")), Expr.Eq(Expr.Field("name"), Expr.Const("b")))),
            Key(Expr.Eq(Expr.Field("name"), Expr.Const("a\u001fString:1:b"))));
    }
}
