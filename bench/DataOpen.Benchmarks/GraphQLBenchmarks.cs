using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using DataOpen.Api.GraphQL;
using DataOpen.Benchmarks.Harness;
using DataOpen.Core.Catalog;
using DataOpen.Core.Query;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using SortKey = DataOpen.Core.Query.SortKey;

namespace DataOpen.Benchmarks;

/// <summary>
/// Issue 5's benchmark: requests/s of a filtered, ordered 100-row GraphQL query on bench-1m, against the
/// same SQL (compiled by the same engine, same parameters, same reader role) answered as JSON by a bare
/// Kestrel endpoint with raw Npgsql, in the same run. Goal: ratio ≥ 0.6.
/// </summary>
public static class GraphQLBenchmarks
{
    public static async Task<int> RunAsync(string[] args)
    {
        var seconds = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 20;
        var concurrency = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 8;
        await using var env = await BenchEnvironment.StartAsync();
        var provider = env.Services.GetRequiredService<GraphQLSchemaProvider>();
        var model = await provider.WaitForCatalogVersionAsync(env.Catalog.Current.CatalogVersion, TimeSpan.FromMinutes(1));
        var field = model.RowFields[BenchEnvironment.DatasetId].Rows;

        using var client = env.CreateClient();
        var duration = TimeSpan.FromSeconds(seconds);

        // station = 'S007' (1 in 50) and pm25 > 100 (4 in 5): about 16,000 matches, 100 returned with all 8 columns.
        // Ordered by observed_at the database sorts every match (no index): the run measures PostgreSQL more than
        // the door. In source order (the primary key) the database part is small and the door's cost shows.
        (string Name, string OrderBy, SortKey[] Keys)[] scenarios =
        [
            ("ordered by observed_at DESC", "orderBy: [{ field: observed_at, direction: DESC }], ", [SortKey.Desc("observed_at")]),
            ("in source order (primary key)", "", []),
        ];
        foreach (var (name, orderBy, keys) in scenarios)
        {
            var graphql = $$"""
                query($station: String!, $min: Decimal!) {
                  {{field}}(filter: { station: { eq: $station }, pm25: { gt: $min } }, {{orderBy}}first: 100) {
                    nodes { id station observed_at pm25 reading valid day category }
                  }
                }
                """;
            var body = JsonSerializer.Serialize(new { query = graphql, variables = new { station = "S007", min = "100" } });
            var compiled = QueryCompiler.Default.Compile(new RowQuery(env.Dataset.Current!.Shape)
            {
                Filter = Expr.And(Expr.Eq(Expr.Field("station"), Expr.Const("S007")), Expr.Gt(Expr.Field("pm25"), Expr.Const(100m))),
                OrderBy = keys,
                Limit = 100,
            });
            var reader = env.Database.Reader;
            var path = "/rows" + (keys.Length == 0 ? "-source" : "-ordered");
            var bare = await env.StartBareEndpointAsync(path, http => BareRowsAsync(http, reader, compiled));

            Task<HttpResponseMessage> GraphQLRequest(HttpClient c, CancellationToken ct)
            {
                var request = new HttpRequestMessage(HttpMethod.Post, "/graphql") { Content = new StringContent(body, Encoding.UTF8, "application/json") };
                request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue(GraphQLExecutor.GraphQLResponse));
                return c.SendAsync(request, ct);
            }

            Task<HttpResponseMessage> BareRequest(HttpClient c, CancellationToken ct) => c.GetAsync(new Uri(bare, path), ct);

            // Both sides return the same 100 rows: compare the ids before timing anything.
            var gqlIds = await IdsAsync(await GraphQLRequest(client, CancellationToken.None), d => d.GetProperty("data").GetProperty(field).GetProperty("nodes"));
            var bareIds = await IdsAsync(await BareRequest(client, CancellationToken.None), d => d);
            if (gqlIds.Count != 100 || !gqlIds.SequenceEqual(bareIds))
            {
                throw new InvalidOperationException($"GraphQL and the bare endpoint disagree: {gqlIds.Count} vs {bareIds.Count} rows");
            }

            Console.WriteLine("SQL: " + compiled.Sql);
            if (Environment.GetEnvironmentVariable("GQL_DIAG") == "1")
            {
                foreach (var (label, q) in new[] { ("typename", "{ __typename }"), ("pageInfo", $"{{ {field}(first: 100) {{ pageInfo {{ hasNextPage }} }} }}"), ("one column", $"{{ {field}(first: 100) {{ nodes {{ id }} }} }}") })
                {
                    var b = JsonSerializer.Serialize(new { query = q });
                    var rate = await BenchEnvironment.MeasureAsync((c, ct) => c.PostAsync("/graphql", new StringContent(b, Encoding.UTF8, "application/json"), ct), client, duration, concurrency);
                    Console.WriteLine($"  diag {label}: {rate:F1} req/s");
                }

                var live = await BenchEnvironment.MeasureAsync((c, ct) => c.GetAsync("/health/live", ct), client, duration, concurrency);
                Console.WriteLine($"  diag health/live: {live:F1} req/s");
            }

            var floor = await BenchEnvironment.MeasureAsync(BareRequest, client, duration, concurrency);
            var measured = await BenchEnvironment.MeasureAsync(GraphQLRequest, client, duration, concurrency);
            Console.WriteLine(BenchEnvironment.Ratio($"GraphQL 100 rows of 1M, {name}", measured, floor, "req/s", "≥ 0.6"));
        }

