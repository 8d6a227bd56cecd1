using DataOpen.Api.Catalog;
using DataOpen.Api.OData;
using DataOpen.Api.Tests.Infrastructure;
using DataOpen.Core.Catalog;
using DataOpen.Core.Query;
using Microsoft.OData.UriParser;

namespace DataOpen.Api.Tests.OData;

/// <summary>Golden tests: OData query options → engine SQL and parameters, without a database or host.</summary>
public sealed class ODataTranslatorTests
{
    private static readonly TableShape Shape = new("data", "t_v1",
    [
        new FieldInfo("id", FieldType.Integer, 0),
        new FieldInfo("station", FieldType.Text, 1, "站点"),
        new FieldInfo("value", FieldType.Decimal, 2),
        new FieldInfo("day", FieldType.Date, 3),
        new FieldInfo("at", FieldType.Timestamp, 4),
    ]);

    private static readonly ODataModel Model = ODataModel.Build(new CatalogSnapshot(7,
        [new DatasetEntry(1, "golden-set", TestDatasets.Definition("golden-set"), "active", DateTimeOffset.UnixEpoch, null,
            [Version], Version, new DatasetCounters(0, 0, 0))], [], [], [], []));

    private static VersionInfo Version => new(1, "t_v1", 10, 100, "x", "csv", "utf-8", DateTimeOffset.UnixEpoch, "test", Shape);

    private static CompiledQuery Compile(params (string Key, string Value)[] options) => Compile(null, options);

    private static CompiledQuery Compile(IReadOnlySet<string>? allowed, params (string Key, string Value)[] options)
    {
        var set = Model.Sets["GoldenSet"];
        var parser = new ODataQueryOptionParser(Model.Edm, set.EntityType, set.EntitySet, options.ToDictionary(o => o.Key, o => o.Value));
        var apply = parser.ParseApply();
        var plan = ODataTranslator.Translate(set, parser.ParseFilter(), parser.ParseOrderBy(), parser.ParseSelectAndExpand(), apply, allowed);
        return QueryCompiler.Default.Compile(plan.ToRowQuery(set.ShapeFor(null)) with { Limit = 10 });
    }

    [Theory]
    [InlineData("id gt 5 and station eq 'a'", "WHERE \"id\" > $1 AND \"station\" = $2", new object[] { 5L, "a" })]
    [InlineData("id in (1,2) or not (value le 2.5)", "WHERE (\"id\" IN ($1, $2) OR NOT (\"value\" <= $3))", new object[] { 1L, 2L, 2.5 })]
    [InlineData("station eq null", "WHERE \"station\" IS NULL", new object[0])]
    [InlineData("(id add 1) mod 3 eq 0", "WHERE ((\"id\" + $1) % $2) = $3", new object[] { 1L, 3L, 0L })]
    [InlineData("contains(station,'x')", "WHERE \"station\" LIKE $1 ESCAPE", new object[] { "%x%" })]
    [InlineData("year(day) eq 2024", "WHERE CAST(EXTRACT(YEAR FROM \"day\") AS integer) = $1", new object[] { 2024L })]
    [InlineData("RowId eq 3", "WHERE \"_row_id\" = $1", new object[] { 3L })]
    public void Filter_compiles_through_the_engine_with_bound_parameters(string filter, string sqlPart, object[] parameters)
    {
        var q = Compile(("$filter", filter));
        Assert.True(q.Sql.Contains(sqlPart, StringComparison.Ordinal), q.Sql);
        var expected = parameters.Select(p => p is double d ? (object)(decimal)d : p).ToArray();
        Assert.Equal(expected, q.Parameters.Take(expected.Length).ToArray());
    }

    [Fact]
    public void Orderby_and_select_become_engine_order_keys_and_projection()
    {
        var q = Compile(("$select", "station,RowId"), ("$orderby", "value desc,RowId"));
        Assert.StartsWith("SELECT \"station\", \"value\", \"_row_id\", \"_row_id\" FROM \"data\".\"t_v1\"", q.Sql, StringComparison.Ordinal);
        Assert.Contains("ORDER BY \"value\" DESC NULLS FIRST, \"_row_id\" ASC NULLS LAST, \"_row_id\" ASC", q.Sql, StringComparison.Ordinal);
    }

