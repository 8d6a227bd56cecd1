using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using DataOpen.Api.Infrastructure;
using DataOpen.Api.OData;
using DataOpen.Api.Tests.Access;
using DataOpen.Api.Tests.Infrastructure;
using DataOpen.Core.Catalog;
using Npgsql;
using Xunit.Abstractions;
using DataOpen.Testing;

namespace DataOpen.Api.Tests.Resilience;

/// <summary>
/// The service on more than one machine, on loopback: a primary and a streaming standby (<c>pg_basebackup -R</c>),
/// two API processes whose reads go to the standby, and one redis-server for the shared rate limits.
/// </summary>
public sealed class ReplicaTests(ITestOutputHelper output)
{
    private const string AdminKey = "replica-test-admin-key-0123456789abcdef";

    [RedisFact]
    public async Task Two_instances_on_a_primary_and_a_standby_publish_read_at_once_survive_a_stopped_standby_and_a_killed_instance()
    {
        var clock = Stopwatch.StartNew();
        await using var primary = await PostgresNode.StartPrimaryAsync();
        await primary.BootstrapAsync();
        await using var standby = await PostgresNode.StartStandbyAsync(primary);
        using var redis = RedisServer.Start();
        var settings = new Dictionary<string, string>
        {
            ["ConnectionStrings__DataOpen"] = $"Host=127.0.0.1;Port={primary.Port};Database=dataopen;Username=dataopen_owner",
            ["DataOpen__Replicas__Hosts"] = $"127.0.0.1:{standby.Port}",
            ["ConnectionStrings__Redis"] = redis.ConnectionString,
            ["DataOpen__AdminKey"] = AdminKey,
            ["DataOpen__SeedOnStart"] = "false",
            ["DataOpen__DataDirectory"] = Path.Combine(Path.GetTempPath(), "dataopen-unused-" + Guid.NewGuid().ToString("N")[..8]),
            ["DataOpen__Access__KeySecret"] = "replica-test-key-secret-shared-by-both-instances-0123456789",
            ["DataOpen__Access__RedisTimeoutMilliseconds"] = "600",
            ["DataOpen__Access__Tiers__anonymous__RatePerSecond"] = "100000",
            ["DataOpen__Access__Tiers__anonymous__Burst"] = "100000",
            ["DataOpen__Access__Tiers__anonymous__DailyQuota"] = "100000000",
            ["DataOpen__Access__Tiers__registered__RatePerSecond"] = "0.001",
            ["DataOpen__Access__Tiers__registered__Burst"] = "40",
            ["DataOpen__Access__Tiers__registered__DailyQuota"] = "1000000",
        };
        var a = ApiProcess.Start(ApiProcess.FreePort(), settings);
        ApiProcess? b = null;
        try
        {
            output.WriteLine($"primary, standby and redis up after {clock.Elapsed.TotalSeconds:F1} s");
            await a.WaitReadyAsync(ApiProcess.StartTimeout);
            output.WriteLine($"A ready after {clock.Elapsed.TotalSeconds:F1} s");
            b = ApiProcess.Start(ApiProcess.FreePort(), settings);
            await b.WaitReadyAsync(ApiProcess.StartTimeout);
            output.WriteLine($"primary, standby, redis and two instances up after {clock.Elapsed.TotalSeconds:F1} s");
            await using (var owner = new NpgsqlConnection(settings["ConnectionStrings__DataOpen"]))
            {
                await owner.OpenAsync();
                await using var refs = new NpgsqlCommand(TestDatasets.ReferencesSql, owner);
                await refs.ExecuteNonQueryAsync();
            }

            using var viaA = Client(a);
            using var viaB = Client(b);

            // Publish through A, read each new version through B at once: never a 404 or 5xx, the new rows, from the standby.
            var id = TestDatasets.NewIdentifier("t-replica");
            for (var version = 1; version <= 3; version++)
            {
                var rows = 2_000 + version;
                await PublishAsync(viaA, id, rows);
                var before = StandbyReads(await ReadyAsync(viaB));
                using var read = await viaB.GetAsync($"api/v1/datasets/{id}/rows?version={version}&order=-id&limit=1");
                var body = await read.Content.ReadAsStringAsync();
                Assert.True(read.StatusCode == HttpStatusCode.OK, $"version {version} through B: {(int)read.StatusCode} {body}");
                Assert.Equal(rows, JsonDocument.Parse(body).RootElement.GetProperty("rows")[0].GetProperty("id").GetInt64());
                var ready = await ReadyAsync(viaB);
                Assert.True(StandbyReads(ready) > before, $"the read of version {version} did not go to the standby: {ready}");
            }

            output.WriteLine($"3 versions published through A and read through B from the standby; B says: {Replicas(await ReadyAsync(viaB))}");

            // A request loop through B over REST, OData and a download; the standby stops in the middle and comes back.
            var set = ODataModel.EntitySetName(id);
            var probes = new Func<HttpClient, Task<HttpResponseMessage>>[]
            {
                c => c.GetAsync($"api/v1/datasets/{id}/rows?limit=5&count=exact"),
                c => c.GetAsync($"api/v1/datasets/{id}/rows?version=3&station=站点3&limit=5"),
                c => c.GetAsync($"odata/{set}?$top=3&$count=true"),
                c => c.GetAsync($"api/v1/datasets/{id}/download?format=csv"),
            };
            var seen = new ConcurrentQueue<(string Phase, int Status, string Body)>();
            var phase = "up";
            using var stop = new CancellationTokenSource();
            var loops = probes.Select(send => Task.Run(async () =>
            {
                using var c = Client(b);
                while (!stop.IsCancellationRequested)
                {
                    var at = phase;
                    using var response = await send(c);
                    var text = await response.Content.ReadAsStringAsync();
                    seen.Enqueue((at, (int)response.StatusCode, text.Length > 300 ? text[..300] : text));
                }
            })).ToList();
            await Task.Delay(700);
            await standby.StopAsync();
            var stopped = clock.Elapsed;
            phase = "down";
            var dropped = await WaitForAsync(viaB, r => Replicas(r).Contains($"{standby.Port} down", StringComparison.Ordinal), TimeSpan.FromSeconds(5));
            output.WriteLine($"B dropped the standby {(clock.Elapsed - stopped).TotalMilliseconds:F0} ms after it stopped: {Replicas(dropped)}");
            Assert.True(clock.Elapsed - stopped < TimeSpan.FromSeconds(1), $"the standby was dropped only after {(clock.Elapsed - stopped).TotalMilliseconds:F0} ms");
            await Task.Delay(1000);
            await standby.StartAsync();
            phase = "back";
            var backAt = clock.Elapsed;
            var readsWhenBack = StandbyReads(await WaitForAsync(viaB, r => Replicas(r).Contains($"{standby.Port} standby, caught up", StringComparison.Ordinal), TimeSpan.FromSeconds(10)));
            var retaken = await WaitForAsync(viaB, r => StandbyReads(r) > readsWhenBack + 5, TimeSpan.FromSeconds(10));
            output.WriteLine($"B reads from the standby again {(clock.Elapsed - backAt).TotalMilliseconds:F0} ms after it started: {Replicas(retaken)}");
            await stop.CancelAsync();
            await Task.WhenAll(loops);
            var all = seen.ToList();
            output.WriteLine($"loop through B: {all.Count} requests, {all.Count(s => s.Phase == "down")} while the standby was down, statuses {string.Join(", ", all.GroupBy(s => s.Status).Select(g => $"{g.Key}×{g.Count()}"))}");
            Assert.Contains(all, s => s.Phase == "down");
            Assert.All(all, s => Assert.True(s.Status == 200, $"{s.Phase}: {s.Status} {s.Body}"));

            // Rate limits are exact across A and B: a key with a burst of 40 and no refill to speak of.
            var created = await viaA.PostAsJsonAsync("api/v1/keys", new { name = "Replica test", organisation = "测试单位", email = "holder@example.org", intendedUse = "tests" });
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
            var key = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("key").GetString()!;
            var allowed = 0;
            for (var i = 0; i < 60; i++)
            {
                using var request = new HttpRequestMessage(HttpMethod.Get, "api/v1/keys/me");
                request.Headers.Add("X-Api-Key", key);
                using var response = await (i % 2 == 0 ? viaA : viaB).SendAsync(request);
                allowed += response.StatusCode == HttpStatusCode.OK ? 1 : 0;
            }

            Assert.DoesNotContain("Redis rate-limit store unavailable", a.StandardOutput + b.StandardOutput, StringComparison.Ordinal);
            Assert.Equal(40, allowed);

            // kill -9 of A in the middle of a download: the client sees a broken stream, B goes on serving.
            var big = TestDatasets.NewIdentifier("t-replica-big");
            await PublishAsync(viaA, big, 200_000);
            using var download = await viaA.GetAsync($"api/v1/datasets/{big}/download?format=json", HttpCompletionOption.ResponseHeadersRead);
            Assert.Equal(HttpStatusCode.OK, download.StatusCode);
            Assert.Null(download.Content.Headers.ContentLength);
            var stream = await download.Content.ReadAsStreamAsync();
            var received = new MemoryStream();
            var buffer = new byte[64 * 1024];
            received.Write(buffer, 0, await stream.ReadAtLeastAsync(buffer, 16 * 1024));
            a.Kill();
            var broken = await Record.ExceptionAsync(async () =>
            {
                int n;
                while ((n = await stream.ReadAsync(buffer)) > 0)
                {
                    received.Write(buffer, 0, n);
                }
            });
            output.WriteLine($"download from A cut by kill -9 after {received.Length:N0} bytes: {broken?.GetType().Name}: {broken?.Message}");
            Assert.True(broken is HttpIOException or IOException, $"the client read {received.Length:N0} bytes and an end, not a broken stream");
            for (var i = 0; i < 5; i++)
            {
                using var after = await viaB.GetAsync($"api/v1/datasets/{big}/rows?limit=2");
                Assert.Equal(HttpStatusCode.OK, after.StatusCode);
            }

            output.WriteLine($"whole test {clock.Elapsed.TotalSeconds:F1} s");
        }
        finally
        {
            await a.DisposeAsync();
            if (b is not null)
            {
                await b.DisposeAsync();
            }
        }
    }

