using System.Globalization;
using System.Net;
using System.Text.Json;
using DataOpen.Api.Tests.Infrastructure;

namespace DataOpen.Api.Tests.GraphQL;

[Collection(ApiTests.Name)]
public sealed class GraphQLRowQueryTests(DataOpenFactory factory)
{
    private const string Page = """
        query($after: String, $first: Int) {
          airQualityHourly(filter: { station_code: { eq: "CC001" } }, orderBy: [{ field: aqi, direction: DESC }, { field: observed_at }], first: $first, after: $after) {
            edges { cursor node { observed_at aqi } }
            pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
          }
        }
        """;

    [Fact]
    public async Task Keyset_pages_continue_exactly_where_the_previous_page_ended()
    {
        using var client = factory.CreateClient();
        var station = (await client.QueryAsync("{ airQualityHourly(first: 1) { nodes { station_code } } }"))
            .GetProperty("airQualityHourly").GetProperty("nodes")[0].GetProperty("station_code").GetString();
        var page = Page.Replace("CC001", station, StringComparison.Ordinal);

        var whole = (await client.QueryAsync(page, new { first = 6 })).GetProperty("airQualityHourly");
        var one = (await client.QueryAsync(page, new { first = 3 })).GetProperty("airQualityHourly");
        Assert.True(one.GetProperty("pageInfo").GetProperty("hasNextPage").GetBoolean());
        Assert.False(one.GetProperty("pageInfo").GetProperty("hasPreviousPage").GetBoolean());
        var end = one.GetProperty("pageInfo").GetProperty("endCursor").GetString();
        Assert.Equal(one.GetProperty("edges")[2].GetProperty("cursor").GetString(), end);
        var two = (await client.QueryAsync(page, new { first = 3, after = end })).GetProperty("airQualityHourly");
        Assert.True(two.GetProperty("pageInfo").GetProperty("hasPreviousPage").GetBoolean());

        var joined = one.GetProperty("edges").EnumerateArray().Concat(two.GetProperty("edges").EnumerateArray()).Select(e => e.GetProperty("node").GetRawText()).ToList();
        Assert.Equal(whole.GetProperty("edges").EnumerateArray().Select(e => e.GetProperty("node").GetRawText()).ToList(), joined);

        // An edge cursor in the middle continues after that edge.
        var middle = one.GetProperty("edges")[0].GetProperty("cursor").GetString();
        var fromMiddle = (await client.QueryAsync(page, new { first = 2, after = middle })).GetProperty("airQualityHourly");
        Assert.Equal(joined[1..3], fromMiddle.GetProperty("edges").EnumerateArray().Select(e => e.GetProperty("node").GetRawText()).ToList());
    }

    [Fact]
    public async Task Filters_combine_with_and_or_not_in_and_isNull()
    {
        using var client = factory.CreateClient();
        async Task<int> Count(string filter) =>
            (await client.QueryAsync($"{{ busStops(filter: {filter}, first: 0) {{ totalCount }} }}")).GetProperty("busStops").GetProperty("totalCount").GetInt32();

        var districts = (await client.QueryAsync("{ busStopsAggregate(groupBy: [district], first: 2) { key { district } count } }"))
            .GetProperty("busStopsAggregate").EnumerateArray().Select(g => (District: g.GetProperty("key").GetProperty("district").GetString()!, Count: g.GetProperty("count").GetInt32())).ToList();
        Assert.Equal(2, districts.Count);
        var (a, b) = (districts[0].District, districts[1].District);
        var all = await Count("{}");

        Assert.Equal(districts[0].Count, await Count($"{{ district: {{ eq: \"{a}\" }} }}"));
        Assert.Equal(districts[0].Count + districts[1].Count, await Count($"{{ or: [{{ district: {{ eq: \"{a}\" }} }}, {{ district: {{ eq: \"{b}\" }} }}] }}"));
        Assert.Equal(districts[0].Count + districts[1].Count, await Count($"{{ district: {{ in: [\"{a}\", \"{b}\"] }} }}"));
        Assert.Equal(all - districts[0].Count, await Count($"{{ not: {{ district: {{ eq: \"{a}\" }} }} }}"));
        Assert.Equal(0, await Count($"{{ and: [{{ district: {{ eq: \"{a}\" }} }}, {{ district: {{ eq: \"{b}\" }} }}] }}"));
        Assert.Equal(all, await Count("{ stop_id: { isNull: false } }"));
        Assert.Equal(0, await Count("{ stop_id: { isNull: true } }"));
        Assert.Equal(all, await Count("{ stop_id: { startsWith: \"BS\" }, route_count: { gte: 0, eq: null } }"));
        Assert.True(await Count("{ stop_name: { endsWith: \"路口\" } }") > 0);
        Assert.True(await Count("{ latitude: { gt: 43.5, lt: 44.5 } }") > 0);
    }

