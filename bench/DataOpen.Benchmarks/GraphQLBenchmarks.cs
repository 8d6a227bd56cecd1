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

        // station = 'S007' (1 in 50) and pm25 > 100 (4 in 5): about 16,000 matches, newest 100 first.
        var graphql = $$"""
            query($station: String!, $min: Decimal!) {
              {{field}}(filter: { station: { eq: $station }, pm25: { gt: $min } }, orderBy: [{ field: observed_at, direction: DESC }], first: 100) {
                nodes { id station observed_at pm25 reading valid day category }
              }
            }
            """;
        var body = JsonSerializer.Serialize(new { query = graphql, variables = new { station = "S007", min = "100" } });

        var shape = env.Dataset.Current!.Shape;
        var compiled = QueryCompiler.Default.Compile(new RowQuery(shape)
        {
            Filter = Expr.And(Expr.Eq(Expr.Field("station"), Expr.Const("S007")), Expr.Gt(Expr.Field("pm25"), Expr.Const(100m))),
            OrderBy = [SortKey.Desc("observed_at")],
            Limit = 100,
        });
        var reader = env.Database.Reader;
        var bare = await env.StartBareEndpointAsync("/rows", http => BareRowsAsync(http, reader, compiled));

        using var client = env.CreateClient();
        Task<HttpResponseMessage> GraphQLRequest(HttpClient c, CancellationToken ct)
        {
            var request = new HttpRequestMessage(HttpMethod.Post, "/graphql") { Content = new StringContent(body, Encoding.UTF8, "application/json") };
            request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue(GraphQLExecutor.GraphQLResponse));
            return c.SendAsync(request, ct);
        }

        Task<HttpResponseMessage> BareRequest(HttpClient c, CancellationToken ct) => c.GetAsync(new Uri(bare, "/rows"), ct);

        // Both sides return the same 100 rows: compare the ids before timing anything.
        var gqlIds = await IdsAsync(await GraphQLRequest(client, CancellationToken.None), d => d.GetProperty("data").GetProperty(field).GetProperty("nodes"));
        var bareIds = await IdsAsync(await BareRequest(client, CancellationToken.None), d => d);
        if (gqlIds.Count != 100 || !gqlIds.SequenceEqual(bareIds))
        {
            throw new InvalidOperationException($"GraphQL and the bare endpoint disagree: {gqlIds.Count} vs {bareIds.Count} rows");
        }

        Console.WriteLine("SQL: " + compiled.Sql);
        var duration = TimeSpan.FromSeconds(seconds);
        var floor = await BenchEnvironment.MeasureAsync(BareRequest, client, duration, concurrency);
        var measured = await BenchEnvironment.MeasureAsync(GraphQLRequest, client, duration, concurrency);
        Console.WriteLine(BenchEnvironment.Ratio($"GraphQL 100 filtered, ordered rows of 1M (c={concurrency})", measured, floor, "req/s", "≥ 0.6"));
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
