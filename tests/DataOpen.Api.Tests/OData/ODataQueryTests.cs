using System.Globalization;
using System.Net;
using System.Text.Json;
using DataOpen.Api.Tests.Infrastructure;

namespace DataOpen.Api.Tests.OData;

/// <summary>Every query option through HTTP, against the small known dataset (RowId = id = source row).</summary>
[Collection(ApiTests.Name)]
public sealed class ODataQueryTests(DataOpenFactory factory)
{
    private static readonly IReadOnlyList<(int Id, string Station, decimal Value, DateOnly Day)> All =
        Enumerable.Range(1, ODataTestData.SmallRows).Select(i => ODataTestData.Row(i)).ToList();

    private async Task<(HttpClient Client, string Set)> SetupAsync() => (factory.CreateClient(), await ODataTestData.SmallSetAsync(factory));

    private static int[] Ids(JsonElement body) => body.Values().Select(v => v.GetProperty("id").GetInt32()).ToArray();

    private async Task<int[]> FilterAsync(string filter)
    {
        var (client, set) = await SetupAsync();
        using (client)
        {
            var body = await client.GetJsonAsync($"/odata/{set}?$filter={Uri.EscapeDataString(filter)}&$select=id&$orderby=id");
            return Ids(body);
        }
    }

    [Theory]
    [InlineData("id gt 10 and id le 20 or id eq 1", new[] { 1, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20 })]
    [InlineData("not (id lt 497) and id ne 498", new[] { 497, 499, 500 })]
    [InlineData("id ge 499", new[] { 499, 500 })]
    [InlineData("id add 1 eq 5", new[] { 4 })]
    [InlineData("id sub 1 eq 5", new[] { 6 })]
    [InlineData("id mul 2 eq 10", new[] { 5 })]
    [InlineData("id div 100 eq 5", new[] { 500 })]
    [InlineData("id mod 100 eq 0", new[] { 100, 200, 300, 400, 500 })]
    [InlineData("-id eq -3", new[] { 3 })]
    [InlineData("id in (1, 3, 5)", new[] { 1, 3, 5 })]
    [InlineData("RowId eq 42", new[] { 42 })]
    [InlineData("month(day) eq 2 and day(day) eq 1", new[] { 31, 396 })]
    [InlineData("day eq 2024-01-02", new[] { 1, 366 })]
    [InlineData("year(day) eq 2024 and id lt 3", new[] { 1, 2 })]
    public async Task Filter_operators_and_functions_select_the_expected_rows(string filter, int[] expected) =>
        Assert.Equal(expected, await FilterAsync(filter));

    [Theory]
    [InlineData("contains(station, '站点1')")]
    [InlineData("startswith(station, '站点1')")]
    [InlineData("endswith(station, '6')")]
    [InlineData("tolower(station) eq '站点3' and toupper(station) eq '站点3'")]
    [InlineData("length(station) eq 4")]
    [InlineData("indexof(station, '点') eq 1 and substring(station, 2) eq '3'")]
    [InlineData("substring(station, 2, 1) eq '1' and trim(station) eq station")]
    [InlineData("concat(station, 'x') eq '站点3x'")]
    [InlineData("station eq null")]
    [InlineData("station ne null and value gt 990.5")]
    public async Task String_null_and_decimal_filters_match_the_same_predicate_in_memory(string filter)
    {
        Func<(int Id, string Station, decimal Value, DateOnly Day), bool> predicate = filter switch
        {
            "contains(station, '站点1')" or "startswith(station, '站点1')" => r => r.Station.StartsWith("站点1", StringComparison.Ordinal),
            "endswith(station, '6')" => r => r.Station.EndsWith('6'),
            "tolower(station) eq '站点3' and toupper(station) eq '站点3'" => r => r.Station == "站点3",
            "length(station) eq 4" => r => r.Station.Length == 4,
            "indexof(station, '点') eq 1 and substring(station, 2) eq '3'" => r => r.Station == "站点3",
            "substring(station, 2, 1) eq '1' and trim(station) eq station" => r => r.Station.Length > 2 && r.Station[2] == '1',
            "concat(station, 'x') eq '站点3x'" => r => r.Station == "站点3",
            "station eq null" => _ => false,
            _ => r => r.Value > 990.5m,
        };
        var expected = All.Where(predicate).Select(r => r.Id).ToArray();
        Assert.Equal(expected, await FilterAsync(filter));
    }

