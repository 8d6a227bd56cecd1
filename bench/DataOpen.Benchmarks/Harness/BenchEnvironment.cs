using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using DataOpen.Api.Catalog;
using DataOpen.Api.Infrastructure;
using DataOpen.Api.Publishing;
using DataOpen.Core.Catalog;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace DataOpen.Benchmarks.Harness;

/// <summary>
/// One benchmark run's world: a throwaway PostgreSQL cluster, the DataOpen service on a real Kestrel
/// port (not TestServer: requests cross real sockets), and the benchmark dataset <c>bench-1m</c>
/// (generated CSV, 8 typed columns, published through the real publisher).
/// </summary>
public sealed class BenchEnvironment : IAsyncDisposable
{
    public const string DatasetId = "bench-1m";

    private readonly Factory factory;
    private readonly List<WebApplication> bareApps = [];

    private BenchEnvironment(Factory factory, Uri baseAddress)
    {
        this.factory = factory;
        BaseAddress = baseAddress;
    }

    public Uri BaseAddress { get; }

    public IServiceProvider Services => factory.Services;

    public Database Database => Services.GetRequiredService<Database>();

    public CatalogStore Catalog => Services.GetRequiredService<CatalogStore>();

    public DatasetEntry Dataset => Catalog.Current.Find(DatasetId)!;

    public string? CsvPath { get; private set; }

    /// <summary>Starts the cluster and the service; publishes <c>bench-1m</c> with <paramref name="rows"/> rows unless 0.</summary>
    public static async Task<BenchEnvironment> StartAsync(int rows = 1_000_000, IEnumerable<KeyValuePair<string, string?>>? settings = null)
    {
        // Outside a test project there is no MvcTestingAppManifest.json: name the content root.
        Environment.SetEnvironmentVariable("ASPNETCORE_TEST_CONTENTROOT_DATAOPEN_API",
            Path.Combine(RepoPaths.RepositoryRoot ?? Directory.GetCurrentDirectory(), "src", "DataOpen.Api"));
        var factory = new Factory(settings ?? []);
        factory.UseKestrel(0);
        factory.StartServer();
        var client = factory.CreateClient();
        var env = new BenchEnvironment(factory, client.BaseAddress!);
        if (rows > 0)
        {
            await env.PublishBenchDatasetAsync(rows);
        }

        return env;
    }

    public HttpClient CreateClient() => new(new SocketsHttpHandler { MaxConnectionsPerServer = 64, PooledConnectionLifetime = TimeSpan.FromMinutes(10) }) { BaseAddress = BaseAddress, Timeout = TimeSpan.FromMinutes(30) };

    public async Task PublishBenchDatasetAsync(int rows)
    {
        CsvPath = EnsureCsv(rows);
        var definition = Definition(Path.GetFileName(CsvPath));
        var publisher = Services.GetRequiredService<DatasetPublisher>();
        var result = await publisher.PublishAsync(definition, CsvPath, "bench", null, CancellationToken.None);
        if (result.Status == PublishStatus.Invalid)
        {
            throw new InvalidOperationException("The benchmark dataset did not validate: " + result.Report!.RejectedValues[0]);
        }
    }

    /// <summary>bench-1m's metadata: every type declared, as a department's dataset.json would.</summary>
    public static DatasetDefinition Definition(string file) => new(
        DatasetId, new Localized("基准测试数据集（合成）", "Benchmark dataset (synthetic)"), new Localized("性能基准用合成数据（synthetic benchmark data）。", "Synthetic data for benchmarks."),
        "data-bureau", new Dictionary<string, IReadOnlyList<string>> { ["domain"] = ["economy"] }, new LocalizedList(["基准"], ["benchmark"]),
        OpenClasses.Unconditional, "never", "2026-01-01", "CC-BY-4.0", "general", new SourceSpec(file, "csv", "utf-8"),
        Fields:
        [
            new("id", Type: "bigint"), new("station", Type: "text"), new("observed_at", Type: "timestamp"), new("pm25", Type: "decimal"),
            new("reading", Type: "double"), new("valid", Type: "boolean"), new("day", Type: "date"), new("category", Type: "text"),
        ]);

    private static readonly string[] PsqlCandidates = ["/usr/bin/psql"];

    public static readonly string[] Columns = ["id", "station", "observed_at", "pm25", "reading", "valid", "day", "category"];

    /// <summary>SQL of a table equivalent to bench-1m's version table (for psql \copy floors).</summary>
    public const string EquivalentTableSql =
        "(id bigint, station text, observed_at timestamptz, pm25 numeric, reading double precision, valid boolean, day date, category text)";

    /// <summary>The benchmark CSV with <paramref name="rows"/> rows, generated once (deterministic) under bench/out/.</summary>
    public static string EnsureCsv(int rows)
    {
        var dir = Path.Combine(RepoPaths.RepositoryRoot ?? Directory.GetCurrentDirectory(), "bench", "out");
        Directory.CreateDirectory(dir);
        var path = Path.Combine(dir, $"bench-{rows}.csv");
        if (File.Exists(path))
        {
            return path;
        }

        var tmp = path + ".tmp";
        WriteCsv(tmp, rows);
        File.Move(tmp, path, overwrite: true);
        return path;
    }

