using DataOpen.Core.Query;

namespace DataOpen.Core.Tests.Query;

/// <summary>A key lookup compiled once and bound per request writes what a full compile of the same query writes.</summary>
public class KeyLookupTests
{
    private static readonly string[] Composite = ["station", "observed_at"];

    private static CompiledQuery Full(IReadOnlyList<string> names, IReadOnlyList<object?> values, IReadOnlyList<string>? select = null, IReadOnlySet<string>? allowed = null) =>
        QueryCompiler.Default.Compile(new RowQuery(TestShape.Air) { Filter = KeyLookup.Match(names, values), Select = select, AllowedFields = allowed, Limit = 2 });

    [Theory]
    [InlineData("readings", "42")]
    [InlineData("readings", 42L)]
    [InlineData("station", "JKQ01")]
    [InlineData("report_date", "2024-03-01")]
    [InlineData("is_open", "true")]
    [InlineData("pm25", "12.5")]
    public void Bound_lookup_has_the_sql_parameters_and_columns_of_a_full_compile(string field, object value)
    {
        var lookup = KeyLookup.Compile(QueryCompiler.Default, TestShape.Air, [field], ["station", "pm25"], null, 2);
        var bound = lookup.Bind([value]);
        var full = Full([field], [value], ["station", "pm25"]);
        Assert.Equal(full.Sql, bound.Sql);
        Assert.Equal(full.Parameters, bound.Parameters);
        Assert.Equal(full.Columns, bound.Columns);
        Assert.Equal(full.Shape!.Key, bound.Shape!.Key);
    }

    [Fact]
    public void Composite_key_binds_each_value_converted_to_its_field_type()
    {
        var lookup = KeyLookup.Compile(QueryCompiler.Default, TestShape.Air, Composite, null, null, 2);
        var bound = lookup.Bind(["JKQ01", "2024-03-01T08:00:00+08:00"]);
        Assert.Equal(Full(Composite, ["JKQ01", "2024-03-01T08:00:00+08:00"]).Sql, bound.Sql);
        Assert.Equal("JKQ01", bound.Parameters[0]);
        Assert.Equal(new DateTimeOffset(2024, 3, 1, 0, 0, 0, TimeSpan.Zero), Assert.IsType<DateTimeOffset>(bound.Parameters[1]));
        Assert.Equal(3L, bound.Parameters[2]);

        // The same lookup bound again keeps nothing of the first values.
        var other = lookup.Bind(["XYZ", "2025-01-01T00:00:00Z"]);
        Assert.Equal("XYZ", other.Parameters[0]);
        Assert.Equal("JKQ01", bound.Parameters[0]);
    }

    [Fact]
    public void A_value_that_compiles_to_other_sql_is_compiled_in_full()
    {
        // null is IS NULL (no parameter): not the template's "field = $1".
        var lookup = KeyLookup.Compile(QueryCompiler.Default, TestShape.Air, ["station"], ["pm25"], null, 2);
        var bound = lookup.Bind([null]);
        Assert.Contains("\"station\" IS NULL", bound.Sql, StringComparison.Ordinal);
        Assert.Equal(Full(["station"], [null], ["pm25"]).Sql, bound.Sql);
    }

    [Fact]
    public void A_value_the_key_type_cannot_take_is_a_bad_value()
    {
        var lookup = KeyLookup.Compile(QueryCompiler.Default, TestShape.Air, ["readings"], null, null, 2);
        var ex = Assert.Throws<QueryException>(() => lookup.Bind(["twelve"]));
        Assert.Equal(QueryErrorCodes.BadValue, ex.Code);
        Assert.Throws<ArgumentException>(() => lookup.Bind(["1", "2"]));
    }

    [Fact]
    public void Names_and_grants_are_checked_when_the_lookup_is_compiled()
    {
        Assert.Throws<QueryException>(() => KeyLookup.Compile(QueryCompiler.Default, TestShape.Air, ["nope"], null, null, 2));
        var allowed = new HashSet<string>(StringComparer.Ordinal) { "station" };
        var ex = Assert.Throws<QueryException>(() => KeyLookup.Compile(QueryCompiler.Default, TestShape.Air, ["readings"], ["station"], allowed, 2));
        Assert.Equal(QueryErrorCodes.FieldNotGranted, ex.Code);
    }
}
