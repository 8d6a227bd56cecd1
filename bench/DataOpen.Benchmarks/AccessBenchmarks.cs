using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json;
using DataOpen.Benchmarks.Harness;

namespace DataOpen.Benchmarks;

/// <summary>
/// Issue 6's benchmark: requests/s of a cheap endpoint (GET /api/v1/tiers, no database) sent with an API
/// key, through the key check + rate limiter + usage counter, against the same endpoint with the access
/// middleware removed (DataOpen:Access:Enabled=false), in one run; then with the limits in Redis.
/// Goals: ≥ 0.8 locally, ≥ 0.5 with Redis.
/// Run: dotnet run -c Release --project bench/DataOpen.Benchmarks -- access [seconds] [concurrency]
/// </summary>
public static class AccessBenchmarks
{
    // Limits high enough that the load never hits them: the limiter's cost is measured, not its refusals.
    private static readonly Dictionary<string, string?> Unlimited = new()
    {
        ["DataOpen:Access:Tiers:registered:RatePerSecond"] = "1000000000",
        ["DataOpen:Access:Tiers:registered:Burst"] = "2000000000",
        ["DataOpen:Access:Tiers:registered:DailyQuota"] = "1000000000000",
    };

    public static async Task<int> RunAsync(string[] args)
    {
        var seconds = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 10;
        var concurrency = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 8;
        var duration = TimeSpan.FromSeconds(seconds);
        const string path = "/api/v1/tiers";

        await using var baseline = await BenchEnvironment.StartAsync(rows: 0, settings: new Dictionary<string, string?> { ["DataOpen:Access:Enabled"] = "false" });
        await using var local = await BenchEnvironment.StartAsync(rows: 0, settings: Unlimited);

        using var baselineClient = baseline.CreateClient();
        using var localClient = local.CreateClient();
        var localKey = await NewKeyAsync(localClient);
        baselineClient.DefaultRequestHeaders.Add("X-Api-Key", localKey); // ignored there: the same request bytes
        localClient.DefaultRequestHeaders.Add("X-Api-Key", localKey);
        await AssertLimitedAsync(localClient, path);

        Task<HttpResponseMessage> Get(HttpClient c, CancellationToken ct) => c.GetAsync(new Uri(path, UriKind.Relative), ct);

        // Interleaved to spread the machine's noise over both: baseline, measured, baseline, measured.
        async Task<(double Floor, double Measured)> InterleavedAsync(HttpClient measured)
        {
            var floors = new List<double>();
            var runs = new List<double>();
            for (var round = 0; round < 2; round++)
            {
                floors.Add(await BenchEnvironment.MeasureAsync(Get, baselineClient, duration, concurrency));
                runs.Add(await BenchEnvironment.MeasureAsync(Get, measured, duration, concurrency));
            }

            return (floors.Average(), runs.Average());
        }

        var (floor, withAccess) = await InterleavedAsync(localClient);
        Console.WriteLine(BenchEnvironment.Ratio("access off (same endpoint, key header ignored)", floor, floor, "req/s", "1.0"));
        Console.WriteLine(BenchEnvironment.Ratio("key check + local limiter + usage", withAccess, floor, "req/s", "≥ 0.8"));

        var redisServer = RedisServerPath();
        if (redisServer is null)
        {
            Console.WriteLine("redis-server not found: the Redis figure is skipped (apt-get install redis-server).");
            return 0;
        }

        var port = FreePort();
        var dir = Directory.CreateTempSubdirectory("dataopen-bench-redis-").FullName;
        using var redis = Process.Start(new ProcessStartInfo(redisServer)
        {
            ArgumentList = { "--port", port.ToString(CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", dir },
            RedirectStandardOutput = true,
        })!;
        try
        {
            await WaitForPortAsync(port);
            await using var shared = await BenchEnvironment.StartAsync(rows: 0, settings: new Dictionary<string, string?>(Unlimited)
            {
                ["ConnectionStrings:Redis"] = $"127.0.0.1:{port}",
                // The bench saturates 2 cores: a 250 ms call timeout would trip the breaker and measure local limits instead.
                ["DataOpen:Access:RedisTimeoutMilliseconds"] = "5000",
            });
            using var sharedClient = shared.CreateClient();
            var sharedKey = await NewKeyAsync(sharedClient);
            sharedClient.DefaultRequestHeaders.Add("X-Api-Key", sharedKey);
            await AssertLimitedAsync(sharedClient, path);
            var (redisFloor, withRedis) = await InterleavedAsync(sharedClient);
            var health = await sharedClient.GetFromJsonAsync<JsonElement>("/health/ready");
            Console.WriteLine(BenchEnvironment.Ratio("key check + Redis limiter + usage", withRedis, redisFloor, "req/s", "≥ 0.5"));
            Console.WriteLine("  rate-limit store after the run: " + health.GetProperty("checks").GetProperty("rateLimits").GetString());
        }
        finally
        {
            redis.Kill();
            await redis.WaitForExitAsync();
            Directory.Delete(dir, true);
        }

        return 0;
    }

    private static async Task<string> NewKeyAsync(HttpClient client)
    {
        var response = await client.PostAsJsonAsync("/api/v1/keys", new { name = "bench", email = "bench@example.org" });
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("key").GetString()!;
    }

    /// <summary>The measured path really goes through the limiter: its response carries the RateLimit fields.</summary>
    private static async Task AssertLimitedAsync(HttpClient client, string path)
    {
        using var response = await client.GetAsync(new Uri(path, UriKind.Relative));
        if (!response.IsSuccessStatusCode || !response.Headers.Contains("RateLimit"))
        {
            throw new InvalidOperationException($"{path} answered {(int)response.StatusCode} without RateLimit headers: the access middleware is not in the path.");
        }
    }

    private static readonly string[] RedisServerCandidates = ["/usr/bin/redis-server", "/usr/local/bin/redis-server", "/usr/sbin/redis-server"];

    private static string? RedisServerPath() => RedisServerCandidates.FirstOrDefault(File.Exists);

    private static int FreePort()
    {
        using var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        return ((IPEndPoint)l.LocalEndpoint).Port;
    }

    private static async Task WaitForPortAsync(int port)
    {
        var sw = Stopwatch.StartNew();
        while (sw.Elapsed < TimeSpan.FromSeconds(10))
        {
            try
            {
                using var c = new TcpClient();
                await c.ConnectAsync(IPAddress.Loopback, port);
                return;
            }
            catch (SocketException)
            {
                await Task.Delay(50);
            }
        }

        throw new InvalidOperationException($"redis-server did not listen on {port}.");
    }
}
