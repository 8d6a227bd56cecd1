using System.Buffers;
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
        var pageParameters = pages.ToDictionary(p => p.Key, p => p.Value.ToNpgsqlParameters().ToArray(), StringComparer.Ordinal);
        var rowWriter = new FloorRows(shape.Fields.Select(f => f.Name), Enumerable.Range(0, shape.Fields.Count));
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
                // Parameter values are the same on every request of a station: clone the prepared ones.
                foreach (var p in pageParameters[arg])
                {
                    cmd.Parameters.Add(p.Clone());
                }
            }
            else
            {
                cmd.Parameters.Add(new NpgsqlParameter<long> { TypedValue = long.Parse(arg, CultureInfo.InvariantCulture) });
            }

            // The answer is small: written to a buffer and sent in one write with its Content-Length.
            var buffer = new ArrayBufferWriter<byte>(kind == "page" ? 32_768 : 1_024);
            await using (var r = await cmd.ExecuteReaderAsync(http.RequestAborted))
            {
                using var json = new Utf8JsonWriter(buffer);
                json.WriteStartArray();
                await (kind == "page" ? FloorRows.Of(pages[arg]).WriteAsync(json, r, pages[arg].PageSize, http.RequestAborted) : rowWriter.WriteAsync(json, r, int.MaxValue, http.RequestAborted));
                json.WriteEndArray();
            }

            http.Response.ContentType = "application/json";
            http.Response.ContentLength = buffer.WrittenCount;
            await http.Response.Body.WriteAsync(buffer.WrittenMemory, http.RequestAborted);
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
}
