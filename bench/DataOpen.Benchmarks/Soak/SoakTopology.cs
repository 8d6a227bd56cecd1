using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using DataOpen.Benchmarks.Harness;
using DataOpen.Core.Catalog;
using DataOpen.Testing;

namespace DataOpen.Benchmarks.Soak;

/// <summary>
/// The multi-node topology of ReplicaTests, as real processes on loopback: a PostgreSQL primary, a streaming standby made
/// from it with <c>pg_basebackup -R</c>, one redis-server, and two API processes (A and B) whose reads go to the standby and
/// whose rate limits are shared through Redis. <see cref="DisposeAsync"/> stops every process and removes every folder it made,
/// whatever state the start reached.
/// </summary>
public sealed class SoakTopology : IAsyncDisposable
{
    public const string AdminKey = "soak-admin-key-0123456789abcdef0123456789";

    private readonly string folder = Path.Combine(Path.GetTempPath(), "dataopen-soak-" + Guid.NewGuid().ToString("N")[..10]);

    public PostgresNode? Primary { get; private set; }

    public PostgresNode? Standby { get; private set; }

    public RedisServer? Redis { get; private set; }

    public ApiProcess? A { get; private set; }

    public ApiProcess? B { get; private set; }

    /// <summary>
    /// Limits the clients can live with: each key (registered tier) may send far more than the soak can, and anonymous
    /// callers (the key registrations) a few hundred, so a 429 in the report means a limiter misbehaved, not a low setting.
    /// The limiter still runs on every request, through Redis, as in production.
    /// </summary>
    private Dictionary<string, string> Settings() => new()
    {
        ["ASPNETCORE_ENVIRONMENT"] = "Production",
        ["DOTNET_gcServer"] = "1",
        ["ConnectionStrings__DataOpen"] = $"Host=127.0.0.1;Port={Primary!.Port};Database=dataopen;Username=dataopen_owner;Maximum Pool Size=60",
        ["DataOpen__Replicas__Hosts"] = $"127.0.0.1:{Standby!.Port}",
        ["ConnectionStrings__Redis"] = Redis!.ConnectionString,
        ["DataOpen__AdminKey"] = AdminKey,
        ["DataOpen__SeedOnStart"] = "false",
        ["DataOpen__DataDirectory"] = Path.Combine(folder, "unused-data-directory"),
        ["DataOpen__Access__KeySecret"] = "soak-key-secret-shared-by-both-instances-0123456789abcdef",
        ["DataOpen__Access__Tiers__anonymous__RatePerSecond"] = "100",
        ["DataOpen__Access__Tiers__anonymous__Burst"] = "500",
        ["DataOpen__Access__Tiers__anonymous__DailyQuota"] = "1000000",
        ["DataOpen__Access__Tiers__registered__RatePerSecond"] = "100000",
        ["DataOpen__Access__Tiers__registered__Burst"] = "200000",
        ["DataOpen__Access__Tiers__registered__DailyQuota"] = "1000000000",
    };

    /// <summary>Starts everything, publishes <c>bench-1m</c> with <paramref name="rows"/> rows through A and waits until B serves it.</summary>
    public async Task StartAsync(int rows, Action<string> log, CancellationToken ct)
    {
        Directory.CreateDirectory(folder);
        Primary = await PostgresNode.StartPrimaryAsync();
        await Primary.BootstrapAsync();
        ct.ThrowIfCancellationRequested();
        Standby = await PostgresNode.StartStandbyAsync(Primary);
        Redis = RedisServer.Start();
        log($"primary :{Primary.Port}, standby :{Standby.Port} (pg_basebackup -R), redis :{Redis.Port} up");
        ct.ThrowIfCancellationRequested();
        var settings = Settings();
        A = ApiProcess.Start(ApiProcess.FreePort(), settings);
        await A.WaitReadyAsync(TimeSpan.FromSeconds(120));
        ct.ThrowIfCancellationRequested();
        B = ApiProcess.Start(ApiProcess.FreePort(), settings);
        await B.WaitReadyAsync(TimeSpan.FromSeconds(120));
        log($"A :{A.Port} (pid {A.Id}) and B :{B.Port} (pid {B.Id}) ready");
        ct.ThrowIfCancellationRequested();

        var csv = Path.Combine(folder, "bench.csv");
        BenchEnvironment.WriteCsv(csv, rows);
        using var viaA = new HttpClient { BaseAddress = A.BaseAddress, Timeout = TimeSpan.FromMinutes(10) };
        await PublishAsync(viaA, csv, ct);
        File.Delete(csv);
        log($"bench-1m published through A with {rows:N0} rows");
    }