    /// <summary>Writes the benchmark CSV (bench-1m's columns, deterministic values) with <paramref name="rows"/> rows to <paramref name="path"/>.</summary>
    public static void WriteCsv(string path, int rows)
    {
        using (var w = new StreamWriter(path, false, new UTF8Encoding(false), 1 << 20))
        {
            w.Write(string.Join(',', Columns));
            w.Write('\n');
            var start = new DateTimeOffset(2020, 1, 1, 0, 0, 0, TimeSpan.FromHours(8));
            ulong state = 42;
            var ci = CultureInfo.InvariantCulture;
            for (long i = 1; i <= rows; i++)
            {
                state = (state * 6364136223846793005UL) + 1442695040888963407UL;
                var r = state >> 33;
                w.Write(i.ToString(ci));
                w.Write(",S");
                w.Write((r % 50).ToString("D3", ci));
                w.Write(',');
                w.Write(start.AddMinutes(i * 7).ToString("yyyy-MM-dd'T'HH:mm:sszzz", ci));
                w.Write(',');
                w.Write(((r % 50000) / 100m).ToString(ci));
                w.Write(',');
                w.Write(((r % 1000003) / 7.0).ToString("R", ci));
                w.Write(',');
                w.Write((r & 1) == 0 ? "true" : "false");
                w.Write(',');
                w.Write(DateOnly.FromDateTime(start.AddMinutes(i * 7).DateTime).ToString("yyyy-MM-dd", ci));
                w.Write(",cat-");
                w.Write((r % 7).ToString(ci));
                w.Write('\n');
            }
        }
    }

    /// <summary>
    /// Closed-loop load: <paramref name="concurrency"/> workers send requests for <paramref name="duration"/>
    /// (after a warm-up of a tenth of it); returns completed requests per second. Any non-success fails the run.
    /// </summary>
    public static async Task<double> MeasureAsync(Func<HttpClient, CancellationToken, Task<HttpResponseMessage>> request, HttpClient client, TimeSpan duration, int concurrency = 8)
    {
        async Task<long> RunFor(TimeSpan span)
        {
            using var cts = new CancellationTokenSource(span);
            var counts = await Task.WhenAll(Enumerable.Range(0, concurrency).Select(async _ =>
            {
                long n = 0;
                while (!cts.IsCancellationRequested)
                {
                    using var response = await request(client, CancellationToken.None);
                    if (!response.IsSuccessStatusCode)
                    {
                        throw new InvalidOperationException($"{response.RequestMessage?.RequestUri} answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
                    }

                    await response.Content.CopyToAsync(Stream.Null);
                    n++;
                }

                return n;
            }));
            return counts.Sum();
        }

        await RunFor(duration / 10);
        var sw = Stopwatch.StartNew();
        var total = await RunFor(duration);
        return total / sw.Elapsed.TotalSeconds;
    }

    /// <summary>A bare Kestrel endpoint in this process (the floor): no DataOpen middleware, just <paramref name="handler"/>.</summary>
    public async Task<Uri> StartBareEndpointAsync(string path, RequestDelegate handler)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        var port = FreePort();
        builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
        var app = builder.Build();
        app.Map(path, handler);
        await app.StartAsync();
        bareApps.Add(app);
        return new Uri($"http://127.0.0.1:{port}");
    }

    /// <summary>
    /// The floors' row writer: up to PageSize rows of <paramref name="r"/> as JSON objects of the visible
    /// columns, with no conversions beyond what Utf8JsonWriter does, so a floor is the bare cost (see <see cref="FloorRows"/>).
    /// </summary>
    public static Task WriteRowObjectsAsync(Utf8JsonWriter json, Npgsql.NpgsqlDataReader r, DataOpen.Core.Query.CompiledQuery compiled, CancellationToken ct) =>
        FloorRows.Of(compiled).WriteAsync(json, r, compiled.PageSize, ct);

    /// <summary>
    /// Waits (up to 15 minutes) until the background digests of <paramref name="datasetId"/>'s current version exist, or
    /// returns at once when the version is over the digest row limit; the seconds waited.
    /// </summary>
    public async Task<double> WaitForDigestsAsync(string datasetId)
    {
        var started = Stopwatch.StartNew();
        var entry = Catalog.Current.Find(datasetId)!;
        var max = Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<DistributionDigestOptions>>().Value.MaxRows;
        if (max <= 0 || entry.Current!.RowCount > max)
        {
            return 0;
        }

        var digests = Services.GetRequiredService<DistributionDigests>();
        while (!(await digests.ForAsync([entry], CancellationToken.None)).ContainsKey(entry.Current.TableName))
        {
            if (started.Elapsed > TimeSpan.FromMinutes(15))
            {
                throw new TimeoutException($"the download digests of {datasetId} did not appear within 15 minutes");
            }

            await Task.Delay(500);
        }

        return started.Elapsed.TotalSeconds;
    }