    [Fact]
    public void Apply_becomes_a_filtered_group_by_with_aggregates()
    {
        var q = Compile(("$apply", "filter(id gt 1)/groupby((station),aggregate(value with sum as total,$count as n))"), ("$orderby", "n desc"));
        Assert.Equal(
            "SELECT \"station\", sum(\"value\") AS \"total\", count(*) AS \"n\" FROM \"data\".\"t_v1\" WHERE \"id\" > $1 GROUP BY \"station\" ORDER BY \"n\" DESC NULLS FIRST LIMIT $2",
            q.Sql);
    }

    [Fact]
    public void A_field_limited_grant_returns_its_properties_for_no_select_and_star_and_refuses_others()
    {
        var granted = new HashSet<string>(StringComparer.Ordinal) { "station", "day" };
        var expected = "SELECT \"station\", \"day\", \"_row_id\" FROM \"data\".\"t_v1\"";
        Assert.StartsWith(expected, Compile(granted).Sql, StringComparison.Ordinal);
        Assert.StartsWith(expected, Compile(granted, ("$select", "*")).Sql, StringComparison.Ordinal);
        Assert.StartsWith("SELECT \"station\", \"_row_id\"", Compile(granted, ("$select", "RowId")).Sql, StringComparison.Ordinal);
        Assert.Contains("count(*)", Compile(granted, ("$apply", "groupby((day),aggregate($count as n))")).Sql, StringComparison.Ordinal);

        foreach (var (option, value, field) in new[]
        {
            ("$select", "station,value", "value"),
            ("$filter", "id gt 1", "id"),
            ("$orderby", "at desc", "at"),
            ("$apply", "groupby((id))", "id"),
            ("$apply", "aggregate(value with max as top)", "value"),
        })
        {
            var ex = Assert.Throws<QueryException>(() => Compile(granted, (option, value)));
            Assert.Equal(QueryErrorCodes.FieldNotGranted, ex.Code);
            Assert.Equal(field, ex.Field);
        }

        var none = new HashSet<string>(StringComparer.Ordinal) { "dropped" };
        Assert.Equal(QueryErrorCodes.FieldNotGranted, Assert.Throws<QueryException>(() => Compile(none)).Code);
        Assert.Equal(QueryErrorCodes.FieldNotGranted, Assert.Throws<QueryException>(() => Compile(none, ("$select", "RowId"))).Code);
    }

    [Fact]
    public void Unsupported_functions_are_refused_before_the_engine()
    {
        var ex = Assert.Throws<ODataRequestException>(() => Compile(("$filter", "round(value) eq 1")));
        Assert.Equal(ODataErrorCodes.Unsupported, ex.Code);
        Assert.Equal("$filter", ex.Target);
    }

    [Fact]
    public void A_node_kind_the_translator_does_not_translate_is_refused_as_unsupported()
    {
        // A range variable of a primitive type ($it of a primitive collection) is a kind with no translation.
        var set = Model.Sets["GoldenSet"];
        var variable = new NonResourceRangeVariable("x", Microsoft.OData.Edm.EdmCoreModel.Instance.GetInt32(false), null);
        var node = new BinaryOperatorNode(BinaryOperatorKind.Equal, new NonResourceRangeVariableReferenceNode("x", variable), new ConstantNode(1));
        var ex = Assert.Throws<ODataRequestException>(() => ODataTranslator.Translate(set, new FilterClause(node, variable), null, null, null, null));
        Assert.Equal(ODataErrorCodes.Unsupported, ex.Code);
        Assert.Equal("$filter", ex.Target);
        Assert.StartsWith("A part of $filter", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Every_node_kind_of_ODataLibs_visitor_is_overridden_so_none_reaches_its_NotImplementedException()
    {
        var visitor = typeof(ODataTranslator).GetNestedType("ExprVisitor", System.Reflection.BindingFlags.NonPublic)!;
        var left = visitor.GetMethods().Where(m => m.Name == "Visit" && m.IsVirtual && m.DeclaringType != visitor)
            .Select(m => m.GetParameters()[0].ParameterType.Name).ToList();
        Assert.True(left.Count == 0, "left to ODataLib's base class (a 500): " + string.Join(", ", left));
    }
}