    [Fact]
    public async Task Dates_timestamps_bigints_and_decimals_filter_and_serialise_with_their_scalars()
    {
        using var client = factory.CreateClient();
        var data = await client.QueryAsync(
            """
            {
              digitalRealEnterprises(filter: { founded_on: { gte: "2020-01-01" } }, orderBy: [{ field: founded_on }], first: 3) { nodes { founded_on registered_capital } }
              computeVouchersMonthly(filter: { gpu_card_hours: { gte: "0" } }, first: 2) { nodes { gpu_card_hours face_value } }
              airQualityHourly(filter: { observed_at: { gte: "2024-06-01T00:00:00+08:00", lt: "2024-06-01T03:00:00+08:00" } }, orderBy: [{ field: observed_at }], first: 1) { nodes { observed_at } }
            }
            """);
        foreach (var n in data.GetProperty("digitalRealEnterprises").GetProperty("nodes").EnumerateArray())
        {
            Assert.True(DateOnly.ParseExact(n.GetProperty("founded_on").GetString()!, "yyyy-MM-dd", CultureInfo.InvariantCulture) >= new DateOnly(2020, 1, 1));
            Assert.Equal(JsonValueKind.String, n.GetProperty("registered_capital").ValueKind);
        }

        foreach (var n in data.GetProperty("computeVouchersMonthly").GetProperty("nodes").EnumerateArray())
        {
            Assert.Equal(JsonValueKind.String, n.GetProperty("gpu_card_hours").ValueKind);
            Assert.True(long.Parse(n.GetProperty("gpu_card_hours").GetString()!, CultureInfo.InvariantCulture) >= 0);
        }

        var air = data.GetProperty("airQualityHourly").GetProperty("nodes");
        if (air.GetArrayLength() > 0)
        {
            Assert.StartsWith("2024-06-01T0", air[0].GetProperty("observed_at").GetString(), StringComparison.Ordinal);
        }

        // A timestamp without an offset would silently mean the server's zone: it is refused.
        var local = await client.PostAsync("""{ airQualityHourly(filter: { observed_at: { gte: "2024-06-01T00:00:00" } }) { totalCount } }""");
        Assert.Equal(HttpStatusCode.BadRequest, local.Status);
        var wrongType = await client.PostAsync("""{ airQualityHourly(filter: { aqi: { eq: "high" } }) { totalCount } }""");
        Assert.Equal(HttpStatusCode.BadRequest, wrongType.Status);
    }

    [Fact]
    public async Task Conditional_rows_are_refused_with_directions_and_metadata_stays_public()
    {
        using var client = factory.CreateClient();
        var r = await client.PostAsync("{ enterpriseEnergyConsumption(first: 1) { nodes { year } } dataset(id: \"enterprise-energy-consumption\") { id } }");
        Assert.Equal(HttpStatusCode.OK, r.Status);
        Assert.Equal("FORBIDDEN", r.FirstCode);
        Assert.Equal(JsonValueKind.Null, r.Data.GetProperty("enterpriseEnergyConsumption").ValueKind);
        Assert.Equal("enterprise-energy-consumption", r.Data.GetProperty("dataset").GetProperty("id").GetString());
        Assert.Contains("#apply", r.FirstError.GetProperty("extensions").GetProperty("data").GetProperty("applyUrl").GetString(), StringComparison.Ordinal);

        var aggregate = await client.PostAsync("{ enterpriseEnergyConsumptionAggregate { count } }");
        Assert.Equal("FORBIDDEN", aggregate.FirstCode);
    }

    [Fact]
    public async Task Version_pins_a_published_version_and_an_unknown_one_is_not_found()
    {
        using var client = factory.CreateClient();
        var data = await client.QueryAsync("{ dataset(id: \"bus-stops\") { currentVersion { version } } }");
        var v = data.GetProperty("dataset").GetProperty("currentVersion").GetProperty("version").GetInt32();
        var pinned = await client.QueryAsync($"{{ busStops(version: {v}, first: 1) {{ totalCount nodes {{ stop_id }} }} }}");
        Assert.True(pinned.GetProperty("busStops").GetProperty("totalCount").GetInt32() > 0);

        var missing = await client.PostAsync("{ busStops(version: 999) { totalCount } }");
        Assert.Equal("NOT_FOUND", missing.FirstCode);
        Assert.Contains("no version 999", missing.FirstError.GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Engine_errors_keep_their_codes_and_bad_cursors_are_rejected()
    {
        using var client = factory.CreateClient();
        var cursor = await client.PostAsync("""{ busStops(after: "eyJoIjoieCJ9") { nodes { stop_id } } }""");
        Assert.Equal("BAD_CURSOR", cursor.FirstCode);

        var groupKey = await client.PostAsync("{ busStopsAggregate(groupBy: [district]) { key { street } count } }");
        Assert.Equal("BAD_VALUE", groupKey.FirstCode);
        Assert.Contains("add it to groupBy", groupKey.FirstError.GetProperty("message").GetString(), StringComparison.Ordinal);

        var emptyOr = await client.PostAsync("{ busStops(filter: { or: [] }) { totalCount } }");
        Assert.Equal("BAD_VALUE", emptyOr.FirstCode);
    }

    [Fact]
    public async Task Aggregate_without_group_by_is_one_group_and_counts_match_totalCount()
    {
        using var client = factory.CreateClient();
        var data = await client.QueryAsync(
            """
            {
              talentRecognitionsAggregate { count sum { count } max { year } }
              talentRecognitions(first: 0) { totalCount }
              byYear: talentRecognitionsAggregate(groupBy: [year], orderBy: [{ function: COUNT, direction: DESC }, { field: year }]) { key { year } count sum { count } }
            }
            """);
        var single = data.GetProperty("talentRecognitionsAggregate");
        Assert.Equal(1, single.GetArrayLength());
        Assert.Equal(data.GetProperty("talentRecognitions").GetProperty("totalCount").GetInt32(), single[0].GetProperty("count").GetInt32());
        var byYear = data.GetProperty("byYear").EnumerateArray().ToList();
        Assert.Equal(single[0].GetProperty("count").GetInt32(), byYear.Sum(g => g.GetProperty("count").GetInt32()));
        Assert.Equal(
            long.Parse(single[0].GetProperty("sum").GetProperty("count").GetString()!, CultureInfo.InvariantCulture),
            byYear.Sum(g => long.Parse(g.GetProperty("sum").GetProperty("count").GetString()!, CultureInfo.InvariantCulture)));
    }
}