    /// <summary>Registers <paramref name="count"/> API keys (self-service, registered tier) through A.</summary>
    public async Task<IReadOnlyList<string>> CreateKeysAsync(int count, CancellationToken ct)
    {
        using var viaA = new HttpClient { BaseAddress = A!.BaseAddress, Timeout = TimeSpan.FromSeconds(30) };
        var keys = new List<string>();
        for (var i = 0; i < count; i++)
        {
            using var created = await viaA.PostAsJsonAsync("api/v1/keys", new { name = $"Soak client {i}", organisation = "测试单位", email = $"soak{i}@example.org", intendedUse = "soak benchmark" }, ct);
            if (created.StatusCode != HttpStatusCode.Created)
            {
                throw new InvalidOperationException($"key registration answered {(int)created.StatusCode}: {await created.Content.ReadAsStringAsync(ct)}");
            }

            keys.Add((await created.Content.ReadFromJsonAsync<JsonElement>(ct)).GetProperty("key").GetString()!);
        }

        return keys;
    }

    /// <summary>The replicas check of an instance's readiness report ("reads: N on standbys …").</summary>
    public static async Task<string> ReplicasAsync(ApiProcess api)
    {
        using var client = new HttpClient { BaseAddress = api.BaseAddress, Timeout = TimeSpan.FromSeconds(10) };
        using var response = await client.GetAsync("health/ready");
        var ready = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        return ready.GetProperty("checks").TryGetProperty("replicas", out var r) ? r.GetString() ?? "" : "";
    }

    /// <summary>The GraphQL root field of bench-1m as B's schema names it (the schema is built after the catalog changes).</summary>
    public async Task<string> RowsFieldAsync(CancellationToken ct)
    {
        using var viaB = new HttpClient { BaseAddress = B!.BaseAddress, Timeout = TimeSpan.FromSeconds(30) };
        for (var attempt = 0; attempt < 300; attempt++)
        {
            using var response = await viaB.PostAsJsonAsync("graphql", new { query = $"{{ dataset(id: \"{BenchEnvironment.DatasetId}\") {{ rowsField }} }}" }, ct);
            var body = await response.Content.ReadFromJsonAsync<JsonElement>(ct);
            if (body.TryGetProperty("data", out var data) && data.GetProperty("dataset") is { ValueKind: JsonValueKind.Object } d
                && d.GetProperty("rowsField").GetString() is { } field)
            {
                return field;
            }

            await Task.Delay(200, ct);
        }

        throw new InvalidOperationException("B's GraphQL schema never served bench-1m.");
    }

    private static async Task PublishAsync(HttpClient client, string csv, CancellationToken ct)
    {
        var definition = BenchEnvironment.Definition(Path.GetFileName(csv));
        using var put = new HttpRequestMessage(HttpMethod.Put, $"api/v1/admin/datasets/{BenchEnvironment.DatasetId}")
        {
            Content = new StringContent(JsonSerializer.Serialize(definition, DatasetDefinition.JsonOptions), Encoding.UTF8, "application/json"),
        };
        put.Headers.Add("X-Api-Key", AdminKey);
        using var metadata = await client.SendAsync(put, ct);
        if (!metadata.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"PUT dataset answered {(int)metadata.StatusCode}: {await metadata.Content.ReadAsStringAsync(ct)}");
        }

        await using var file = File.OpenRead(csv);
        using var post = new HttpRequestMessage(HttpMethod.Post, $"api/v1/admin/datasets/{BenchEnvironment.DatasetId}/versions") { Content = new StreamContent(file) };
        post.Content.Headers.ContentType = new("text/csv");
        post.Headers.Add("X-Api-Key", AdminKey);
        using var published = await client.SendAsync(post, ct);
        if (published.StatusCode != HttpStatusCode.Created)
        {
            throw new InvalidOperationException($"publishing answered {(int)published.StatusCode}: {await published.Content.ReadAsStringAsync(ct)}");
        }
    }

    /// <summary>Stops B, A, redis, the standby and the primary (each even if another fails) and removes the soak's folder.</summary>
    public async ValueTask DisposeAsync()
    {
        var failures = new List<Exception>();
        async Task Step(Func<ValueTask> stop)
        {
            try
            {
                await stop();
            }
            catch (Exception ex)
            {
                failures.Add(ex);
            }
        }

        await Step(() => B?.DisposeAsync() ?? ValueTask.CompletedTask);
        await Step(() => A?.DisposeAsync() ?? ValueTask.CompletedTask);
        await Step(() => { Redis?.Dispose(); return ValueTask.CompletedTask; });
        await Step(() => Standby?.DisposeAsync() ?? ValueTask.CompletedTask);
        await Step(() => Primary?.DisposeAsync() ?? ValueTask.CompletedTask);
        await Step(() => { if (Directory.Exists(folder)) { Directory.Delete(folder, true); } return ValueTask.CompletedTask; });
        if (failures.Count > 0)
        {
            Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"soak clean-up: {failures.Count} step(s) failed: {string.Join("; ", failures.Select(f => f.Message))}"));
        }
    }
}
