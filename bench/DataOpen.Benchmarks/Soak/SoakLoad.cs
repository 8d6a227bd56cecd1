using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using DataOpen.Api.OData;
using DataOpen.Benchmarks.Harness;

namespace DataOpen.Benchmarks.Soak;

/// <summary>One kind of request a soak client sends, built fresh for each send (random station, category or threshold).</summary>
public sealed record SoakRequest(string Door, Func<Random, HttpRequestMessage> Build);

/// <summary>What one door saw in the timed part: latencies to the last byte (ms), statuses, and failures without a status (broken streams, timeouts).</summary>
public sealed class DoorStats
{
    private readonly List<double> latencies = [];

    public ConcurrentDictionary<int, long> Statuses { get; } = new();

    private long failures;
    private string? firstFailure;

    public long Failures => Interlocked.Read(ref failures);

    public string? FirstFailure => Volatile.Read(ref firstFailure);

    public void Fail(string what)
    {
        Interlocked.Increment(ref failures);
        Interlocked.CompareExchange(ref firstFailure, what, null);
    }

    public void Add(int status, double ms)
    {
        Statuses.AddOrUpdate(status, 1, (_, n) => n + 1);
        lock (latencies)
        {
            latencies.Add(ms);
        }
    }

    public long Count => Statuses.Values.Sum();

    public long CountWhere(Func<int, bool> status) => Statuses.Where(s => status(s.Key)).Sum(s => s.Value);

    public double Percentile(double q)
    {
        lock (latencies)
        {
            if (latencies.Count == 0)
            {
                return double.NaN;
            }

            var sorted = latencies.Order().ToList();
            return sorted[Math.Min(sorted.Count - 1, (int)(q * sorted.Count))];
        }
    }
}

/// <summary>
/// The soak's clients: a closed loop each, half of them on instance A and half on B, each with one of the API keys,
/// cycling through REST rows, OData, GraphQL and downloads (filtered CSV and JSON) of bench-1m. Every response body is
/// read to its end; a response that ends badly counts as a failure of its door.
/// </summary>
public static class SoakLoad
{
    public static readonly string[] Doors = ["rest", "odata", "graphql", "download"];

    public static IReadOnlyList<SoakRequest> Mix(string graphqlField)
    {
        var id = BenchEnvironment.DatasetId;
        var set = ODataModel.EntitySetName(id);
        static string Station(Random r) => "S" + r.Next(50).ToString("D3", CultureInfo.InvariantCulture);
        static HttpRequestMessage Get(string path) => new(HttpMethod.Get, path);
        HttpRequestMessage GraphQL(string query)
        {
            var message = new HttpRequestMessage(HttpMethod.Post, "graphql") { Content = new StringContent(JsonSerializer.Serialize(new { query }), Encoding.UTF8, "application/json") };
            message.Headers.Accept.ParseAdd("application/graphql-response+json");
            return message;
        }

        return
        [
            new("rest", r => Get($"api/v1/datasets/{id}/rows?station={Station(r)}&limit=50")),
            new("odata", r => Get($"odata/{set}?$filter={Uri.EscapeDataString($"station eq '{Station(r)}' and pm25 gt {r.Next(400)}")}&$top=50")),
            new("graphql", r => GraphQL($"{{ {graphqlField}(filter: {{ station: {{ eq: \"{Station(r)}\" }} }}, first: 50) {{ nodes {{ id station observed_at pm25 valid }} }} }}")),
            new("download", r => Get($"api/v1/datasets/{id}/download?format=csv&station={Station(r)}")),
            new("rest", r => Get($"api/v1/datasets/{id}/rows?version=1&category=cat-{r.Next(7)}&pm25[gt]={r.Next(450)}&order=-observed_at&limit=20&select=id,station,observed_at,pm25")),
            new("odata", r => Get($"odata/{set}?$filter={Uri.EscapeDataString($"category eq 'cat-{r.Next(7)}'")}&$select=id,pm25,day&$orderby=id desc&$top=100")),
            new("graphql", r => GraphQL($"{{ {graphqlField}(filter: {{ category: {{ eq: \"cat-{r.Next(7)}\" }} }}, orderBy: [{{ field: id, direction: DESC }}], first: 20) {{ nodes {{ id category reading day }} }} }}")),
            new("download", r => Get($"api/v1/datasets/{id}/download?format=json&station={Station(r)}&select=id,observed_at,pm25")),
        ];
    }

    /// <summary>
    /// Runs <paramref name="clients"/> clients until <paramref name="stop"/>; requests that finish after
    /// <paramref name="timedFrom"/> (a Stopwatch timestamp) are counted. Returns the stats per door.
    /// </summary>
    public static async Task<Dictionary<string, DoorStats>> RunAsync(IReadOnlyList<Uri> instances, IReadOnlyList<string> keys, int clients,
        IReadOnlyList<SoakRequest> mix, long timedFrom, CancellationToken stop)
    {
        var stats = Doors.ToDictionary(d => d, _ => new DoorStats(), StringComparer.Ordinal);
        var http = instances.Select(u => new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = clients, PooledConnectionLifetime = Timeout.InfiniteTimeSpan })
        {
            BaseAddress = u,
            Timeout = TimeSpan.FromMinutes(2),
        }).ToList();
        try
        {
            await Task.WhenAll(Enumerable.Range(0, clients).Select(c => Task.Run(() => ClientAsync(c, http[c % http.Count], keys[c % keys.Count], mix, stats, timedFrom, stop))));
        }
        finally
        {
            http.ForEach(h => h.Dispose());
        }

        return stats;
    }

    private static async Task ClientAsync(int client, HttpClient http, string key, IReadOnlyList<SoakRequest> mix, Dictionary<string, DoorStats> stats, long timedFrom, CancellationToken stop)
    {
        var random = new Random(client);
        var buffer = new byte[16384];
        var next = client;
        while (!stop.IsCancellationRequested)
        {
            var kind = mix[next++ % mix.Count];
            using var request = kind.Build(random);
            request.Headers.Add("X-Api-Key", key);
            var started = Stopwatch.GetTimestamp();
            try
            {
                using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, stop);
                await using (var body = await response.Content.ReadAsStreamAsync(stop))
                {
                    while (await body.ReadAsync(buffer, stop) > 0)
                    {
                    }
                }

                if (started >= timedFrom)
                {
                    stats[kind.Door].Add((int)response.StatusCode, Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                }
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex) when (ex is HttpRequestException or IOException or TaskCanceledException)
            {
                if (started >= timedFrom)
                {
                    stats[kind.Door].Fail($"{request.Method} {request.RequestUri}: {ex.GetType().Name}: {ex.Message}");
                }
            }
        }
    }
}
