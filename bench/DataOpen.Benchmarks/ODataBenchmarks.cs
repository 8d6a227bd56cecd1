using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using DataOpen.Api.Rows;
using DataOpen.Api.Infrastructure;
using DataOpen.Api.OData;
using DataOpen.Benchmarks.Harness;
using DataOpen.Core.Catalog;
using DataOpen.Core.Query;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace DataOpen.Benchmarks;

/// <summary>
/// Issue 4's benchmark on bench-1m (1,000,000 rows): requests/s of a $filter+$orderby+$top=100 query and
/// of a $apply=groupby query through the OData feed, each against the same SQL (compiled by the same
/// engine) served by a bare Kestrel + Npgsql endpoint in the same run; and the time to walk every
/// nextLink page of the dataset against a CSV download of it from the service (psql's CSV export of the
/// same rows, and a walk of as many pages of the same bytes served from memory by a bare endpoint, are
/// printed beside it for reference).
/// Run: dotnet run -c Release --project bench/DataOpen.Benchmarks -- odata [rows] [seconds]
/// </summary>
public static class ODataBenchmarks
{
    /// <summary>Rounds of the walk and its floors; each side's best counts. On a shared 2-core machine single runs vary by ±20 %.</summary>
    private const int Rounds = 5;

    /// <summary>
    /// Untimed rounds first, of every side alike. In a fresh process the first million rows run in tier-0 and
    /// instrumented code: on 2 busy cores the JIT needs about three walks to finish promoting the walk's
    /// methods (spike of 2026-12-06: walks 6.8, 3.7, 2.5, then 1.5–1.7 s, with the same figure in CPU), which
    /// a service that has been up for a while has long done. The cold walk is printed as a reference.
    /// </summary>
    private const int WarmUpRounds = 3;

