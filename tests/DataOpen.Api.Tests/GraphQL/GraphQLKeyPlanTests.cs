using System.Net;
using System.Text;
using System.Text.Json;
using DataOpen.Api.GraphQL;
using DataOpen.Api.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace DataOpen.Api.Tests.GraphQL;

/// <summary>
/// A one-row lookup sent again is served from its plan (<see cref="KeyPlan"/>), not the executor: the same bytes,
/// status and headers the executor wrote for it, for every column type of the sample catalog; anything the plan does
/// not take (another selection, a value its scalar refuses, an error) is answered by the executor exactly as before.
/// </summary>
[Collection(ApiTests.Name)]
public sealed class GraphQLKeyPlanTests(DataOpenFactory factory)
{
    private sealed record Raw(HttpStatusCode Status, string? ContentType, string? CacheControl, string Body);

    private GraphQLSchemaProvider Provider => factory.Services.GetRequiredService<GraphQLSchemaProvider>();

    private static async Task<Raw> PostAsync(HttpClient client, string query, object? variables = null, string accept = Gql.GraphQLResponse)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/graphql")
        {
            Content = new StringContent(JsonSerializer.Serialize(new { query, variables }), Encoding.UTF8, "application/json"),
        };
        request.Headers.Accept.ParseAdd(accept);
        using var response = await client.SendAsync(request);
        return new Raw(response.StatusCode, response.Content.Headers.ContentType?.ToString(), response.Headers.CacheControl?.ToString(), await response.Content.ReadAsStringAsync());
    }

    /// <summary>Sends the document until it is validated (a publish by another test may swap the schema), then once more; the second answer and how many requests plans served meanwhile.</summary>
    private async Task<(Raw First, Raw Again, long Planned)> TwiceAsync(HttpClient client, string query, object? variables = null, string accept = Gql.GraphQLResponse)
    {
        for (var attempt = 0; ; attempt++)
        {
            var first = await PostAsync(client, query, variables, accept);
            var documents = Provider.Current.Documents;
            if (documents.Find(query) is null && attempt < 3)
            {
                continue;
            }

            var before = documents.Planned;
            var again = await PostAsync(client, query, variables, accept);
            return (first, again, documents.Planned - before);
        }
    }

    [Fact]
    public async Task A_lookup_by_row_id_is_planned_and_answers_as_the_executor_did_for_every_column_type()
    {
        using var client = factory.CreateClient();
        var roots = await client.QueryAsync("{ __schema { queryType { fields { name type { name } } } } }");
        var byRowIds = roots.GetProperty("__schema").GetProperty("queryType").GetProperty("fields").EnumerateArray()
            .Select(f => (Name: f.GetProperty("name").GetString()!, Type: f.GetProperty("type").GetProperty("name").GetString()))
            .Where(f => f.Name.EndsWith("ByRowId", StringComparison.Ordinal)).ToList();
        Assert.True(byRowIds.Count >= 8, string.Join(", ", byRowIds));
        var types = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (name, type) in byRowIds)
        {
            var fields = (await client.QueryAsync($"{{ __type(name: \"{type}\") {{ fields {{ name type {{ kind name }} }} }} }}"))
                .GetProperty("__type").GetProperty("fields").EnumerateArray()
                .Where(f => f.GetProperty("type").GetProperty("kind").GetString() == "SCALAR").ToList();
            types.UnionWith(fields.Select(f => f.GetProperty("type").GetProperty("name").GetString()!));
            var rows = name[..^"ByRowId".Length];
            var first = await client.PostAsync($"{{ {rows}(first: 1) {{ nodes {{ rowId }} }} }}");
            if (first.HasErrors)
            {
                continue; // rows that need a grant: the error case is below
            }

            var rowId = first.Data.GetProperty(rows).GetProperty("nodes")[0].GetProperty("rowId").GetString();
            var query = $"query($r: BigInt!) {{ {name}(rowId: $r) {{ {string.Join(' ', fields.Select(f => f.GetProperty("name").GetString()))} }} }}";
            var (executed, planned, count) = await TwiceAsync(client, query, new { r = rowId });
            Assert.Equal(HttpStatusCode.OK, executed.Status);
            Assert.DoesNotContain("\"errors\"", executed.Body, StringComparison.Ordinal);
            Assert.Equal(executed, planned);
            Assert.Equal(1, count);
        }

        // The sample catalog reaches every scalar a column can have.
        Assert.Superset(new HashSet<string> { "String", "Int", "BigInt", "Decimal", "Float", "Boolean", "Date", "DateTime" }, types);
    }

    [Fact]
    public async Task A_composite_key_with_variables_aliases_and_a_missing_row_is_planned_in_both_media_types()
    {
        using var client = factory.CreateClient();
        const string query = "query Air($s: String!, $t: DateTime!) { reading: airQualityHourlyByKey(station_code: $s, observed_at: $t) { aqi station: station_name observed_at pm2_5 } }";
        foreach (var accept in new[] { Gql.GraphQLResponse, "application/json" })
        {
            var (executed, planned, count) = await TwiceAsync(client, query, new { s = "XQ001", t = "2023-01-01T00:00:00+08:00" }, accept);
            Assert.Contains("\"aqi\":95", executed.Body, StringComparison.Ordinal);
            Assert.Equal(executed, planned);
            Assert.Equal(1, count);

            var missing = await PostAsync(client, query, new { s = "XQ999", t = "2023-01-01T00:00:00+08:00" }, accept);
            Assert.Equal("{\"data\":{\"reading\":null}}", missing.Body);
        }

        // A literal key and the version argument as a variable.
        const string literal = "query($v: Int) { busStopsByKey(stop_id: \"BS0001\", version: $v) { stop_id stop_name } }";
        var (a, b, n) = await TwiceAsync(client, literal, new { v = 1 });
        Assert.Contains("飞跃大街创新路口", a.Body, StringComparison.Ordinal);
        Assert.Equal(a, b);
        Assert.Equal(1, n);
        var (c, d, m) = await TwiceAsync(client, literal);
        Assert.Equal(a, c);
        Assert.Equal(c, d);
        Assert.Equal(1, m);
    }

    [Fact]
    public async Task A_value_the_scalar_refuses_or_an_error_of_the_lookup_is_answered_by_the_executor_as_before()
    {
        using var client = factory.CreateClient();
        const string query = "query($s: String!, $t: DateTime!, $v: Int) { airQualityHourlyByKey(station_code: $s, observed_at: $t, version: $v) { aqi } }";
        var (_, _, count) = await TwiceAsync(client, query, new { s = "XQ001", t = "2023-01-01T00:00:00+08:00" });
        Assert.Equal(1, count);

        // The twin (one more space) was never validated, so the executor answers it: the plan must answer the same.
        foreach (var variables in new object[] { new { s = "XQ001", t = "not a time" }, new { s = "XQ001" }, new { s = "XQ001", t = "2023-01-01T00:00:00+08:00", v = 999 } })
        {
            var before = Provider.Current.Documents.Planned;
            var planned = await PostAsync(client, query, variables);
            var executed = await PostAsync(client, query + " ", variables);
            Assert.Equal(executed.Status, planned.Status);
            Assert.Contains("\"errors\"", planned.Body, StringComparison.Ordinal);
            Assert.Equal(executed.Body.Replace(query + " ", query, StringComparison.Ordinal), planned.Body);
            Assert.Equal(before, Provider.Current.Documents.Planned);
        }
    }

    [Fact]
    public async Task Documents_that_are_not_a_plain_lookup_get_no_plan_and_answer_as_before()
    {
        using var client = factory.CreateClient();
        foreach (var query in new[]
        {
            "{ busStopsByKey(stop_id: \"BS0001\") { __typename stop_id } }",
            "{ busStopsByKey(stop_id: \"BS0001\") { ...S } } fragment S on BusStops { stop_id }",
            "{ busStopsByKey(stop_id: \"BS0001\") { stop_id @include(if: true) } }",
            "{ busStopsByKey(stop_id: \"BS0001\") { stop_id rowId } }",
            "{ a: busStopsByKey(stop_id: \"BS0001\") { stop_id } b: busStopsByKey(stop_id: \"BS0002\") { stop_id } }",
            "{ busStops(first: 1) { nodes { stop_id } } }",
        })
        {
            var (first, again, count) = await TwiceAsync(client, query);
            Assert.Equal(HttpStatusCode.OK, first.Status);
            Assert.Equal(first, again);
            Assert.Equal(0, count);
        }
    }

    [Fact]
    public async Task Conditional_rows_without_a_grant_are_refused_by_the_executor_every_time()
    {
        using var client = factory.CreateClient();
        const string query = "{ enterpriseEnergyConsumptionByRowId(rowId: \"1\") { credit_code } }";
        var (first, again, count) = await TwiceAsync(client, query);
        Assert.Contains("FORBIDDEN", first.Body, StringComparison.Ordinal);
        Assert.Equal(first, again);
        Assert.Equal(0, count);
    }
}