    [Fact]
    public async Task Time_functions_use_the_platform_zone_on_timestamps()
    {
        using var client = factory.CreateClient();
        var filter = Uri.EscapeDataString("date(observed_at) eq 2024-01-01 and hour(observed_at) eq 9 and minute(observed_at) eq 0 and second(observed_at) eq 0 and time(observed_at) lt 10:00:00 and station_code eq 'XQ001'");
        var rows = (await client.GetJsonAsync($"/odata/AirQualityHourly?$filter={filter}&$select=observed_at")).Values();
        var at = Assert.Single(rows).GetProperty("observed_at").GetString();
        Assert.Equal("2024-01-01T01:00:00Z", at); // 09:00 in Asia/Shanghai
    }

    [Fact]
    public async Task Select_returns_only_the_chosen_properties_with_a_matching_context()
    {
        var (client, set) = await SetupAsync();
        using var _ = client;
        var body = await client.GetJsonAsync($"/odata/{set}?$select=station,RowId&$top=2");
        Assert.EndsWith($"$metadata#{set}(RowId,station)", body.GetProperty("@odata.context").GetString(), StringComparison.Ordinal);
        var first = body.Values()[0];
        Assert.Equal(["RowId", "station"], first.EnumerateObject().Select(p => p.Name).ToArray());
        Assert.Equal(1, first.GetProperty("RowId").GetInt64());

        var keyOnly = await client.GetJsonAsync($"/odata/{set}?$select=RowId&$top=1");
        Assert.EndsWith($"$metadata#{set}(RowId)", keyOnly.GetProperty("@odata.context").GetString(), StringComparison.Ordinal);
        Assert.Equal(["RowId"], keyOnly.Values()[0].EnumerateObject().Select(p => p.Name).ToArray());
    }

    [Fact]
    public async Task Orderby_several_keys_top_and_skip_page_like_linq()
    {
        var (client, set) = await SetupAsync();
        using var _ = client;
        var body = await client.GetJsonAsync($"/odata/{set}?$orderby=station desc,value,id desc&$skip=7&$top=20&$select=id");
        var expected = All.OrderByDescending(r => r.Station, StringComparer.Ordinal).ThenBy(r => r.Value).ThenByDescending(r => r.Id).Skip(7).Take(20).Select(r => r.Id);
        Assert.Equal(expected, Ids(body));
        Assert.False(body.TryGetProperty("@odata.nextLink", out var _1)); // $top reached within the page
    }

