using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using DataOpen.Api.Tests.Infrastructure;

namespace DataOpen.Api.Tests.Rest;

[Collection(ApiTests.Name)]
public sealed class RowsTests(DataOpenFactory factory)
{
    private const string Air = "/api/v1/datasets/air-quality-hourly/rows";

    private async Task<JsonElement> GetJson(string url, HttpStatusCode expected = HttpStatusCode.OK)
    {
        using var client = factory.CreateClient();
        var response = await client.GetAsync(url);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(expected == response.StatusCode, $"{url}: {(int)response.StatusCode} {text}");
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    [Fact]
    public async Task Rows_default_to_100_of_the_current_version_with_fields_and_a_next_link()
    {
        var body = await GetJson(Air);
        Assert.Equal("air-quality-hourly", body.GetProperty("dataset").GetString());
        var current = factory.Catalog.Current.Find("air-quality-hourly")!.Current!;
        Assert.Equal(current.Version, body.GetProperty("version").GetInt32());
        Assert.Equal(100, body.GetProperty("limit").GetInt32());
        Assert.Equal(100, body.GetProperty("rows").GetArrayLength());
        var fields = body.GetProperty("fields").EnumerateArray().Select(f => f.GetProperty("name").GetString()).ToList();
        Assert.Equal(current.Shape.Fields.Select(f => f.Name), fields);
        var row = body.GetProperty("rows")[0];
        Assert.False(row.TryGetProperty("_row_id", out _));
        Assert.Equal(fields, row.EnumerateObject().Select(p => p.Name));
        var next = body.GetProperty("next").GetString()!;
        Assert.StartsWith("http://localhost/api/v1/datasets/air-quality-hourly/rows?", next, StringComparison.Ordinal);
        Assert.Contains("version=" + current.Version, next, StringComparison.Ordinal);
        Assert.Contains("cursor=", next, StringComparison.Ordinal);
        Assert.False(body.TryGetProperty("count", out _));
    }

    [Fact]
    public async Task Values_are_typed_json_timestamps_carry_the_plus_08_offset_and_decimals_are_numbers()
    {
        var body = await GetJson(Air + "?limit=1&order=observed_at,station_code&select=station_code,observed_at,aqi,co");
        var row = body.GetProperty("rows")[0];
        Assert.Equal(JsonValueKind.String, row.GetProperty("station_code").ValueKind);
        Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+08:00$", row.GetProperty("observed_at").GetString());
        Assert.Equal(JsonValueKind.Number, row.GetProperty("aqi").ValueKind);
        Assert.Equal(JsonValueKind.Number, row.GetProperty("co").ValueKind);
        Assert.Equal(["station_code", "observed_at", "aqi", "co"], body.GetProperty("fields").EnumerateArray().Select(f => f.GetProperty("name").GetString()!));
        Assert.Equal(["text", "timestamp", "integer", "decimal"], body.GetProperty("fields").EnumerateArray().Select(f => f.GetProperty("type").GetString()!));
    }

    [Fact]
    public async Task Filters_order_and_count_exact_agree_with_each_other()
    {
        var body = await GetJson(Air + "?aqi[gt]=150&order=-aqi&count=exact&limit=20&select=station_code,aqi");
        var rows = body.GetProperty("rows").EnumerateArray().ToList();
        Assert.Equal(20, rows.Count);
        Assert.All(rows, r => Assert.True(r.GetProperty("aqi").GetInt32() > 150));
        var values = rows.Select(r => r.GetProperty("aqi").GetInt32()).ToList();
        Assert.Equal(values.OrderDescending(), values);
        var count = body.GetProperty("count").GetInt64();
        Assert.True(count > 20);

        var viaFilter = await GetJson(Air + "?filter=aqi%20gt%20150&count=exact&limit=0");
        Assert.Equal(count, viaFilter.GetProperty("count").GetInt64());
        Assert.Equal(0, viaFilter.GetProperty("rows").GetArrayLength());
    }

    [Fact]
    public async Task Group_by_with_aggregates_pages_by_offset()
    {
        var body = await GetJson(Air + "?group_by=station_code&aggregate=count(),avg(aqi)%20as%20mean,max(aqi)&order=-mean&limit=3&count=exact");
        Assert.Equal(["station_code", "count", "mean", "max_aqi"], body.GetProperty("fields").EnumerateArray().Select(f => f.GetProperty("name").GetString()!));
        var rows = body.GetProperty("rows").EnumerateArray().ToList();
        Assert.Equal(3, rows.Count);
        var groups = body.GetProperty("count").GetInt64();
        Assert.True(groups > 3);
        var next = body.GetProperty("next").GetString()!;
        Assert.Contains("offset=3", next, StringComparison.Ordinal);
        Assert.DoesNotContain("cursor=", next, StringComparison.Ordinal);
        var second = await GetJson(next);
        Assert.NotEqual(rows[0].GetProperty("station_code").GetString(), second.GetProperty("rows")[0].GetProperty("station_code").GetString());
        Assert.True(second.GetProperty("rows")[0].GetProperty("mean").GetDecimal() <= rows[2].GetProperty("mean").GetDecimal());
    }

    [Theory]
    [InlineData("?pm25[gt]=5", "pm25[gt]", "unknown_field")]
    [InlineData("?aqi[greater]=5", "aqi[greater]", "unknown_operator")]
    [InlineData("?aqi[gt]=abc", "aqi[gt]", "bad_value")]
    [InlineData("?aqi[contains]=5", "aqi[contains]", "type_mismatch")]
    [InlineData("?limit=10001", "limit", "limit_exceeded")]
    [InlineData("?limit=-1", "limit", "bad_value")]
    [InlineData("?filter=aqi%20gt", "filter", "bad_syntax")]
    [InlineData("?order=nope", "order", "unknown_field")]
    [InlineData("?select=aqi,nope", "select", "unknown_field")]
    [InlineData("?cursor=bm90LWEtY3Vyc29y", "cursor", "bad_cursor")]
    [InlineData("?after=bm90LWEtY3Vyc29y", "after", "bad_cursor")]
    [InlineData("?aggregate=median(aqi)", "aggregate", "unknown_function")]
    [InlineData("?count=maybe", "count", "bad_value")]
    public async Task Every_query_error_is_a_400_problem_naming_the_parameter(string query, string parameter, string code)
    {
        using var client = factory.CreateClient();
        var response = await client.GetAsync(Air + query);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(parameter, body.GetProperty("parameter").GetString());
        Assert.Equal(code, body.GetProperty("code").GetString());
        Assert.False(string.IsNullOrWhiteSpace(body.GetProperty("detail").GetString()));
    }

    [Fact]
    public async Task A_filter_syntax_error_reports_its_position_and_an_unknown_field_suggests_names()
    {
        var syntax = await GetJson(Air + "?filter=aqi%20gt%205%20and%20%28", HttpStatusCode.BadRequest);
        Assert.True(syntax.GetProperty("position").GetInt32() > 0);
        var unknown = await GetJson(Air + "?aqii=5", HttpStatusCode.BadRequest);
        Assert.Contains("aqi", unknown.GetProperty("suggestions").EnumerateArray().Select(s => s.GetString()));
    }

    [Theory]
    [InlineData("filter=aqi%20div%200%20eq%201")]
    [InlineData("filter=substring(station_code,%200,%20-1)%20eq%20%27x%27")]
    public async Task Database_data_errors_such_as_division_by_zero_are_400s(string query)
    {
        var body = await GetJson(Air + "?" + query, HttpStatusCode.BadRequest);
        Assert.Equal("filter", body.GetProperty("parameter").GetString());
        Assert.Equal("data_error", body.GetProperty("code").GetString());
    }

    [Fact]
    public async Task Version_pins_an_existing_version_and_a_missing_one_is_404()
    {
        var current = factory.Catalog.Current.Find("air-quality-hourly")!.Current!.Version;
        var body = await GetJson($"{Air}?version={current}&limit=1");
        Assert.Equal(current, body.GetProperty("version").GetInt32());
        await GetJson($"{Air}?version=999", HttpStatusCode.NotFound);
        var bad = await GetJson($"{Air}?version=abc", HttpStatusCode.BadRequest);
        Assert.Equal("version", bad.GetProperty("parameter").GetString());
    }

    [Fact]
    public async Task Conditional_rows_are_403_with_directions_to_apply_and_not_open_rows_are_404()
    {
        var conditional = await GetJson("/api/v1/datasets/enterprise-energy-consumption/rows", HttpStatusCode.Forbidden);
        Assert.Contains("/datasets/enterprise-energy-consumption#apply", conditional.GetProperty("apply").GetString(), StringComparison.Ordinal);
        Assert.Contains("conditionally open", conditional.GetProperty("detail").GetString(), StringComparison.Ordinal);
        await GetJson("/api/v1/datasets/enterprise-tax-details/rows", HttpStatusCode.NotFound);
        await GetJson("/api/v1/datasets/no-such-dataset/rows", HttpStatusCode.NotFound);
    }
}
