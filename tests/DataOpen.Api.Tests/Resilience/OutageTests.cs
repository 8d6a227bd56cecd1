using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.Json;
using DataOpen.Api.GraphQL;
using DataOpen.Api.OData;
using DataOpen.Api.Publishing;
using DataOpen.Api.Tests.Infrastructure;
using Xunit.Abstractions;
using Microsoft.Extensions.DependencyInjection;

namespace DataOpen.Api.Tests.Resilience;

/// <summary>Its own service and throwaway cluster, so stopping PostgreSQL disturbs no other test.</summary>
public sealed class OutageFactory : DataOpenFactory
{
    protected override IEnumerable<KeyValuePair<string, string?>> Settings => [new("DataOpen:SeedOnStart", "false")];
}

public sealed class OutageTests(OutageFactory factory, ITestOutputHelper output) : IClassFixture<OutageFactory>
{
    private sealed record Probe(string Door, bool NeedsDatabase, Func<HttpClient, Task<HttpResponseMessage>> Send);

    private sealed record Seen(string Door, string Phase, int Status, string? RetryAfter, string? MediaType, string Body, TimeSpan At, TimeSpan Sent);

    [Fact]
    public async Task While_postgres_is_down_every_door_answers_503_in_its_format_the_snapshot_keeps_serving_and_service_resumes_within_a_second()
    {
        var (id, set, rowsField) = await PublishAsync(2_000);
        var big = await PublishAsync(400_000);
        var probes = new[]
        {
            new Probe("rest-rows", true, c => c.GetAsync($"/api/v1/datasets/{id}/rows?limit=5")),
            new Probe("rest-download-csv", true, c => c.GetAsync($"/api/v1/datasets/{id}/download?format=csv")),
            new Probe("rest-download-json", true, c => c.GetAsync($"/api/v1/datasets/{id}/download?format=json")),
            new Probe("odata", true, c => c.GetAsync($"/odata/{set}?$top=3")),
            new Probe("graphql", true, c => GraphQL(c, $"{{ {rowsField}(first: 3) {{ nodes {{ id }} }} }}")),
            // Sent once before the outage, so it is a planned lookup (KeyPlan) while the database is away.
            new Probe("graphql-by-key", true, c => GraphQL(c, $"{{ {rowsField}ByRowId(rowId: \"1\") {{ id }} }}")),
            new Probe("page", true, c => c.GetAsync($"/datasets/{id}")),
            new Probe("ready", true, c => c.GetAsync("/health/ready")),
            new Probe("rest-search", false, c => c.GetAsync("/api/v1/datasets?limit=5")),
            new Probe("rest-search-text", false, c => c.GetAsync("/api/v1/datasets?q=" + Uri.EscapeDataString("测试数据集"))),
            new Probe("rest-metadata", false, c => c.GetAsync($"/api/v1/datasets/{id}")),
            new Probe("rest-schema", false, c => c.GetAsync($"/api/v1/datasets/{id}/schema")),
            new Probe("odata-metadata", false, c => c.GetAsync("/odata/$metadata")),
            new Probe("graphql-catalog", false, c => GraphQL(c, "{ __schema { queryType { name } } }")),
            new Probe("page-search", false, c => c.GetAsync("/datasets")),
        };

        // Warm every door (and the pools) while the database is up.
        using var client = factory.CreateClient();
        foreach (var probe in probes)
        {
            using var first = await probe.Send(client);
            Assert.True(first.IsSuccessStatusCode, $"{probe.Door} before the outage: {(int)first.StatusCode} {await first.Content.ReadAsStringAsync()}");
        }

        // A long download under way when the server goes: it must end as a broken stream, not a short file.
        using var download = await client.GetAsync($"/api/v1/datasets/{big.Id}/download?format=csv", HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(HttpStatusCode.OK, download.StatusCode);
        var downloadBody = await download.Content.ReadAsStreamAsync();
        var head = new byte[16 * 1024];
        await downloadBody.ReadAtLeastAsync(head, head.Length);

        var phase = "up";
        var clock = Stopwatch.StartNew();
        var seen = new ConcurrentQueue<Seen>();
        using var stop = new CancellationTokenSource();
        // Each door is sent a request every 20 ms, up to 4 at a time per phase, as a crowd of clients would. A request
        // sent while the server starts waits in its listen queue until it accepts (seconds on a loaded machine); those
        // must not hold back the requests sent once it is back, so the first request sent after the restart measures
        // the service's recovery, not how long the requests before it waited.
        var loops = probes.Select(probe => Task.Run(async () =>
        {
            using var c = factory.CreateClient();
            var slotsByPhase = new Dictionary<string, SemaphoreSlim>();
            var inFlight = new List<Task>();
            while (!stop.IsCancellationRequested)
            {
                var at = phase;
                var slots = slotsByPhase.TryGetValue(at, out var taken) ? taken : slotsByPhase[at] = new SemaphoreSlim(4);
                if (!await slots.WaitAsync(20))
                {
                    continue; // all four of this phase still under way: look at the phase again
                }

                var sent = clock.Elapsed;
                inFlight.Add(Task.Run(async () =>
                {
                    try
                    {
                        using var response = await probe.Send(c);
                        var body = await response.Content.ReadAsStringAsync();
                        seen.Enqueue(new Seen(probe.Door, at, (int)response.StatusCode, response.Headers.RetryAfter?.ToString(), response.Content.Headers.ContentType?.MediaType, body.Length > 400 ? body[..400] : body, clock.Elapsed, sent));
                    }
                    finally
                    {
                        slots.Release();
                    }
                }));
                await Task.Delay(20);
            }

            await Task.WhenAll(inFlight);
        })).ToList();

        await Task.Delay(300);
        var embedded = factory.Database.Embedded!;
        await embedded.StopServerAsync(immediate: true, CancellationToken.None);
        phase = "down";
        await Assert.ThrowsAnyAsync<Exception>(async () =>
        {
            var buffer = new byte[64 * 1024];
            while (await downloadBody.ReadAsync(buffer) > 0)
            {
            }
        });

        await Task.Delay(1500);
        phase = "starting";
        await embedded.StartServerAsync(CancellationToken.None);
        var started = clock.Elapsed;
        phase = "back";
        await Task.Delay(1500);
        await stop.CancelAsync();
        await Task.WhenAll(loops);

        var all = seen.ToList();
        Assert.DoesNotContain(all, s => s.Status >= 500 && s.Status != 503);
        Assert.True(factory.Services.GetRequiredService<GraphQLSchemaProvider>().Current.Documents.Planned > 0, "no GraphQL lookup was served by its plan");
        foreach (var probe in probes)
        {
            var down = all.Where(s => s.Door == probe.Door && s.Phase == "down").ToList();
            Assert.True(down.Count > 0, $"{probe.Door}: no request while down");
            if (!probe.NeedsDatabase)
            {
                Assert.All(down, s => Assert.True(s.Status == 200, $"{probe.Door} while down: {s}"));
                continue;
            }

            // Requests sent just before the stop may still finish; every failure is a 503 with Retry-After.
            var failures = down.Where(s => s.Status != 200).ToList();
            Assert.True(failures.Count > 0, $"{probe.Door} never failed while the database was down");
            foreach (var s in failures)
            {
                Assert.True(s.Status == 503 && s.RetryAfter is not null, $"{probe.Door} while down: {s}");
                AssertFormat(probe.Door, s);
            }

            var back = all.Where(s => s.Door == probe.Door && s.Phase == "back").ToList();
            var firstOk = back.Where(s => s.Status == 200).MinBy(s => s.Sent);
            Assert.True(firstOk is not null, $"{probe.Door} did not recover: {string.Join(" | ", back.Take(3))}");
            var longest = all.Where(s => s.Door == probe.Door && s.Phase != "up").MaxBy(s => s.At - s.Sent)!;
            output.WriteLine($"{probe.Door}: {failures.Count} × 503 while down, 200 again {(firstOk.At - started).TotalMilliseconds:F0} ms after the restart (sent at {(firstOk.Sent - started).TotalMilliseconds:F0} ms); longest request: {longest.Status} sent {longest.Phase} at {(longest.Sent - started).TotalMilliseconds:F0} ms, took {(longest.At - longest.Sent).TotalMilliseconds:F0} ms; median while up {Median(all.Where(s => s.Door == probe.Door && s.Phase == "up")):F0} ms, after the restart {Median(back):F0} ms");
            // Resumed at once: every request sent once PostgreSQL was back succeeded (none met a dead pooled
            // connection), and one sent within the first second did. Its own duration is the machine's load
            // (a cold server's first connections), not waiting on the service.
            Assert.All(back, s => Assert.True(s.Status == 200, $"{probe.Door} after PostgreSQL was back: {s}"));
            Assert.True(firstOk.Sent - started <= TimeSpan.FromSeconds(1), $"{probe.Door} first request after the restart was sent {(firstOk.Sent - started).TotalMilliseconds:F0} ms later");
        }
    }

    private static double Median(IEnumerable<Seen> requests)
    {
        var took = requests.Select(s => (s.At - s.Sent).TotalMilliseconds).Order().ToList();
        return took.Count == 0 ? double.NaN : took[took.Count / 2];
    }

    private static void AssertFormat(string door, Seen s)
    {
        switch (door)
        {
            case "odata":
                Assert.Equal("application/json", s.MediaType);
                Assert.Equal(ODataErrorCodes.ServiceUnavailable, JsonDocument.Parse(s.Body).RootElement.GetProperty("error").GetProperty("code").GetString());
                break;
            case "graphql" or "graphql-by-key":
                var body = JsonDocument.Parse(s.Body).RootElement;
                Assert.Equal(GraphQLExecutor.GraphQLResponse, s.MediaType);
                Assert.False(body.TryGetProperty("data", out _), s.Body);
                Assert.Equal(GraphQLExecutor.UnavailableCode, body.GetProperty("errors")[0].GetProperty("extensions").GetProperty("code").GetString());
                break;
            case "page":
                Assert.Equal("text/html", s.MediaType);
                Assert.Contains("<!DOCTYPE html>", s.Body, StringComparison.Ordinal);
                break;
            case "ready":
                Assert.Equal("unavailable", JsonDocument.Parse(s.Body).RootElement.GetProperty("status").GetString());
                break;
            default:
                Assert.Equal("application/problem+json", s.MediaType);
                Assert.EndsWith("/database-unavailable", JsonDocument.Parse(s.Body).RootElement.GetProperty("type").GetString(), StringComparison.Ordinal);
                break;
        }
    }

    private static Task<HttpResponseMessage> GraphQL(HttpClient client, string query)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/graphql")
        {
            Content = new StringContent(JsonSerializer.Serialize(new { query }), Encoding.UTF8, "application/json"),
        };
        request.Headers.Accept.ParseAdd(GraphQLExecutor.GraphQLResponse);
        return client.SendAsync(request);
    }

    private async Task<(string Id, string Set, string RowsField)> PublishAsync(int rows)
    {
        await TestDatasets.EnsureReferencesAsync(factory.Database);
        var def = TestDatasets.Definition(TestDatasets.NewIdentifier("t-outage"));
        var folder = TestDatasets.WriteCsvFolder(def, rows);
        var result = await factory.Services.GetRequiredService<DatasetPublisher>().PublishAsync(def, Path.Combine(folder, "data.csv"), "test", null, CancellationToken.None);
        Assert.Equal(PublishStatus.Published, result.Status);
        var model = await factory.Services.GetRequiredService<GraphQLSchemaProvider>().WaitForCatalogVersionAsync(factory.Catalog.Current.CatalogVersion, TimeSpan.FromSeconds(30));
        return (def.Identifier, ODataModel.EntitySetName(def.Identifier), model.RowFields[def.Identifier].Rows);
    }
}
