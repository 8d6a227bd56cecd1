using DataOpen.Core.Query;
using DataOpen.Core.Query.Rest;

namespace DataOpen.Core.Tests.Query;

/// <summary>REST query text → exact SQL and parameters (values and CLR types), no database.</summary>
public class RestGoldenTests
{
    private const string From = " FROM \"data\".\"air__v1\"";
    private const string ById = " ORDER BY \"_row_id\" ASC LIMIT ";

    internal static RowQuery Parse(string queryString) =>
        RestQueryParser.Parse(TestShape.Air, queryString.Split('&', StringSplitOptions.RemoveEmptyEntries).Select(pair =>
        {
            var at = pair.IndexOf('=', StringComparison.Ordinal);
            return at < 0
                ? new KeyValuePair<string, string?>(Uri.UnescapeDataString(pair), "")
                : new KeyValuePair<string, string?>(Uri.UnescapeDataString(pair[..at]), Uri.UnescapeDataString(pair[(at + 1)..].Replace('+', ' ')));
        }));

    internal static CompiledQuery Compile(string queryString) => QueryCompiler.Default.Compile(Parse(queryString));

    /// <summary>Cases select only station so the expected SQL stays short; where is everything between FROM and ORDER BY.</summary>
    public static TheoryData<string, string, object[]> Filters => new()
    {
        { "station=长春药谷", "\"station\" = $1", ["长春药谷"] },
        { "station[eq]=a", "\"station\" = $1", ["a"] },
        { "station[ne]=a", "\"station\" <> $1", ["a"] },
        { "district_code=220100", "\"district_code\" = $1", [220100L] },
        { "district_code[gt]=5", "\"district_code\" > $1", [5L] },
        { "district_code[ge]=5", "\"district_code\" >= $1", [5L] },
        { "district_code[lt]=5", "\"district_code\" < $1", [5L] },
        { "district_code[le]=5", "\"district_code\" <= $1", [5L] },
        { "district_code[gt]=5.5", "\"district_code\" > $1", [5.5m] },
        { "readings[gt]=9007199254740993", "\"readings\" > $1", [9007199254740993L] },
        { "pm25[gt]=75", "\"pm25\" > $1", [75m] },
        { "pm25[le]=-0.5", "\"pm25\" <= $1", [-0.5m] },
        { "temperature[lt]=-3.25", "\"temperature\" < $1", [-3.25] },
        { "temperature[gt]=1e3", "\"temperature\" > $1", [1000.0] },
        { "is_open=true", "\"is_open\" = $1", [true] },
        { "is_open=FALSE", "\"is_open\" = $1", [false] },
        { "report_date=2024-01-01", "\"report_date\" = $1", [new DateOnly(2024, 1, 1)] },
        { "report_date[ge]=2024-02-29", "\"report_date\" >= $1", [new DateOnly(2024, 2, 29)] },
        { "observed_at[ge]=2024-01-01T08:00:00%2B08:00", "\"observed_at\" >= $1", [new DateTimeOffset(2024, 1, 1, 0, 0, 0, TimeSpan.Zero)] },
        { "observed_at[lt]=2024-01-01T00:00:00Z", "\"observed_at\" < $1", [new DateTimeOffset(2024, 1, 1, 0, 0, 0, TimeSpan.Zero)] },
        { "observed_at[lt]=2024-06-01", "\"observed_at\" < $1", [new DateOnly(2024, 6, 1)] },
        { "station[in]=a,b,c", "\"station\" IN ($1, $2, $3)", ["a", "b", "c"] },
        { "station[in]=a\\,b,c\\\\", "\"station\" IN ($1, $2)", ["a,b", "c\\"] },
        { "district_code[in]=1,2", "\"district_code\" IN ($1, $2)", [1L, 2L] },
        { "report_date[in]=2024-01-01,2024-01-02", "\"report_date\" IN ($1, $2)", [new DateOnly(2024, 1, 1), new DateOnly(2024, 1, 2)] },
        { "pm25[null]=true", "\"pm25\" IS NULL", [] },
        { "pm25[null]=false", "\"pm25\" IS NOT NULL", [] },
        { "station[contains]=药", "\"station\" LIKE $1 ESCAPE '\\'", ["%药%"] },
        { "station[icontains]=Park", "\"station\" ILIKE $1 ESCAPE '\\'", ["%Park%"] },
        { "station[startswith]=长春", "\"station\" LIKE $1 ESCAPE '\\'", ["长春%"] },
        { "station[istartswith]=ab", "\"station\" ILIKE $1 ESCAPE '\\'", ["ab%"] },
        { "station[endswith]=站", "\"station\" LIKE $1 ESCAPE '\\'", ["%站"] },
        { "station[iendswith]=X", "\"station\" ILIKE $1 ESCAPE '\\'", ["%X"] },
        { "station[contains]=100%25_a\\b", "\"station\" LIKE $1 ESCAPE '\\'", ["%100\\%\\_a\\\\b%"] },
        { "pm25[gt]=1&pm25[lt]=5", "\"pm25\" > $1 AND \"pm25\" < $2", [1m, 5m] },
        { "station=a&district_code=1", "\"station\" = $1 AND \"district_code\" = $2", ["a", 1L] },
        { "filter=pm25 gt 75", "\"pm25\" > $1", [75m] },
        { "filter=pm25 GT 75", "\"pm25\" > $1", [75m] },
        { "filter=(pm25 gt 75 and station eq '长春药谷') or year(observed_at) eq 2024", "((\"pm25\" > $1 AND \"station\" = $2) OR CAST(EXTRACT(YEAR FROM \"observed_at\") AS integer) = $3)", [75m, "长春药谷", 2024L] },
        { "filter=pm25 gt 1 and pm25 lt 2", "\"pm25\" > $1 AND \"pm25\" < $2", [1m, 2m] },
        { "filter=station eq 'O''Brien'", "\"station\" = $1", ["O'Brien"] },
        { "filter=station eq null", "\"station\" IS NULL", [] },
        { "filter=null ne station", "\"station\" IS NOT NULL", [] },
        { "filter=not (pm25 gt 5)", "NOT (\"pm25\" > $1)", [5m] },
        { "filter=not contains(station, 'x')", "NOT (\"station\" LIKE $1 ESCAPE '\\')", ["%x%"] },
        { "filter=is_open", "\"is_open\"", [] },
        { "filter=is_open eq true and not is_open", "\"is_open\" = $1 AND NOT \"is_open\"", [true] },
        { "filter=district_code in (1, 2, -3)", "\"district_code\" IN ($1, $2, $3)", [1L, 2L, -3L] },
        { "filter=station in ('a', null)", "(\"station\" IN ($1) OR \"station\" IS NULL)", ["a"] },
        { "filter=report_date eq 2024-01-01", "\"report_date\" = $1", [new DateOnly(2024, 1, 1)] },
        { "filter=report_date eq '2024-01-01'", "\"report_date\" = $1", [new DateOnly(2024, 1, 1)] },
        { "filter=observed_at ge 2024-01-01T08:00:00%2B08:00", "\"observed_at\" >= $1", [new DateTimeOffset(2024, 1, 1, 0, 0, 0, TimeSpan.Zero)] },
        { "filter=observed_at lt report_date", "\"observed_at\" < \"report_date\"", [] },
        { "filter=contains(station, 'a''b')", "\"station\" LIKE $1 ESCAPE '\\'", ["%a'b%"] },
        { "filter=startswith(station, '长春')", "\"station\" LIKE $1 ESCAPE '\\'", ["长春%"] },
        { "filter=endswith(station, '_1')", "\"station\" LIKE $1 ESCAPE '\\'", ["%\\_1"] },
        { "filter=icontains(station, 'a')", "\"station\" ILIKE $1 ESCAPE '\\'", ["%a%"] },
        { "filter=contains(station, tolower(station))", "strpos(\"station\", lower(\"station\")) > 0", [] },
        { "filter=startswith(station, toupper(station))", "starts_with(\"station\", upper(\"station\"))", [] },
        { "filter=endswith(station, trim(station))", "right(\"station\", char_length(btrim(\"station\"))) = btrim(\"station\")", [] },
        { "filter=tolower(station) eq 'a'", "lower(\"station\") = $1", ["a"] },
        { "filter=toupper(station) eq 'A'", "upper(\"station\") = $1", ["A"] },
        { "filter=length(station) gt 3", "char_length(\"station\") > $1", [3L] },
        { "filter=indexof(station, '春') eq 1", "(strpos(\"station\", $1) - 1) = $2", ["春", 1L] },
        { "filter=substring(station, 1) eq 'b'", "substr(\"station\", ($1 + 1)::integer) = $2", [1L, "b"] },
        { "filter=substring(station, 1, 2) eq 'bc'", "substr(\"station\", ($1 + 1)::integer, ($2)::integer) = $3", [1L, 2L, "bc"] },
        { "filter=trim(station) eq 'a'", "btrim(\"station\") = $1", ["a"] },
        { "filter=concat(station, '-', station) eq 'a-a'", "(\"station\" || $1 || \"station\") = $2", ["-", "a-a"] },
        { "filter=month(report_date) eq 2", "CAST(EXTRACT(MONTH FROM \"report_date\") AS integer) = $1", [2L] },
        { "filter=day(observed_at) le 10", "CAST(EXTRACT(DAY FROM \"observed_at\") AS integer) <= $1", [10L] },
        { "filter=hour(observed_at) ge 8", "CAST(EXTRACT(HOUR FROM \"observed_at\") AS integer) >= $1", [8L] },
        { "filter=minute(observed_at) eq 30", "CAST(EXTRACT(MINUTE FROM \"observed_at\") AS integer) = $1", [30L] },
        { "filter=second(observed_at) eq 0", "CAST(floor(EXTRACT(SECOND FROM \"observed_at\")) AS integer) = $1", [0L] },
        { "filter=date(observed_at) eq 2024-03-01", "CAST(\"observed_at\" AS date) = $1", [new DateOnly(2024, 3, 1)] },
        { "filter=time(observed_at) lt '08:30'", "CAST(\"observed_at\" AS time) < $1", [new TimeOnly(8, 30)] },
        { "filter=pm25 add 1 gt 10", "(\"pm25\" + $1) > $2", [1m, 10m] },
        { "filter=pm25 sub temperature lt 0", "(\"pm25\" - \"temperature\") < $1", [0.0] },
        { "filter=district_code mul 2 eq 4", "(\"district_code\" * $1) = $2", [2L, 4L] },
        { "filter=district_code div 2 eq 3", "(\"district_code\" / $1) = $2", [2L, 3L] },
        { "filter=district_code mod 2 eq 1", "(\"district_code\" % $1) = $2", [2L, 1L] },
        { "filter=district_code add 1 mul 2 eq 7", "(\"district_code\" + ($1 * $2)) = $3", [1L, 2L, 7L] },
        { "filter=(district_code add 1) mul 2 eq 8", "((\"district_code\" + $1) * $2) = $3", [1L, 2L, 8L] },
        { "filter=-pm25 lt -5", "(-\"pm25\") < $1", [-5m] },
        { "filter=readings div 2.5 gt 1", "(\"readings\" / $1) > $2", [2.5m, 1m] },
        { "filter=pm25 gt 1.5e1", "\"pm25\" > $1", [15m] },
        { "filter=is_open eq (pm25 gt 1)", "\"is_open\" = (\"pm25\" > $1)", [1m] },
        { "filter=pm25 gt 1&station=a", "\"pm25\" > $1 AND \"station\" = $2", [1m, "a"] },
    };