    private static HttpClient Client(ApiProcess api) => new() { BaseAddress = api.BaseAddress, Timeout = TimeSpan.FromSeconds(60) };

    private static async Task PublishAsync(HttpClient client, string id, int rows)
    {
        var definition = TestDatasets.Definition(id);
        using var put = new HttpRequestMessage(HttpMethod.Put, $"api/v1/admin/datasets/{id}")
        {
            Content = new StringContent(JsonSerializer.Serialize(definition, DatasetDefinition.JsonOptions), Encoding.UTF8, "application/json"),
        };
        put.Headers.Add("X-Api-Key", AdminKey);
        using var metadata = await client.SendAsync(put);
        Assert.True(metadata.IsSuccessStatusCode, await metadata.Content.ReadAsStringAsync());
        var csv = Path.Combine(TestFolders.New("replica"), "data.csv");
        TestDatasets.WriteCsv(csv, rows);
        using var post = new HttpRequestMessage(HttpMethod.Post, $"api/v1/admin/datasets/{id}/versions") { Content = new StreamContent(File.OpenRead(csv)) };
        post.Content.Headers.ContentType = new("text/csv");
        post.Headers.Add("X-Api-Key", AdminKey);
        using var published = await client.SendAsync(post);
        Assert.True(published.StatusCode == HttpStatusCode.Created, $"{(int)published.StatusCode} {await published.Content.ReadAsStringAsync()}");
    }

    private static async Task<JsonElement> ReadyAsync(HttpClient client)
    {
        using var response = await client.GetAsync("health/ready");
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();
    }

    private static string Replicas(JsonElement ready) => ready.GetProperty("checks").GetProperty("replicas").GetString()!;

    /// <summary>The count in "reads: N on standbys" of B's readiness report.</summary>
    private static long StandbyReads(JsonElement ready)
    {
        var text = Replicas(ready);
        var at = text.IndexOf("reads: ", StringComparison.Ordinal) + "reads: ".Length;
        return long.Parse(text[at..text.IndexOf(' ', at)], System.Globalization.CultureInfo.InvariantCulture);
    }

    private static async Task<JsonElement> WaitForAsync(HttpClient client, Func<JsonElement, bool> condition, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var ready = await ReadyAsync(client);
            if (condition(ready))
            {
                return ready;
            }

            Assert.True(clock.Elapsed < timeout, $"not within {timeout}: {ready}");
            await Task.Delay(50);
        }
    }
}
