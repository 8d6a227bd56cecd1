using System.Globalization;
using System.Text.Json;
using DataOpen.Benchmarks.Harness;
using DataOpen.Core.Catalog;
using DataOpen.Core.Query;
using Microsoft.AspNetCore.Http;
using Npgsql;

namespace DataOpen.Benchmarks.Speed;

/// <summary>
/// The floor: the best the stack can do. A bare Kestrel endpoint in this process runs the same SQL with raw
/// Npgsql on the reader pool, against the same version table with the same indexes, and writes the rows as a
/// JSON array with Utf8JsonWriter. The page SQL is the one DataOpen's engine compiles for the doors' query;
/// the lookups are the shortest SQL there is (<c>WHERE id = $1</c>, <c>WHERE _row_id = $1</c>).
/// </summary>
public static class SpeedFloor
{
    /// <summary>The page query every door serves: <c>station = s</c>, newest first, 100 rows.</summary>
    public static RowQuery PageQuery(TableShape shape, string station) => new(shape)
    {
        Filter = Expr.Eq(Expr.Field("station"), Expr.Const(station)),
        OrderBy = [DataOpen.Core.Query.SortKey.Desc("measured_at")],
        Limit = 100,
    };

    public static async Task<Uri> StartAsync(BenchEnvironment env, TableShape shape)
    {
        var pages = Enumerable.Range(0, AirQualityData.Stations).Select(AirQualityData.Station)
            .ToDictionary(s => s, s => QueryCompiler.Default.Compile(PageQuery(shape, s)), StringComparer.Ordinal);
        var columns = string.Join(", ", shape.Fields.Select(f => Sql.QuoteIdentifier(f.Name)));
        var byId = $"SELECT {columns} FROM {shape.QualifiedName} WHERE id = $1";
        var byRowId = $"SELECT {columns} FROM {shape.QualifiedName} WHERE \"_row_id\" = $1";
        var reader = env.Database.Reader;
        return await env.StartBareEndpointAsync("/floor/{kind}/{arg}", async http =>
        {
            var arg = (string)http.Request.RouteValues["arg"]!;
            var kind = (string)http.Request.RouteValues["kind"]!;
            await using var cmd = kind switch
            {
                "page" => reader.CreateCommand(pages[arg].Sql),
                "id" => reader.CreateCommand(byId),
                _ => reader.CreateCommand(byRowId),
            };
            if (kind == "page")
            {
                cmd.Parameters.AddRange(pages[arg].ToNpgsqlParameters().ToArray());
            }
            else
            {
                cmd.Parameters.Add(new NpgsqlParameter { Value = long.Parse(arg, CultureInfo.InvariantCulture) });
            }

            await using var r = await cmd.ExecuteReaderAsync(http.RequestAborted);
            http.Response.ContentType = "application/json";
            await using var json = new Utf8JsonWriter(http.Response.BodyWriter);
            json.WriteStartArray();
            if (kind == "page")
            {
                await BenchEnvironment.WriteRowObjectsAsync(json, r, pages[arg], http.RequestAborted);
            }
            else
            {
                await WriteAllAsync(json, r, http.RequestAborted);
            }

            json.WriteEndArray();
            await json.FlushAsync(http.RequestAborted);
        });
    }

    /// <summary>EXPLAIN of the floor's page SQL for <paramref name="station"/>, one plan line per output line.</summary>
    public static async Task<IReadOnlyList<string>> ExplainPageAsync(NpgsqlDataSource reader, TableShape shape, string station)
    {
        var compiled = QueryCompiler.Default.Compile(PageQuery(shape, station));
        await using var cmd = reader.CreateCommand("EXPLAIN (COSTS OFF) " + compiled.Sql);
        cmd.Parameters.AddRange(compiled.ToNpgsqlParameters().ToArray());
        var lines = new List<string>();
        await using var r = await cmd.ExecuteReaderAsync();
        while (await r.ReadAsync())
        {
            lines.Add(r.GetString(0));
        }

        return lines;
    }

    private static async Task WriteAllAsync(Utf8JsonWriter json, NpgsqlDataReader r, CancellationToken ct)
    {
        while (await r.ReadAsync(ct))
        {
            json.WriteStartObject();
            for (var i = 0; i < r.FieldCount; i++)
            {
                json.WritePropertyName(r.GetName(i));
                switch (r.IsDBNull(i) ? null : r.GetValue(i))
                {
                    case null: json.WriteNullValue(); break;
                    case long l: json.WriteNumberValue(l); break;
                    case int n: json.WriteNumberValue(n); break;
                    case decimal d: json.WriteNumberValue(d); break;
                    case DateTime t: json.WriteStringValue(t); break;
                    case var v: json.WriteStringValue(Convert.ToString(v, CultureInfo.InvariantCulture)); break;
                }
            }

            json.WriteEndObject();
        }
    }
}
