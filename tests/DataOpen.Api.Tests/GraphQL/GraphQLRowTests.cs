using System.Globalization;
using System.Net;
using System.Text.Json;
using DataOpen.Api.Tests.Infrastructure;

namespace DataOpen.Api.Tests.GraphQL;

[Collection(ApiTests.Name)]
public sealed class GraphQLRowTests(DataOpenFactory factory)
{
    [Fact]
    public async Task Rows_are_filtered_ordered_and_typed_per_column()
    {
        using var client = factory.CreateClient();
        var data = await client.QueryAsync(
            """
            query($min: Int) {
              airQualityHourly(filter: { aqi: { gte: $min }, station_name: { contains: "药谷" } }, orderBy: [{ field: aqi, direction: DESC }], first: 5) {
                nodes { station_name observed_at aqi co }
              }
            }
            """, new { min = 100 });
        var nodes = data.GetProperty("airQualityHourly").GetProperty("nodes");
        Assert.Equal(5, nodes.GetArrayLength());
        var previous = int.MaxValue;
        foreach (var n in nodes.EnumerateArray())
        {
            var aqi = n.GetProperty("aqi").GetInt32();
            Assert.True(aqi >= 100 && aqi <= previous, n.ToString());
            previous = aqi;
            Assert.Contains("药谷", n.GetProperty("station_name").GetString(), StringComparison.Ordinal);
            Assert.EndsWith("+08:00", n.GetProperty("observed_at").GetString(), StringComparison.Ordinal);
            // Decimals are strings so no digit is lost.
            Assert.Equal(JsonValueKind.String, n.GetProperty("co").ValueKind);
            _ = decimal.Parse(n.GetProperty("co").GetString()!, CultureInfo.InvariantCulture);
        }
    }

    [Fact]
    public async Task Nodes_written_as_one_node_match_graphql_nets_own_field_by_field_answer()
    {
        // Plain columns (with an alias) take the one-node path; the same selection inside an inline fragment
        // takes GraphQL.NET's field-by-field path. The two answers must be the same bytes.
        using var client = factory.CreateClient();
        const string columns = "station_name observed_at aqi co reading: aqi";
        const string page = "airQualityHourly(orderBy: [{ field: aqi, direction: DESC }], first: 40)";
        var plain = await client.QueryAsync($"{{ {page} {{ nodes {{ {columns} }} }} }}");
        var fragment = await client.QueryAsync($"{{ {page} {{ nodes {{ ... {{ {columns} }} }} }} }}");
        var nodes = plain.GetProperty("airQualityHourly").GetProperty("nodes");
        Assert.Equal(40, nodes.GetArrayLength());
        Assert.Equal(JsonValueKind.String, nodes[0].GetProperty("co").ValueKind);
        Assert.Equal(nodes[0].GetProperty("aqi").GetInt32(), nodes[0].GetProperty("reading").GetInt32());
        Assert.Equal(fragment.GetProperty("airQualityHourly").GetProperty("nodes").GetRawText(), nodes.GetRawText());
    }

    [Fact]
    public async Task Aggregates_group_by_fields_with_count_sum_avg_min_max()
    {
        using var client = factory.CreateClient();
        var data = await client.QueryAsync(
            """
            {
              airQualityHourlyAggregate(groupBy: [station_name], orderBy: [{ function: AVG, field: aqi, direction: DESC }], first: 3) {
                key { station_name }
                count
                sum { aqi }
                avg { aqi co }
                min { observed_at aqi }
                max { aqi }
              }
            }
            """);
        var groups = data.GetProperty("airQualityHourlyAggregate");
        Assert.Equal(3, groups.GetArrayLength());
        var previous = decimal.MaxValue;
        foreach (var g in groups.EnumerateArray())
        {
            var count = g.GetProperty("count").GetInt32();
            var sum = long.Parse(g.GetProperty("sum").GetProperty("aqi").GetString()!, CultureInfo.InvariantCulture);
            var avg = decimal.Parse(g.GetProperty("avg").GetProperty("aqi").GetString()!, CultureInfo.InvariantCulture);
            Assert.True(count > 0);
            Assert.InRange(avg, (sum / (decimal)count) - 0.01m, (sum / (decimal)count) + 0.01m);
            Assert.True(avg <= previous);
            previous = avg;
            Assert.True(g.GetProperty("min").GetProperty("aqi").GetInt32() <= g.GetProperty("max").GetProperty("aqi").GetInt32());
            Assert.False(string.IsNullOrEmpty(g.GetProperty("key").GetProperty("station_name").GetString()));
        }
    }

    [Fact]
    public async Task First_over_the_maximum_is_a_clear_error()
    {
        using var client = factory.CreateClient();
        var r = await client.PostAsync("{ busStops(first: 5000) { nodes { stop_id } } }");
        Assert.Equal(HttpStatusCode.OK, r.Status);
        Assert.Equal("LIMIT_EXCEEDED", r.FirstCode);
        Assert.Contains("first must be between 0 and 1000", r.FirstError.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Equal("busStops", r.FirstError.GetProperty("path")[0].GetString());
    }
}
