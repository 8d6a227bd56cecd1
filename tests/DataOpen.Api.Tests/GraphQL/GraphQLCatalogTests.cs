using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using DataOpen.Api.Tests.Infrastructure;

namespace DataOpen.Api.Tests.GraphQL;

[Collection(ApiTests.Name)]
public sealed class GraphQLCatalogTests(DataOpenFactory factory)
{
    [Fact]
    public async Task Chinese_search_ranks_the_air_quality_dataset_first_with_facets_over_all_matches()
    {
        using var client = factory.CreateClient();
        var data = await client.QueryAsync(
            """
            {
              datasets(search: "空气质量", first: 1) {
                totalCount
                edges { cursor score node { id title { zh } publisher { id name { zh } } themes { scheme code label { zh } } fields { name type title { zh } } } }
                facets { publisher { value count } themes { scheme values { value count } } openClass { value count } }
              }
            }
            """);
        var conn = data.GetProperty("datasets");
        var first = conn.GetProperty("edges")[0];
        Assert.Equal("air-quality-hourly", first.GetProperty("node").GetProperty("id").GetString());
        Assert.True(first.GetProperty("score").GetDouble() > 0);
        Assert.Contains(first.GetProperty("node").GetProperty("fields").EnumerateArray(), f => f.GetProperty("name").GetString() == "pm2_5" && f.GetProperty("type").GetString() == "integer");
        Assert.True(first.GetProperty("node").GetProperty("themes").GetArrayLength() > 0);
        Assert.False(string.IsNullOrEmpty(first.GetProperty("node").GetProperty("publisher").GetProperty("name").GetProperty("zh").GetString()));
        var facetTotal = conn.GetProperty("facets").GetProperty("publisher").EnumerateArray().Sum(f => f.GetProperty("count").GetInt32());
        Assert.Equal(conn.GetProperty("totalCount").GetInt32(), facetTotal);
    }

    [Fact]
    public async Task Dataset_pages_follow_cursors_without_overlap_and_filters_match_REST()
    {
        using var client = factory.CreateClient();
        const string q = """
            query($after: String) {
              datasets(openClass: UNCONDITIONAL, sort: TITLE, first: 3, after: $after) {
                totalCount
                nodes { id openClass }
                pageInfo { hasNextPage hasPreviousPage endCursor }
              }
            }
            """;
        var seen = new List<string>();
        string? after = null;
        int total;
        var pages = 0;
        do
        {
            var conn = (await client.QueryAsync(q, new { after })).GetProperty("datasets");
            total = conn.GetProperty("totalCount").GetInt32();
            Assert.All(conn.GetProperty("nodes").EnumerateArray(), n => Assert.Equal("UNCONDITIONAL", n.GetProperty("openClass").GetString()));
            seen.AddRange(conn.GetProperty("nodes").EnumerateArray().Select(n => n.GetProperty("id").GetString()!));
            Assert.Equal(after is not null, conn.GetProperty("pageInfo").GetProperty("hasPreviousPage").GetBoolean());
            after = conn.GetProperty("pageInfo").GetProperty("hasNextPage").GetBoolean() ? conn.GetProperty("pageInfo").GetProperty("endCursor").GetString() : null;
            pages++;
        }
        while (after is not null && pages < 50);

        Assert.Equal(total, seen.Count);
        Assert.Equal(seen.Count, seen.Distinct().Count());
        var rest = await client.GetFromJsonAsync<JsonElement>("/api/v1/datasets?open_class=unconditional&limit=100");
        Assert.Equal(rest.GetProperty("total").GetInt32(), total);
    }

    [Fact]
    public async Task Dataset_by_id_has_versions_and_fields_and_not_open_datasets_are_null()
    {
        using var client = factory.CreateClient();
        var data = await client.QueryAsync(
            """
            {
              air: dataset(id: "air-quality-hourly") { id rowsField aggregateField currentVersion { version rowCount current fields { name } } versions { version current } license { id } }
              tax: dataset(id: "enterprise-tax-details") { id }
              energy: dataset(id: "enterprise-energy-consumption") { openClass openConditions { zh } rowsField }
              nothing: dataset(id: "no-such-dataset") { id }
              publishers { id datasetCount }
              themes { id themes { code datasetCount } }
              licenses { id }
            }
            """);
        var air = data.GetProperty("air");
        Assert.Equal("airQualityHourly", air.GetProperty("rowsField").GetString());
        Assert.Equal("airQualityHourlyAggregate", air.GetProperty("aggregateField").GetString());
        Assert.True(long.Parse(air.GetProperty("currentVersion").GetProperty("rowCount").GetString()!, System.Globalization.CultureInfo.InvariantCulture) >= 200_000);
        Assert.Contains(air.GetProperty("versions").EnumerateArray(), v => v.GetProperty("current").GetBoolean());
        Assert.Equal(JsonValueKind.Null, data.GetProperty("tax").ValueKind);
        Assert.Equal(JsonValueKind.Null, data.GetProperty("nothing").ValueKind);
        Assert.Equal("CONDITIONAL", data.GetProperty("energy").GetProperty("openClass").GetString());
        Assert.Equal("enterpriseEnergyConsumption", data.GetProperty("energy").GetProperty("rowsField").GetString());
        Assert.Contains(data.GetProperty("publishers").EnumerateArray(), p => p.GetProperty("datasetCount").GetInt32() > 0);
        Assert.Contains(data.GetProperty("themes").EnumerateArray(), s => s.GetProperty("themes").GetArrayLength() > 0);
    }

    [Fact]
    public async Task Bad_search_arguments_are_errors_with_codes()
    {
        using var client = factory.CreateClient();
        var theme = await client.PostAsync("""{ datasets(theme: ["environment"]) { totalCount } }""");
        Assert.Equal(HttpStatusCode.OK, theme.Status);
        Assert.Equal("BAD_ARGUMENT", theme.FirstCode);
        Assert.Contains("scheme:code", theme.FirstError.GetProperty("message").GetString(), StringComparison.Ordinal);

        var first = await client.PostAsync("{ datasets(first: 101) { totalCount } }");
        Assert.Equal("LIMIT_EXCEEDED", first.FirstCode);

        var cursor = await client.PostAsync("""{ datasets(after: "bm9wZQ") { totalCount } }""");
        Assert.Equal("BAD_CURSOR", cursor.FirstCode);
    }
}