    [Theory]
    [MemberData(nameof(Filters))]
    public void Rest_filter_compiles_to_exact_sql_and_typed_parameters(string queryString, string where, object[] parameters)
    {
        var c = Compile(queryString + "&select=station");
        var whereClause = where.Length == 0 ? "" : " WHERE " + where;
        Assert.Equal($"SELECT \"station\", \"_row_id\"{From}{whereClause}{ById}${parameters.Length + 1}", c.Sql);
        Assert.Equal([.. parameters, 101L], c.Parameters);
        for (var i = 0; i < parameters.Length; i++)
        {
            Assert.IsType(parameters[i].GetType(), c.Parameters[i]);
        }
    }

    public static TheoryData<string, string, object[]> Shapes => new()
    {
        { "select=pm25,station", "SELECT \"pm25\", \"station\", \"_row_id\"" + From + ById + "$1", [101L] },
        { "select=station&order=-pm25,station", "SELECT \"station\", \"pm25\", \"_row_id\"" + From + " ORDER BY \"pm25\" DESC NULLS FIRST, \"station\" ASC NULLS LAST, \"_row_id\" ASC LIMIT $1", [101L] },
        { "select=station&order=-pm25", "SELECT \"station\", \"pm25\", \"_row_id\"" + From + " ORDER BY \"pm25\" DESC NULLS FIRST, \"_row_id\" DESC LIMIT $1", [101L] },
        { "select=station&limit=10&offset=20", "SELECT \"station\", \"_row_id\"" + From + ById + "$1 OFFSET $2", [11L, 20L] },
        { "select=station&limit=0", "SELECT \"station\", \"_row_id\"" + From + ById + "$1", [1L] },
        { "group_by=station&aggregate=count(),avg(pm25)", "SELECT \"station\", count(*) AS \"count\", avg(\"pm25\") AS \"avg_pm25\"" + From + " GROUP BY \"station\" ORDER BY \"station\" ASC NULLS LAST LIMIT $1", [101L] },
        { "group_by=station,is_open&aggregate=sum(readings) as total,count_distinct(report_date),min(observed_at),max(temperature)&order=-total", "SELECT \"station\", \"is_open\", sum(\"readings\") AS \"total\", count(DISTINCT \"report_date\") AS \"count_distinct_report_date\", min(\"observed_at\") AS \"min_observed_at\", max(\"temperature\") AS \"max_temperature\"" + From + " GROUP BY \"station\", \"is_open\" ORDER BY \"total\" DESC NULLS FIRST LIMIT $1", [101L] },
        { "aggregate=count() as n&filter=pm25 gt 5", "SELECT count(*) AS \"n\"" + From + " WHERE \"pm25\" > $1 LIMIT $2", [5m, 101L] },
        { "group_by=district_code&limit=5&offset=5&station[ne]=x", "SELECT \"district_code\"" + From + " WHERE \"station\" <> $1 GROUP BY \"district_code\" ORDER BY \"district_code\" ASC NULLS LAST LIMIT $2 OFFSET $3", ["x", 6L, 5L] },
    };

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Rest_projection_order_paging_and_grouping_compile_to_exact_sql(string queryString, string sql, object[] parameters)
    {
        var c = Compile(queryString);
        Assert.Equal(sql, c.Sql);
        Assert.Equal(parameters, c.Parameters);
    }

