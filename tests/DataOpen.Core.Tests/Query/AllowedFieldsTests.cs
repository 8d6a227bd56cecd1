using DataOpen.Core.Query;
using DataOpen.Core.Query.Rest;

namespace DataOpen.Core.Tests.Query;

/// <summary>A grant limited to named fields: the engine returns only those and refuses any other, wherever it is named.</summary>
public class AllowedFieldsTests
{
    private static readonly IReadOnlySet<string> Granted = new HashSet<string>(StringComparer.Ordinal) { "station", "pm25" };

    private static RowQuery Parse(string queryString) =>
        RestQueryParser.Parse(TestShape.Air, queryString.Split('&', StringSplitOptions.RemoveEmptyEntries).Select(pair =>
        {
            var at = pair.IndexOf('=', StringComparison.Ordinal);
            return new KeyValuePair<string, string?>(pair[..at], pair[(at + 1)..]);
        }), new RestQueryOptions { AllowedFields = Granted });

    private static CompiledQuery Compile(string queryString) => QueryCompiler.Default.Compile(Parse(queryString));

    [Fact]
    public void Without_select_only_granted_fields_are_returned_in_field_order()
    {
        var compiled = Compile("");
        Assert.Equal("SELECT \"station\", \"pm25\", \"_row_id\" FROM \"data\".\"air__v1\" ORDER BY \"_row_id\" ASC LIMIT $1", compiled.Sql);
        Assert.Equal(["station", "pm25"], compiled.Columns.Where(c => !c.Hidden).Select(c => c.Name));
    }

    [Theory]
    [InlineData("select=station,pm25&order=-pm25&filter=pm25 gt 10 and contains(station, '药')")]
    [InlineData("station=a&pm25[gt]=1")]
    [InlineData("group_by=station&aggregate=count(),avg(pm25),max(pm25) as top,count_distinct(station)")]
    [InlineData("aggregate=count()")]
    public void Queries_naming_only_granted_fields_compile(string queryString)
    {
        var compiled = Compile(queryString);
        Assert.DoesNotContain("temperature", compiled.Sql, StringComparison.Ordinal);
        Assert.DoesNotContain("observed_at", compiled.Sql, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("select=station,temperature", "select", "temperature")]
    [InlineData("filter=temperature gt 1", "filter", "temperature")]
    [InlineData("filter=pm25 gt 1 or year(observed_at) eq 2024", "filter", "observed_at")]
    [InlineData("filter=pm25 add district_code gt 1", "filter", "district_code")]
    [InlineData("is_open=true", "is_open", "is_open")]
    [InlineData("readings[gt]=5", "readings[gt]", "readings")]
    [InlineData("order=-temperature", "order", "temperature")]
    [InlineData("select=station&order=report_date", "order", "report_date")]
    [InlineData("group_by=district_code&aggregate=count()", "group_by", "district_code")]
    [InlineData("group_by=station&aggregate=sum(temperature)", "aggregate", "temperature")]
    [InlineData("aggregate=count_distinct(observed_at)", "aggregate", "observed_at")]
    [InlineData("aggregate=min(report_date) as first", "aggregate", "report_date")]
    public void A_field_outside_the_grant_is_refused_wherever_it_is_named(string queryString, string target, string field)
    {
        var ex = Assert.Throws<QueryException>(() => Compile(queryString));
        Assert.Equal(QueryErrorCodes.FieldNotGranted, ex.Code);
        Assert.Equal(target, ex.Target);
        Assert.Equal(field, ex.Field);
        Assert.Contains($"'{field}'", ex.Message, StringComparison.Ordinal);
        Assert.Contains("pm25, station", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_count_of_a_query_is_checked_too()
    {
        var query = RestGoldenTests.Parse("filter=temperature gt 1") with { AllowedFields = Granted };
        Assert.Equal(Granted, Parse("select=station").AllowedFields);
        Assert.Equal(QueryErrorCodes.FieldNotGranted, Assert.Throws<QueryException>(() => QueryCompiler.Default.CompileCount(query)).Code);
        var grouped = RestGoldenTests.Parse("group_by=is_open&aggregate=count()") with { AllowedFields = Granted };
        Assert.Equal(QueryErrorCodes.FieldNotGranted, Assert.Throws<QueryException>(() => QueryCompiler.Default.CompileCount(grouped)).Code);
    }

    [Fact]
    public void Unknown_fields_stay_unknown_and_no_restriction_means_every_field()
    {
        Assert.Equal(QueryErrorCodes.UnknownField, Assert.Throws<QueryException>(() => Compile("select=nope")).Code);
        var all = QueryCompiler.Default.Compile(RestGoldenTests.Parse(""));
        Assert.Equal("SELECT " + TestShape.AllColumns + " FROM \"data\".\"air__v1\" ORDER BY \"_row_id\" ASC LIMIT $1", all.Sql);
    }

    [Fact]
    public void A_grant_whose_fields_are_all_gone_from_the_version_is_refused_not_served_empty()
    {
        var query = RestGoldenTests.Parse("") with { AllowedFields = new HashSet<string>(StringComparer.Ordinal) { "renamed_away" } };
        var ex = Assert.Throws<QueryException>(() => QueryCompiler.Default.Compile(query));
        Assert.Equal(QueryErrorCodes.FieldNotGranted, ex.Code);
        Assert.Contains("renamed_away", ex.Message, StringComparison.Ordinal);
    }
}