    /// <summary>Runs psql with the writer's connection (the owner role) and returns elapsed seconds; output discarded.</summary>
    public async Task<double> PsqlAsync(string command)
    {
        var cs = new Npgsql.NpgsqlConnectionStringBuilder(Database.WriterConnectionString);
        var psi = new ProcessStartInfo(PsqlPath())
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var a in new[] { "-X", "-q", "-h", cs.Host!, "-p", cs.Port.ToString(CultureInfo.InvariantCulture), "-U", cs.Username!, "-d", cs.Database!, "-v", "ON_ERROR_STOP=1", "-c", command })
        {
            psi.ArgumentList.Add(a);
        }

        var sw = Stopwatch.StartNew();
        using var p = Process.Start(psi)!;
        var drain = p.StandardOutput.BaseStream.CopyToAsync(Stream.Null);
        var err = p.StandardError.ReadToEndAsync();
        await p.WaitForExitAsync();
        await drain;
        sw.Stop();
        if (p.ExitCode != 0)
        {
            throw new InvalidOperationException("psql failed: " + await err);
        }

        return sw.Elapsed.TotalSeconds;
    }

    public static string PsqlPath() =>
        PsqlCandidates.Concat(Directory.Exists("/usr/lib/postgresql") ? Directory.GetDirectories("/usr/lib/postgresql").Select(d => Path.Combine(d, "bin", "psql")) : [])
            .FirstOrDefault(File.Exists) ?? "psql";

    /// <summary>Peak resident set size of this process so far (VmHWM), in bytes.</summary>
    public static long PeakRss() => ReadStatus("VmHWM:");

    public static long CurrentRss() => ReadStatus("VmRSS:");

    private static long ReadStatus(string key)
    {
        foreach (var line in File.ReadLines("/proc/self/status"))
        {
            if (line.StartsWith(key, StringComparison.Ordinal))
            {
                return long.Parse(line[key.Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture) * 1024;
            }
        }

        return 0;
    }

    private static int FreePort()
    {
        using var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        return ((IPEndPoint)l.LocalEndpoint).Port;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var app in bareApps)
        {
            await app.StopAsync();
            await app.DisposeAsync();
        }

        await factory.DisposeAsync();
        await factory.RemoveDataDirectoryAsync();
    }

    private sealed class Factory(IEnumerable<KeyValuePair<string, string?>> settings) : WebApplicationFactory<Program>
    {
        private readonly string dataDir = Path.Combine(Path.GetTempPath(), "dataopen-bench-" + Guid.NewGuid().ToString("N")[..10]);

        /// <summary>
        /// The ephemeral cluster deletes its folder when the service is disposed, but seen here: the program could
        /// end while the server was still shutting down, leaving a 1–2 GB folder per run under /tmp. Waits for
        /// the server to go (its pid file) and removes whatever is left.
        /// </summary>
        public async Task RemoveDataDirectoryAsync()
        {
            var waited = System.Diagnostics.Stopwatch.StartNew();
            while (Directory.Exists(dataDir) && waited.Elapsed < TimeSpan.FromSeconds(30))
            {
                if (!File.Exists(Path.Combine(dataDir, "postmaster.pid")))
                {
                    try
                    {
                        Directory.Delete(dataDir, recursive: true);
                        return;
                    }
                    catch (IOException)
                    {
                        // a file still being closed: try again
                    }
                }

                await Task.Delay(100);
            }
        }

        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            builder.UseEnvironment("Production");
            builder.UseSetting("DataOpen:DataDirectory", dataDir);
            builder.UseSetting("DataOpen:EphemeralDatabase", "true");
            builder.UseSetting("DataOpen:SeedOnStart", "false");
            builder.UseSetting("DataOpen:AdminKey", "bench-admin-key");
            // Load generators are one anonymous client: lift its limits so benchmarks measure serving, not 429s.
            builder.UseSetting("DataOpen:Access:Tiers:anonymous:RatePerSecond", "1000000000");
            builder.UseSetting("DataOpen:Access:Tiers:anonymous:Burst", "2000000000");
            builder.UseSetting("DataOpen:Access:Tiers:anonymous:DailyQuota", "1000000000000");
            foreach (var (k, v) in settings)
            {
                builder.UseSetting(k, v);
            }

            builder.ConfigureLogging(l => l.SetMinimumLevel(LogLevel.Warning));
        }
    }

    /// <summary>Formats a result line: name, measured, floor, ratio and the goal.</summary>
    public static string Ratio(string name, double value, double floor, string unit, string goal) =>
        string.Create(CultureInfo.InvariantCulture, $"{name,-48} {value,12:F1} {unit,-8} floor {floor,12:F1}  ratio {value / floor,6:F2}  (goal {goal})");

    public static string Json(object o) => JsonSerializer.Serialize(o);
}
