using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using DataOpen.Api.Publishing;
using DataOpen.Benchmarks.Harness;
using Microsoft.Extensions.DependencyInjection;

namespace DataOpen.Benchmarks.Speed;

/// <summary>
/// Issue 14's benchmark, in the peers' shape: the air-quality table (20 stations, hourly, synthetic) published
/// through the real publisher with 1,000,000 rows (and 10,000,000 with --10m); the page query
/// (<c>station = one of 20</c>, newest first, 100 rows) and one row by id, through REST, OData and GraphQL,
/// against the floor (the same SQL with bare Npgsql on the same table and indexes) and PostGraphile 5 on a
/// copy of the table with one index per column, in the same run; then a cursor page at depth 900,000.
/// Run: dotnet run -c Release --project bench/DataOpen.Benchmarks -- speed [--seconds 10] [--warmup 3] [--clients 8] [--10m] [--no-peer] [--doors floor,REST,OData,GraphQL,PostGraphile] [--no-keys] [--no-pages]
/// </summary>
public static class SpeedBenchmarks
{
    public static async Task<int> RunAsync(string[] args)
    {
        string? Arg(string name) => Array.IndexOf(args, name) is var i and >= 0 && i + 1 < args.Length ? args[i + 1] : null;
        var seconds = double.Parse(Arg("--seconds") ?? "10", CultureInfo.InvariantCulture);
        var warmUp = double.Parse(Arg("--warmup") ?? "3", CultureInfo.InvariantCulture);
        var clients = int.Parse(Arg("--clients") ?? "8", CultureInfo.InvariantCulture);
        // --doors floor,REST,GraphQL measures only those sides (each is still checked against the floor); --no-keys skips the by-key group, --no-pages the page group.
        var doors = Arg("--doors")?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToHashSet(StringComparer.OrdinalIgnoreCase);
        var withKeys = !args.Contains("--no-keys");
        var withPages = !args.Contains("--no-pages");
        var withPeer = !args.Contains("--no-peer") && (doors is null || doors.Contains("PostGraphile"));
        long[] sizes = args.Contains("--10m") ? [1_000_000, 10_000_000] : [1_000_000];

        Console.WriteLine("Machine: " + Machine.Describe());
        if (withPeer)
        {
            await PostGraphilePeer.EnsureInstalledAsync();
        }

        await using var env = await BenchEnvironment.StartAsync(rows: 0);
        int postmaster;
        await using (var cmd = env.Database.Writer.CreateCommand("SELECT pg_backend_pid(), version()"))
        await using (var r = await cmd.ExecuteReaderAsync())
        {
            await r.ReadAsync();
            postmaster = LoadLoop.ParentPid(r.GetInt32(0));
            Console.WriteLine($"PostgreSQL: {r.GetString(1)} (postmaster pid {postmaster}); load: {clients} clients in a closed loop (HttpClient in a child process), {warmUp:F0} s warm-up + {seconds:F0} s per side, loopback");
        }

        var report = new SpeedReport(seconds, clients);
        foreach (var rows in sizes)
        {
            var id = AirQualityData.DatasetId(rows);
            var csv = await AirQualityData.EnsureCsvAsync(env.Database.Writer, rows);
            var publishSeconds = await AirQualityData.PublishAsync(env.Services.GetRequiredService<DatasetPublisher>(), id, csv, rows);
            var version = env.Catalog.Current.Find(id)!.Current!;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"\n== {id}: {rows:N0} rows published in {publishSeconds:F1} s (table {version.Shape.QualifiedName}); its indexes (pg_indexes):"));
            // After a publish the service writes the new version once in every download format for its sizes and
            // hashes (up to DataOpen:Digests:MaxRows rows): minutes of CPU that must not overlap a measured side.
            var digestSeconds = await env.WaitForDigestsAsync(id);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"   download digests after the publish: {digestSeconds:F1} s"));
            foreach (var (name, def) in await Indexes.OfAsync(env.Database.Writer, version.Shape.Schema, version.Shape.Table))
            {
                Console.WriteLine($"   {name}: {def}");
            }

            Console.WriteLine("   plan of the page SQL: " + string.Join(" | ", (await SpeedFloor.ExplainPageAsync(env.Database.Reader, version.Shape, "S07")).Select(l => l.Trim())));
            var floor = await SpeedFloor.StartAsync(env, version.Shape);
            PostGraphilePeer? peer = null;
            if (withPeer)
            {
                var schema = $"pgl_{rows / 1_000_000}m";
                var copy = await PostGraphilePeer.CopyTableAsync(env.Database.Writer, version.Shape, schema);
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"   PostGraphile's copy {schema}.air_quality with one B-tree index per column built in {copy:F1} s"));
                peer = await PostGraphilePeer.StartAsync(env.Database.WriterConnectionString!, schema);
            }

            try
            {
                var sides = new SpeedSides(env, id, rows, floor, peer);
                var groups = new List<List<Side>>();
                if (withPages)
                {
                    groups.Add(await sides.PageSidesAsync());
                }

                if (withKeys)
                {
                    groups.Add(await sides.KeySidesAsync());
                }

                foreach (var group in groups)
                {
                    foreach (var side in group.Where(s => doors is null || doors.Contains(s.Door)))
                    {
                        if (side.NotAvailable is not null)
                        {
                            report.Add(rows, side, null);
                            continue;
                        }

                        var spec = new LoadSpec(side.BaseAddress!.ToString(), clients, seconds, warmUp, side.Requests);
                        try
                        {
                            report.Add(rows, side, await LoadLoop.RunAsync(spec, side.Pid, postmaster));
                        }
                        catch (InvalidOperationException e)
                        {
                            report.Add(rows, side with { NotAvailable = "failed under load: " + e.Message }, null);
                        }
                    }
                }

                await DeepPageAsync(env, id, report, rows);
            }
            finally
            {
                if (peer is not null)
                {
                    await peer.DisposeAsync();
                }
            }
        }

        report.PrintSummary();
        return 0;
    }

    /// <summary>
    /// REST cursor page at depth 900,000 against the first page of the same query, median of 200 sequential
    /// requests each. One station holds 50,000 rows of the 1M table (500,000 of the 10M one), so the station
    /// filter is <c>station[in]</c> of 19 of the 20 stations: 950,000 (9,500,000) matches, newest first.
    /// </summary>
    private static async Task DeepPageAsync(BenchEnvironment env, string id, SpeedReport report, long rows)
    {
        using var client = env.CreateClient();
        var stations = string.Join(',', Enumerable.Range(0, AirQualityData.Stations - 1).Select(AirQualityData.Station));
        var first = $"/api/v1/datasets/{id}/rows?station[in]={stations}&order=-measured_at&limit=100";
        using var deepResponse = await client.GetAsync(first + "&offset=899900");
        var deep = JsonDocument.Parse(await deepResponse.Content.ReadAsStringAsync()).RootElement;
        if (!deepResponse.IsSuccessStatusCode || !deep.TryGetProperty("next", out var next))
        {
            report.Deep(rows, double.NaN, double.NaN, $"not available: {(int)deepResponse.StatusCode} {deep.GetRawText()[..Math.Min(200, deep.GetRawText().Length)]}");
            return;
        }

        report.Deep(rows, await MedianMsAsync(client, first), await MedianMsAsync(client, next.GetString()!), null);
    }

    private static async Task<double> MedianMsAsync(HttpClient client, string url)
    {
        var times = new List<double>();
        for (var i = 0; i < 220; i++)
        {
            var sw = Stopwatch.StartNew();
            using var response = await client.GetAsync(url);
            await response.Content.CopyToAsync(Stream.Null);
            response.EnsureSuccessStatusCode();
            if (i >= 20)
            {
                times.Add(sw.Elapsed.TotalMilliseconds);
            }
        }

        times.Sort();
        return times[times.Count / 2];
    }
}