        return 0;
    }

    private static async Task<List<string>> IdsAsync(HttpResponseMessage response, Func<JsonElement, JsonElement> nodes)
    {
        using (response)
        {
            var text = await response.Content.ReadAsStringAsync();
            if (!response.IsSuccessStatusCode)
            {
                throw new InvalidOperationException($"{(int)response.StatusCode}: {text}");
            }

            using var doc = JsonDocument.Parse(text);
            return nodes(doc.RootElement).EnumerateArray().Select(n => n.GetProperty("id").ToString()).ToList();
        }
    }

    /// <summary>The floor: run the compiled SQL with raw Npgsql and write the visible columns as a JSON array.</summary>
    private static async Task BareRowsAsync(HttpContext http, NpgsqlDataSource reader, CompiledQuery compiled)
    {
        await using var cmd = reader.CreateCommand(compiled.Sql);
        cmd.Parameters.AddRange(compiled.ToNpgsqlParameters().ToArray());
        await using var r = await cmd.ExecuteReaderAsync(http.RequestAborted);
        http.Response.ContentType = "application/json";
        await using var json = new Utf8JsonWriter(http.Response.Body);
        json.WriteStartArray();
        var visible = compiled.Columns.Select((c, i) => (c, i)).Where(x => !x.c.Hidden).ToArray();
        var n = 0;
        while (n < compiled.PageSize && await r.ReadAsync(http.RequestAborted))
        {
            n++;
            json.WriteStartObject();
            foreach (var (column, i) in visible)
            {
                json.WritePropertyName(column.Name);
                if (await r.IsDBNullAsync(i))
                {
                    json.WriteNullValue();
                    continue;
                }

                switch (column.Type)
                {
                    case FieldType.BigInt:
                        json.WriteStringValue(r.GetInt64(i).ToString(CultureInfo.InvariantCulture));
                        break;
                    case FieldType.Integer:
                        json.WriteNumberValue(r.GetInt32(i));
                        break;
                    case FieldType.Decimal:
                        json.WriteStringValue(r.GetDecimal(i).ToString(CultureInfo.InvariantCulture));
                        break;
                    case FieldType.Double:
                        json.WriteNumberValue(r.GetDouble(i));
                        break;
                    case FieldType.Boolean:
                        json.WriteBooleanValue(r.GetBoolean(i));
                        break;
                    case FieldType.Date:
                        json.WriteStringValue(r.GetFieldValue<DateOnly>(i).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
                        break;
                    case FieldType.Timestamp:
                        json.WriteStringValue(new DateTimeOffset(r.GetFieldValue<DateTime>(i)).ToOffset(TimeSpan.FromHours(8)));
                        break;
                    default:
                        json.WriteStringValue(r.GetString(i));
                        break;
                }
            }

            json.WriteEndObject();
        }

        json.WriteEndArray();
        await json.FlushAsync(http.RequestAborted);
    }
}