    [Fact]
    public void Count_query_uses_the_same_filter_without_paging()
    {
        var c = QueryCompiler.Default.CompileCount(Parse("pm25[gt]=5&limit=3&order=station"));
        Assert.Equal("SELECT count(*) AS \"count\"" + From + " WHERE \"pm25\" > $1", c.Sql);
        Assert.Equal([5m], c.Parameters);
    }

    [Fact]
    public void Count_of_a_grouped_query_counts_groups()
    {
        var c = QueryCompiler.Default.CompileCount(Parse("group_by=station&aggregate=count()&is_open=true"));
        Assert.Equal("SELECT count(*) AS \"count\" FROM (SELECT 1" + From + " WHERE \"is_open\" = $1 GROUP BY \"station\") AS g", c.Sql);
    }

    [Fact]
    public void Count_parameter_sets_include_count()
    {
        Assert.True(Parse("count=true").IncludeCount);
        Assert.False(Parse("count=false").IncludeCount);
    }

    [Fact]
    public void Order_key_outside_the_projection_is_a_hidden_column()
    {
        var c = Compile("select=station&order=pm25");
        Assert.Equal(["station", "pm25", "_row_id"], c.Columns.Select(x => x.Name));
        Assert.Equal([false, true, true], c.Columns.Select(x => x.Hidden));
    }

    [Fact]
    public void Default_projection_is_every_field_in_ordinal_order()
    {
        Assert.Equal("SELECT " + TestShape.AllColumns + From + ById + "$1", Compile("").Sql);
    }
}
