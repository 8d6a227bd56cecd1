using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using DataOpen.Api.Infrastructure;
using DataOpen.Benchmarks.Harness;
using DataOpen.Core.Catalog;
using DataOpen.Core.Query;
using DataOpen.Core.Query.Rest;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace DataOpen.Benchmarks;

/// <summary>
/// Issue 3's benchmarks on bench-1m, each against a floor measured in the same run:
/// (a) requests/s of a filtered, ordered 100-row page vs the same SQL on a bare Kestrel + Npgsql endpoint;
/// (b) the full CSV download vs psql \copy (SELECT …) TO STDOUT, and the service's peak memory growth
///     while downloading 1M and 4M rows; (c) a page at depth 900,000 by cursor vs the first page.
/// </summary>
public static class RestBenchmarks
{
    private const string PageQuery = "?pm25[gt]=250&order=-observed_at&limit=100";

    public static async Task<int> RunAsync(string[] args)
    {
        var seconds = args.Length > 0 ? double.Parse(args[0], CultureInfo.InvariantCulture) : 10;
        var withFourMillion = !args.Contains("--skip-4m");
        await using var env = await BenchEnvironment.StartAsync();
        using var client = env.CreateClient();
        var shape = env.Dataset.Current!.Shape;

        // (a) The same compiled SQL, served by a bare endpoint writing the same JSON rows.
        var query = RestQueryParser.Parse(shape, [new("pm25[gt]", "250"), new("order", "-observed_at"), new("limit", "100")]);
        var compiled = QueryCompiler.Default.Compile(query);
        var reader = env.Services.GetRequiredService<Database>().Reader;
        var bare = await env.StartBareEndpointAsync("/page", async http =>
        {
            await using var cmd = reader.CreateCommand(compiled.Sql);
            cmd.Parameters.AddRange(compiled.ToNpgsqlParameters().ToArray());
            await using var r = await cmd.ExecuteReaderAsync(http.RequestAborted);
            http.Response.ContentType = "application/json";
            await using var json = new Utf8JsonWriter(http.Response.Body);
            json.WriteStartArray();
            await BenchEnvironment.WriteRowObjectsAsync(json, r, compiled, http.RequestAborted);
            json.WriteEndArray();
            await json.FlushAsync(http.RequestAborted);
        });
        using var bareClient = new HttpClient { BaseAddress = bare };
        var duration = TimeSpan.FromSeconds(seconds);
        var floorRps = await BenchEnvironment.MeasureAsync((c, ct) => c.GetAsync("/page", HttpCompletionOption.ResponseHeadersRead, ct), bareClient, duration);
        var restRps = await BenchEnvironment.MeasureAsync((c, ct) => c.GetAsync($"/api/v1/datasets/{BenchEnvironment.DatasetId}/rows{PageQuery}", HttpCompletionOption.ResponseHeadersRead, ct), client, duration);
        Console.WriteLine(BenchEnvironment.Ratio("(a) filtered, ordered 100-row page", restRps, floorRps, "req/s", "≥ 0.7"));

        // (b) Full CSV download vs psql \copy of the same SELECT.
        var table = env.Dataset.Current!.Shape.QualifiedName;
        var columns = string.Join(", ", shape.Fields.Select(f => Sql.QuoteIdentifier(f.Name)));
        var psql = new List<double>();
        var ours = new List<double>();
        for (var run = 0; run < 3; run++)
        {
            psql.Add(await env.PsqlAsync($"\\copy (SELECT {columns} FROM {table} ORDER BY \"_row_id\") TO STDOUT WITH (FORMAT csv)"));
            ours.Add((await DownloadAsync(client, 1_000_000)).Seconds);
        }

        Console.WriteLine(BenchEnvironment.Ratio("(b) full CSV download, 1M rows (rows/s)", 1_000_000 / ours.Min(), 1_000_000 / psql.Min(), "rows/s", "≥ 0.8"));

        // (c) Depth 900,000 by cursor vs the first page (default order: the source order, keyset on the primary key).
        var deep = await client.GetFromJsonAsync($"/api/v1/datasets/{BenchEnvironment.DatasetId}/rows?offset=899900&limit=100");
        var deepUrl = deep.GetProperty("next").GetString()!;
        var firstUrl = $"/api/v1/datasets/{BenchEnvironment.DatasetId}/rows?limit=100";
        var firstMs = await MedianMsAsync(client, firstUrl);
        var deepMs = await MedianMsAsync(client, deepUrl);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{"(c) page at depth 900,000 by cursor (median ms)",-48} {deepMs,12:F2} ms       first {firstMs,12:F2}  ratio {deepMs / firstMs,6:F2}  (goal ≤ 2)"));

        // Peak memory growth of the service while downloading 1M rows, then 4M rows (a new version).
        // The goal compares peak memory (the service process's resident set at its highest during the
        // download); the growth over the pre-download baseline is printed too, to show it stays a few MB.
        var (_, growth1, peak1) = await DownloadAsync(client, 1_000_000);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{"peak RSS during a 1M-row CSV download",-48} {peak1 / 1e6,12:F1} MB  (growth {growth1 / 1e6:F1} MB)"));
        if (withFourMillion)
        {
            await env.PublishBenchDatasetAsync(4_000_000);
            var (_, growth4, peak4) = await DownloadAsync(client, 4_000_000);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{"peak RSS during a 4M-row CSV download",-48} {peak4 / 1e6,12:F1} MB  (growth {growth4 / 1e6:F1} MB)  ratio {(double)peak4 / peak1,6:F2}  (goal ≤ 1.2)"));
        }

        return 0;
    }

    /// <summary>
    /// Downloads the current version as CSV and counts its lines. Memory: the process's resident set is
    /// sampled every 5 ms from /proc/self/status during the download (after a full GC) and the peak
    /// minus the starting value is reported; the client side only copies into a 80 KB buffer.
    /// </summary>
    private static async Task<(double Seconds, long RssGrowth, long PeakRss)> DownloadAsync(HttpClient client, long expectedRows)
    {
        GC.Collect(2, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        var baseline = BenchEnvironment.CurrentRss();
        var peak = baseline;
        using var stop = new CancellationTokenSource();
        var sampler = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                peak = Math.Max(peak, BenchEnvironment.CurrentRss());
                await Task.Delay(5);
            }
        });
        var sw = Stopwatch.StartNew();
        using var response = await client.GetAsync($"/api/v1/datasets/{BenchEnvironment.DatasetId}/download?format=csv", HttpCompletionOption.ResponseHeadersRead);
        response.EnsureSuccessStatusCode();
        await using var body = await response.Content.ReadAsStreamAsync();
        var buffer = new byte[81920];
        long lines = 0;
        int read;
        while ((read = await body.ReadAsync(buffer)) > 0)
        {
            lines += buffer.AsSpan(0, read).Count((byte)'\n');
        }

        sw.Stop();
        await stop.CancelAsync();
        await sampler;
        if (lines != expectedRows + 1)
        {
            throw new InvalidOperationException($"expected {expectedRows + 1} lines, got {lines}");
        }

        return (sw.Elapsed.TotalSeconds, peak - baseline, peak);
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

    private static async Task<JsonElement> GetFromJsonAsync(this HttpClient client, string url)
    {
        using var response = await client.GetAsync(url);
        var text = await response.Content.ReadAsStringAsync();
        return response.IsSuccessStatusCode ? JsonDocument.Parse(text).RootElement.Clone() : throw new InvalidOperationException($"{url}: {(int)response.StatusCode} {text}");
    }
}