    public static async Task<int> RunAsync(string[] args)
    {
        var rows = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 1_000_000;
        var seconds = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 20;
        var duration = TimeSpan.FromSeconds(seconds);
        await using var env = await BenchEnvironment.StartAsync(rows);
        var set = ODataModel.EntitySetName(BenchEnvironment.DatasetId);
        var shape = env.Dataset.Current!.Shape;
        var reader = env.Services.GetRequiredService<Database>().Reader;
        using var client = env.CreateClient();
        Console.WriteLine($"bench-1m: {env.Dataset.Current.RowCount:N0} rows, entity set {set}");

        // The same SQL the feed runs: the engine compiles these RowQuery values for both sides.
        var filterQuery = new RowQuery(shape)
        {
            Filter = Expr.And(Expr.Eq(Expr.Field("station"), Expr.Const("S007")), Expr.Gt(Expr.Field("pm25"), Expr.Const(250m))),
            OrderBy = [DataOpen.Core.Query.SortKey.Desc("observed_at")],
            Select = shape.Fields.Select(f => f.Name).ToArray(),
            Limit = 100,
        };
        var groupQuery = new RowQuery(shape)
        {
            GroupBy = ["station"],
            Aggregates = [Aggregate.Avg("pm25", "avg_pm25"), Aggregate.Count("n")],
            Limit = 1000,
        };
        var bare = await env.StartBareEndpointAsync("/q/{name}", async http =>
        {
            var compiled = QueryCompiler.Default.Compile((string?)http.Request.RouteValues["name"] == "group" ? groupQuery : filterQuery);
            await BareJsonAsync(http, reader, compiled);
        });
        using var bareClient = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 64 }) { BaseAddress = bare };

        var filterUrl = $"/odata/{set}?$filter={Uri.EscapeDataString("station eq 'S007' and pm25 gt 250")}&$orderby=observed_at desc&$top=100";
        var groupUrl = $"/odata/{set}?$apply={Uri.EscapeDataString("groupby((station),aggregate(pm25 with average as avg_pm25,$count as n))")}";
        await CheckSameRowsAsync(client, filterUrl, bareClient, "/q/filter");
        await CheckSameRowsAsync(client, groupUrl, bareClient, "/q/group");

        var odataFilter = await BenchEnvironment.MeasureAsync((c, ct) => c.GetAsync(filterUrl, ct), client, duration);
        var bareFilter = await BenchEnvironment.MeasureAsync((c, ct) => c.GetAsync("/q/filter", ct), bareClient, duration);
        Console.WriteLine(BenchEnvironment.Ratio("$filter+$orderby+$top=100 (req/s)", odataFilter, bareFilter, "req/s", "≥ 0.6"));

        var odataGroup = await BenchEnvironment.MeasureAsync((c, ct) => c.GetAsync(groupUrl, ct), client, duration);
        var bareGroup = await BenchEnvironment.MeasureAsync((c, ct) => c.GetAsync("/q/group", ct), bareClient, duration);
        Console.WriteLine(BenchEnvironment.Ratio("$apply=groupby (req/s)", odataGroup, bareGroup, "req/s", "≥ 0.6"));

        // Walk: every page of the default size (1,000) and of the largest (10,000), against a CSV download
        // of the whole dataset from the service (GET …/download?format=csv, the issue's floor), with psql's
        // CSV export of the same rows shown beside it. Runs alternate so the machine's noise falls on all.
        var table = $"data.{Sql.QuoteIdentifier(env.Dataset.Current.TableName)}";
        var columns = string.Join(", ", shape.Fields.Select(f => Sql.QuoteIdentifier(f.Name)));
        var csvTimes = new List<double>();
        var psqlTimes = new List<double>();

        // Reference: a walk of as many pages of the same bytes (the feed's first page, nextLink aside) served
        // from memory by a bare endpoint: what HTTP and the client cost with no query and no JSON writing.
        var firstPage = await client.GetByteArrayAsync($"/odata/{set}");
        var body = firstPage.AsSpan(0, firstPage.AsSpan().LastIndexOf(Encoding.UTF8.GetBytes(",\"@odata.nextLink\""))).ToArray();
        var pageCount = (int)((env.Dataset.Current.RowCount + 999) / 1000);
        var memoryPages = await env.StartBareEndpointAsync("/pages/{n:int}", async http =>
        {
            var n = int.Parse((string)http.Request.RouteValues["n"]!, CultureInfo.InvariantCulture);
            http.Response.ContentType = "application/json";
            await http.Response.Body.WriteAsync(body);
            var end = n + 1 < pageCount ? $",\"@odata.nextLink\":\"http://{http.Request.Host}/pages/{n + 1}\"}}" : "}";
            await http.Response.Body.WriteAsync(Encoding.UTF8.GetBytes(end));
        });
        using var memoryClient = new HttpClient { BaseAddress = memoryPages };
        var memoryTimes = new List<double>();
        var walks = new Dictionary<int, List<double>> { [1000] = [], [10_000] = [] };
        for (var round = 0; round < WarmUpRounds; round++)
        {
            var csv = await DownloadCsvAsync(client, env.Dataset.Current.RowCount);
            var (walk, walkRows, _) = await WalkAsync(client, $"/odata/{set}", 1000);
            var (bigWalk, bigWalkRows, _) = await WalkAsync(client, $"/odata/{set}", 10_000);
            var (memory, _, _) = await WalkAsync(memoryClient, "/pages/0", 1000);
            if (walkRows != env.Dataset.Current.RowCount || bigWalkRows != walkRows)
            {
                throw new InvalidOperationException($"warm-up walks saw {walkRows} and {bigWalkRows} rows, expected {env.Dataset.Current.RowCount}");
            }

            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  warm-up {round + 1} (untimed): walk page size 1000 {walk:F2} s, page size 10000 {bigWalk:F2} s; CSV download {csv:F2} s, pages from memory {memory:F2} s"));
        }

        for (var round = 0; round < Rounds; round++)
        {
            csvTimes.Add(await DownloadCsvAsync(client, env.Dataset.Current.RowCount));
            psqlTimes.Add(await env.PsqlAsync($"COPY (SELECT {columns} FROM {table} ORDER BY _row_id) TO STDOUT WITH (FORMAT csv, HEADER)"));
            var (memoryTime, memoryRows, _) = await WalkAsync(memoryClient, "/pages/0", 1000);
            if (memoryRows != pageCount * 1000L)
            {
                throw new InvalidOperationException($"the walk of pages from memory saw {memoryRows} rows");
            }

            memoryTimes.Add(memoryTime);
            foreach (var (pageSize, times) in walks)
            {
                var cpu = System.Diagnostics.Process.GetCurrentProcess().TotalProcessorTime;
                var (time, count, bytes) = await WalkAsync(client, $"/odata/{set}", pageSize);
                cpu = System.Diagnostics.Process.GetCurrentProcess().TotalProcessorTime - cpu;
                if (count != env.Dataset.Current.RowCount)
                {
                    throw new InvalidOperationException($"walk saw {count} rows, expected {env.Dataset.Current.RowCount}");
                }

                times.Add(time);
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  walk page size {pageSize}: {time:F2} s (CPU of this process {cpu.TotalSeconds:F2} s), {bytes / 1e6:F0} MB JSON; CSV download {csvTimes[^1]:F2} s, psql {psqlTimes[^1]:F2} s, pages from memory {memoryTimes[^1]:F2} s"));
            }
        }

        var readAhead = env.Services.GetRequiredService<PageReadAhead>();
        Console.WriteLine($"  read-ahead: {readAhead.Hits:N0} pages served from memory ({readAhead.Waited:N0} of them still being read) in {readAhead.Queries:N0} background queries, {readAhead.Misses:N0} queried by their request");
        foreach (var (pageSize, times) in walks)
        {
            Console.WriteLine(BenchEnvironment.Ratio($"walk all pages, page size {pageSize} (s, best)", times.Min(), csvTimes.Min(), "s", "≤ 2 vs CSV download"));
            Console.WriteLine(BenchEnvironment.Ratio($"  the same against psql's CSV export", times.Min(), psqlTimes.Min(), "s", "(reference)"));
        }

        Console.WriteLine(BenchEnvironment.Ratio("  walk page size 1000 against the same bytes from memory", walks[1000].Min(), memoryTimes.Min(), "s", "(reference)"));

        return 0;
    }

    /// <summary>The floor: run the compiled SQL and write rows as a JSON array, nothing else.</summary>
    private static async Task BareJsonAsync(HttpContext http, NpgsqlDataSource reader, CompiledQuery compiled)
    {
        await using var conn = await reader.OpenConnectionAsync(http.RequestAborted);
        await using var cmd = new NpgsqlCommand(compiled.Sql, conn);
        cmd.Parameters.AddRange(compiled.ToNpgsqlParameters().ToArray());
        await using var r = await cmd.ExecuteReaderAsync(http.RequestAborted);
        http.Response.ContentType = "application/json";
        await using var json = new Utf8JsonWriter(http.Response.BodyWriter);
        json.WriteStartObject();
        json.WriteStartArray("value");
        await BenchEnvironment.WriteRowObjectsAsync(json, r, compiled, http.RequestAborted);
        json.WriteEndArray();
        json.WriteEndObject();
    }

    private static async Task CheckSameRowsAsync(HttpClient odata, string odataUrl, HttpClient bare, string bareUrl)
    {
        var a = JsonDocument.Parse(await odata.GetStringAsync(odataUrl)).RootElement.GetProperty("value").GetArrayLength();
        var b = JsonDocument.Parse(await bare.GetStringAsync(bareUrl)).RootElement.GetProperty("value").GetArrayLength();
        if (a != b || a == 0)
        {
            throw new InvalidOperationException($"{odataUrl} returned {a} rows, the bare endpoint {b}");
        }
    }

    private static readonly byte[] NextLinkKey = Encoding.UTF8.GetBytes("\"@odata.nextLink\":\"");
    private static readonly byte[] RowIdKey = Encoding.UTF8.GetBytes("{\"RowId\":");

    /// <summary>
    /// Follows nextLinks like Power Query does. Reads each page as a stream through one reusable buffer, as the
    /// CSV download is read, counting rows by their RowId property and keeping the page's tail to find the
    /// nextLink, so the client's own cost stays small and the same for both sides.
    /// </summary>
    private static async Task<(double Seconds, long Rows, long Bytes)> WalkAsync(HttpClient client, string start, int pageSize)
    {
        var sw = Stopwatch.StartNew();
        string? url = start;
        long rows = 0, bytes = 0;
        var buffer = new byte[(1 << 16) + RowIdKey.Length];
        var tail = new byte[8192];
        while (url is not null)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, url);
            request.Headers.TryAddWithoutValidation("Prefer", "odata.maxpagesize=" + pageSize.ToString(CultureInfo.InvariantCulture));
            using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
            response.EnsureSuccessStatusCode();
            await using var body = await response.Content.ReadAsStreamAsync();
            var carried = 0; // bytes kept from the previous chunk, so a key split across chunks is still seen
            var tailLength = 0;
            int n;
            while ((n = await body.ReadAsync(buffer.AsMemory(carried, buffer.Length - carried))) > 0)
            {
                bytes += n;
                var span = buffer.AsSpan(0, carried + n);
                rows += Count(span, RowIdKey);
                var fresh = span[carried..];
                if (fresh.Length >= tail.Length)
                {
                    fresh[^tail.Length..].CopyTo(tail);
                    tailLength = tail.Length;
                }
                else
                {
                    var drop = Math.Max(0, tailLength + fresh.Length - tail.Length);
                    tail.AsSpan(drop, tailLength - drop).CopyTo(tail);
                    tailLength -= drop;
                    fresh.CopyTo(tail.AsSpan(tailLength));
                    tailLength += fresh.Length;
                }

                carried = Math.Min(RowIdKey.Length - 1, span.Length);
                span[^carried..].CopyTo(buffer);
            }

            var end = tail.AsSpan(0, tailLength);
            var at = end.LastIndexOf(NextLinkKey);
            url = at < 0 ? null : Encoding.UTF8.GetString(end[(at + NextLinkKey.Length)..][..end[(at + NextLinkKey.Length)..].IndexOf((byte)'"')]);
        }

        return (sw.Elapsed.TotalSeconds, rows, bytes);
    }

    /// <summary>Seconds to download the whole dataset as CSV from the REST door, checking the row count.</summary>
    private static async Task<double> DownloadCsvAsync(HttpClient client, long expectedRows)
    {
        var sw = Stopwatch.StartNew();
        using var response = await client.GetAsync($"/api/v1/datasets/{BenchEnvironment.DatasetId}/download?format=csv", HttpCompletionOption.ResponseHeadersRead);
        response.EnsureSuccessStatusCode();
        await using var body = await response.Content.ReadAsStreamAsync();
        var buffer = new byte[1 << 16];
        long lines = 0;
        int n;
        while ((n = await body.ReadAsync(buffer)) > 0)
        {
            lines += buffer.AsSpan(0, n).Count((byte)'\n');
        }

        var seconds = sw.Elapsed.TotalSeconds;
        // Every field of bench-1m is one line long: the header and one line per row.
        return lines == expectedRows + 1 ? seconds : throw new InvalidOperationException($"the CSV download had {lines} lines, expected {expectedRows + 1}");
    }

    private static int Count(ReadOnlySpan<byte> body, ReadOnlySpan<byte> key)
    {
        var n = 0;
        for (var at = body.IndexOf(key); at >= 0; at = body.IndexOf(key))
        {
            n++;
            body = body[(at + key.Length)..];
        }

        return n;
    }
}