    [Fact]
    public async Task Count_option_and_count_segment_count_the_filtered_rows()
    {
        var (client, set) = await SetupAsync();
        using var _ = client;
        var expected = All.Count(r => r.Value > 500m);
        var body = await client.GetJsonAsync($"/odata/{set}?$filter=value gt 500&$count=true&$top=1");
        Assert.Equal(expected, body.GetProperty("@odata.count").GetInt64());
        Assert.Single(body.Values());

        var response = await client.GetAsync($"/odata/{set}/$count?$filter=value gt 500");
        Assert.Equal("text/plain", response.Content.Headers.ContentType!.MediaType);
        Assert.Equal(expected.ToString(CultureInfo.InvariantCulture), await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Apply_groupby_with_every_aggregate_matches_linq()
    {
        var (client, set) = await SetupAsync();
        using var _ = client;
        var apply = "filter(id le 400)/groupby((station),aggregate(value with sum as total,value with average as mean,value with min as lo,value with max as hi,day with countdistinct as days,$count as n))";
        var body = await client.GetJsonAsync($"/odata/{set}?$apply={Uri.EscapeDataString(apply)}&$orderby=n desc,station");
        Assert.EndsWith($"$metadata#{set}(station,total,mean,lo,hi,days,n)", body.GetProperty("@odata.context").GetString(), StringComparison.Ordinal);

        var expected = All.Where(r => r.Id <= 400).GroupBy(r => r.Station)
            .Select(g => (Station: g.Key, Total: g.Sum(r => r.Value), Mean: g.Average(r => r.Value), Lo: g.Min(r => r.Value), Hi: g.Max(r => r.Value), Days: g.Select(r => r.Day).Distinct().Count(), N: g.Count()))
            .OrderByDescending(g => g.N).ThenBy(g => g.Station, StringComparer.Ordinal).ToList();
        var rows = body.Values();
        Assert.Equal(expected.Count, rows.Count);
        for (var i = 0; i < rows.Count; i++)
        {
            var (row, e) = (rows[i], expected[i]);
            Assert.Equal(e.Station, row.GetProperty("station").GetString());
            Assert.Equal(e.Total, row.GetProperty("total").GetDecimal());
            Assert.Equal(Math.Round(e.Mean, 6), Math.Round(row.GetProperty("mean").GetDecimal(), 6));
            Assert.Equal(e.Lo, row.GetProperty("lo").GetDecimal());
            Assert.Equal(e.Hi, row.GetProperty("hi").GetDecimal());
            Assert.Equal(e.Days, row.GetProperty("days").GetInt64());
            Assert.Equal(e.N, row.GetProperty("n").GetInt64());
        }
    }

    [Fact]
    public async Task Apply_aggregate_without_groupby_returns_one_row()
    {
        var (client, set) = await SetupAsync();
        using var _ = client;
        var body = await client.GetJsonAsync($"/odata/{set}?$apply=aggregate(id with max as top_id,$count as n)");
        var row = Assert.Single(body.Values());
        Assert.Equal(ODataTestData.SmallRows, row.GetProperty("top_id").GetInt32());
        Assert.Equal(ODataTestData.SmallRows, row.GetProperty("n").GetInt64());
    }

    [Fact]
    public async Task Apply_groups_page_by_nextLink_and_filter_on_group_keys_is_allowed()
    {
        var (client, set) = await SetupAsync();
        using var _ = client;
        var url = $"/odata/{set}?$apply=groupby((station),aggregate($count as n))&$orderby=station&$count=true";
        var seen = new List<string>();
        for (var pages = 0; url is not null; pages++)
        {
            Assert.True(pages < 10);
            var response = await client.GetWithAsync(url, "Prefer", "odata.maxpagesize=5");
            Assert.Equal("odata.maxpagesize=5", response.Headers.GetValues("Preference-Applied").Single());
            var body = await response.ReadJsonAsync();
            Assert.Equal(17, body.GetProperty("@odata.count").GetInt64());
            seen.AddRange(body.Values().Select(v => v.GetProperty("station").GetString()!));
            url = body.TryGetProperty("@odata.nextLink", out var next) ? next.GetString() : null;
        }

        Assert.Equal(All.Select(r => r.Station).Distinct().Order(StringComparer.Ordinal), seen);

        var filtered = await client.GetJsonAsync($"/odata/{set}?$apply=groupby((station),aggregate($count as n))&$filter=station eq '站点3'");
        Assert.Equal(All.Count(r => r.Station == "站点3"), Assert.Single(filtered.Values()).GetProperty("n").GetInt64());
    }

    [Fact]
    public async Task Entity_by_key_returns_the_row_with_an_entity_context()
    {
        var (client, set) = await SetupAsync();
        using var _ = client;
        var body = await client.GetJsonAsync($"/odata/{set}(7)");
        Assert.EndsWith($"$metadata#{set}/$entity", body.GetProperty("@odata.context").GetString(), StringComparison.Ordinal);
        var (id, station, value, day) = ODataTestData.Row(7);
        Assert.Equal(7, body.GetProperty("RowId").GetInt64());
        Assert.Equal(id, body.GetProperty("id").GetInt32());
        Assert.Equal(station, body.GetProperty("station").GetString());
        Assert.Equal(value, body.GetProperty("value").GetDecimal());
        Assert.Equal(day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), body.GetProperty("day").GetString());

        await client.GetErrorAsync($"/odata/{set}(99999)", HttpStatusCode.NotFound, "not_found");
        await client.GetErrorAsync($"/odata/{set}('x')", HttpStatusCode.BadRequest, "bad_syntax");
    }

    [Fact]
    public async Task Catalog_sets_are_queryable_and_keyed_by_their_identifiers()
    {
        using var client = factory.CreateClient();
        var conditional = await client.GetJsonAsync("/odata/Datasets?$filter=open_class eq 'conditional'&$select=identifier");
        Assert.Contains(conditional.Values(), v => v.GetProperty("identifier").GetString() == "enterprise-energy-consumption");
        var all = await client.GetJsonAsync("/odata/Datasets?$select=identifier");
        Assert.DoesNotContain(all.Values(), v => v.GetProperty("identifier").GetString() == "enterprise-tax-details");

        var air = await client.GetJsonAsync("/odata/Datasets('air-quality-hourly')");
        Assert.Equal("AirQualityHourly", air.GetProperty("entity_set").GetString());
        Assert.True(air.GetProperty("row_count").GetInt64() >= 200_000);

        var publisher = await client.GetJsonAsync("/odata/Publishers('ecology-environment')");
        Assert.False(string.IsNullOrEmpty(publisher.GetProperty("name_zh").GetString()));
        var themes = await client.GetJsonAsync("/odata/Themes?$filter=scheme_id eq 'domain'&$count=true&$top=1");
        Assert.True(themes.GetProperty("@odata.count").GetInt64() > 1);
    }

    [Fact]
    public async Task Metadata_levels_full_and_none_and_IEEE754_follow_the_OData_JSON_format()
    {
        var (client, set) = await SetupAsync();
        using var _ = client;
        var full = await client.GetJsonAsync($"/odata/{set}?$top=1&$format=application/json;odata.metadata=full");
        var row = full.Values()[0];
        Assert.Equal($"#DataOpen.{set}", row.GetProperty("@odata.type").GetString());
        Assert.EndsWith($"/odata/{set}(1)", row.GetProperty("@odata.id").GetString(), StringComparison.Ordinal);
        Assert.Equal("#Decimal", row.GetProperty("value@odata.type").GetString());
        Assert.Equal("#Date", row.GetProperty("day@odata.type").GetString());

        var none = await (await client.GetWithAsync($"/odata/{set}?$top=1", "Accept", "application/json;odata.metadata=none")).ReadJsonAsync();
        Assert.False(none.TryGetProperty("@odata.context", out var _1));

        var ieee = await (await client.GetWithAsync($"/odata/{set}?$top=1&$count=true", "Accept", "application/json;odata.metadata=minimal;IEEE754Compatible=true")).ReadJsonAsync();
        Assert.Equal(JsonValueKind.String, ieee.GetProperty("@odata.count").ValueKind);
        Assert.Equal("1", ieee.Values()[0].GetProperty("RowId").GetString());
        Assert.Equal(ODataTestData.Row(1).Value, decimal.Parse(ieee.Values()[0].GetProperty("value").GetString()!, CultureInfo.InvariantCulture));

        var response = await client.GetAsync($"/odata/{set}?$top=1&$format=json");
        Assert.Equal("4.0", response.Headers.GetValues("OData-Version").Single());
        Assert.Contains("odata.metadata=minimal", response.Content.Headers.ContentType!.ToString(), StringComparison.Ordinal);
        var minimal = await response.ReadJsonAsync();
        Assert.Equal(JsonValueKind.Number, minimal.Values()[0].GetProperty("value").ValueKind);
        Assert.Equal("2024-01-02", minimal.Values()[0].GetProperty("day").GetString());
    }
}
