using System.Net;
using System.Text;
using System.Text.Json;
using DataOpen.Api.Rows;
using DataOpen.Api.OData;
using DataOpen.Api.Publishing;
using DataOpen.Api.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace DataOpen.Api.Tests.OData;

[Collection(ApiTests.Name)]
public sealed class ODataPagingTests(DataOpenFactory factory)
{
    [Fact]
    public async Task Following_nextLinks_walks_25000_rows_once_each_even_when_a_new_version_is_published_mid_walk()
    {
        const int rows = 25_000;
        await TestDatasets.EnsureReferencesAsync(factory.Database);
        var def = TestDatasets.Definition(TestDatasets.NewIdentifier("t-odwalk"));
        var folder = TestDatasets.WriteCsvFolder(def, rows);
        var publisher = factory.Services.GetRequiredService<DatasetPublisher>();
        Assert.Equal(PublishStatus.Published, (await publisher.PublishAsync(def, Path.Combine(folder, "data.csv"), "test", null, CancellationToken.None)).Status);
        var set = ODataModel.EntitySetName(def.Identifier);

        using var client = factory.CreateClient();
        var readAhead = factory.Services.GetRequiredService<PageReadAhead>();
        var hitsBefore = readAhead.Hits;
        var seen = new HashSet<long>();
        string? url = $"/odata/{set}?$count=true";
        var pages = 0;
        while (url is not null)
        {
            var body = await client.GetJsonAsync(url);
            var values = body.Values();
            Assert.True(values.Count <= 1000, $"page of {values.Count} rows");
            Assert.Equal(rows, body.GetProperty("@odata.count").GetInt64());
            foreach (var v in values)
            {
                var id = v.GetProperty("RowId").GetInt64();
                Assert.True(seen.Add(id), $"row {id} arrived twice");
                // Values of version 1 (seed 1) even after version 2 (seed 2) is current.
                Assert.Equal(ODataTestData.Row((int)id).Value, v.GetProperty("value").GetDecimal());
            }

            url = body.TryGetProperty("@odata.nextLink", out var next) ? next.GetString() : null;
            if (url is not null)
            {
                Assert.StartsWith("http://localhost/odata/" + set + "?", url, StringComparison.Ordinal);
            }

            if (++pages == 5)
            {
                TestDatasets.WriteCsv(Path.Combine(folder, "data.csv"), rows + 1000, seed: 2);
                var second = await publisher.PublishAsync(def, Path.Combine(folder, "data.csv"), "test", null, CancellationToken.None);
                Assert.Equal(2, second.Version);
            }
        }

        Assert.Equal(rows, seen.Count);
        Assert.Equal(25, pages);
        // Every page after the first was read ahead while the previous one was read (this collection runs one
        // test at a time, so no other walk shares the counter); the checks above show those rows were right.
        Assert.True(readAhead.Hits - hitsBefore >= 20, $"{readAhead.Hits - hitsBefore} of 24 next pages were read ahead");
        Assert.Equal(rows + 1000, long.Parse(await client.GetStringAsync($"/odata/{set}/$count"), System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public async Task A_walk_reads_to_its_end_with_its_fields_when_a_version_that_adds_and_drops_fields_is_published_mid_walk()
    {
        // Version 1: id, station, value, day. Version 2 drops station and adds extra (synthetic rows).
        await TestDatasets.EnsureReferencesAsync(factory.Database);
        var def = TestDatasets.Definition(TestDatasets.NewIdentifier("t-odschema"));
        var folder = TestDatasets.WriteCsvFolder(def, 3000);
        var publisher = factory.Services.GetRequiredService<DatasetPublisher>();
        Assert.Equal(PublishStatus.Published, (await publisher.PublishAsync(def, Path.Combine(folder, "data.csv"), "test", null, CancellationToken.None)).Status);
        var set = ODataModel.EntitySetName(def.Identifier);
        using var client = factory.CreateClient();

        var walks = new[] { $"/odata/{set}", $"/odata/{set}?$select=RowId,station,value&$filter=" + Uri.EscapeDataString("station ne 'none'") + "&$orderby=station,RowId" };
        var firstPages = new List<JsonElement>();
        foreach (var walk in walks)
        {
            firstPages.Add(await client.GetJsonAsync(walk));
        }

        var csv = new StringBuilder("id,value,day,extra\n");
        for (var i = 1; i <= 3000; i++)
        {
            csv.Append(System.Globalization.CultureInfo.InvariantCulture, $"{i},{i}.5,2024-02-0{1 + (i % 9)},x{i}\n");
        }

        await File.WriteAllTextAsync(Path.Combine(folder, "v2.csv"), csv.ToString());
        var v2 = def with { Source = def.Source with { File = "v2.csv" }, Fields = null };
        var second = await publisher.PublishAsync(v2, Path.Combine(folder, "v2.csv"), "test", null, CancellationToken.None);
        Assert.Equal(PublishStatus.Published, second.Status);
        Assert.Equal(2, second.Version);

        foreach (var (walk, first) in walks.Zip(firstPages))
        {
            var names = first.Values()[0].EnumerateObject().Select(p => p.Name).ToList();
            var seen = first.Values().Select(v => v.GetProperty("RowId").GetInt64()).ToHashSet();
            var url = first.GetProperty("@odata.nextLink").GetString();
            while (url is not null)
            {
                using var response = await client.GetAsync(url);
                var text = await response.Content.ReadAsStringAsync();
                Assert.True(response.StatusCode == HttpStatusCode.OK, $"{walk}: {(int)response.StatusCode} {text}");
                var body = JsonDocument.Parse(text).RootElement;
                foreach (var v in body.Values())
                {
                    Assert.Equal(names, v.EnumerateObject().Select(p => p.Name));
                    Assert.True(seen.Add(v.GetProperty("RowId").GetInt64()));
                }

                url = body.TryGetProperty("@odata.nextLink", out var next) ? next.GetString() : null;
            }

            Assert.Equal(3000, seen.Count);
        }

        // A new walk reads version 2 with its own fields; the dropped field is now unknown.
        var fresh = (await client.GetJsonAsync($"/odata/{set}?$top=1")).Values()[0];
        Assert.Equal(["RowId", "id", "value", "day", "extra"], fresh.EnumerateObject().Select(p => p.Name));
        Assert.Equal(HttpStatusCode.BadRequest, (await client.GetAsync($"/odata/{set}?$select=station")).StatusCode);
    }

    [Fact]
    public async Task Pages_read_ahead_are_byte_for_byte_the_pages_their_own_requests_read()
    {
        using var client = factory.CreateClient();
        var readAhead = factory.Services.GetRequiredService<PageReadAhead>();
        var (hits, queries) = (readAhead.Hits, readAhead.Queries);
        var urls = new List<string>();
        var bodies = new List<byte[]>();
        string? url = "/odata/AirQualityHourly?$filter=" + Uri.EscapeDataString("station_code eq 'XQ001'") + "&$orderby=observed_at desc&$count=true";
        while (url is not null && urls.Count < 12)
        {
            var bytes = await PageBytesAsync(client, url, "odata.metadata=minimal");
            urls.Add(url);
            bodies.Add(bytes);
            url = JsonDocument.Parse(bytes).RootElement.GetProperty("@odata.nextLink").GetString();
        }

        // Every page after the first was read ahead, four pages of 500 to a background query.
        Assert.Equal(12, urls.Count);
        Assert.True(readAhead.Hits - hits >= 10, $"{readAhead.Hits - hits} of 11 next pages were read ahead");
        Assert.True(readAhead.Queries - queries <= (readAhead.Hits - hits) / 2, $"{readAhead.Queries - queries} background queries for {readAhead.Hits - hits} pages");

        // Asked for again, last first, each page finds nothing ahead (its entry was taken), so its request runs
        // its own query: the bytes are the same as those of the page read ahead.
        var misses = readAhead.Misses;
        for (var i = urls.Count - 1; i >= 0; i--)
        {
            Assert.Equal(Encoding.UTF8.GetString(bodies[i]), Encoding.UTF8.GetString(await PageBytesAsync(client, urls[i], "odata.metadata=minimal")));
        }

        Assert.True(readAhead.Misses - misses >= urls.Count, $"{readAhead.Misses - misses} of {urls.Count} pages were read by their request");
    }

    [Fact]
    public async Task A_page_read_ahead_in_one_format_is_served_only_to_a_request_in_that_format()
    {
        using var client = factory.CreateClient();
        var readAhead = factory.Services.GetRequiredService<PageReadAhead>();
        var first = JsonDocument.Parse(await PageBytesAsync(client, "/odata/AirQualityHourly?$select=RowId,aqi,station_code&$orderby=aqi", "odata.metadata=minimal")).RootElement;
        var next = first.GetProperty("@odata.nextLink").GetString()!;

        // The next page was read ahead, written for a minimal-metadata walk. This request wants full metadata and
        // IEEE754 numbers, so it runs its own query and gets its own format.
        var (hits, misses) = (readAhead.Hits, readAhead.Misses);
        var full = await PageBytesAsync(client, next, "odata.metadata=full;IEEE754Compatible=true");
        Assert.Equal((hits, misses + 1), (readAhead.Hits, readAhead.Misses));
        var values = JsonDocument.Parse(full).RootElement.GetProperty("value");
        Assert.Equal(500, values.GetArrayLength());
        Assert.All(values.EnumerateArray(), v =>
        {
            Assert.StartsWith("http://localhost/odata/AirQualityHourly(", v.GetProperty("@odata.id").GetString(), StringComparison.Ordinal);
            Assert.Equal(JsonValueKind.String, v.GetProperty("RowId").ValueKind);
        });

        // The page read ahead still waits for the walk's own format, and is byte for byte what that request writes
        // when nothing was read ahead for it.
        var minimal = await PageBytesAsync(client, next, "odata.metadata=minimal");
        Assert.Equal(hits + 1, readAhead.Hits);
        Assert.Equal(Encoding.UTF8.GetString(minimal), Encoding.UTF8.GetString(await PageBytesAsync(client, next, "odata.metadata=minimal")));
    }

    [Fact]
    public async Task Pages_read_ahead_with_full_metadata_and_ieee754_numbers_match_the_pages_their_requests_write()
    {
        using var client = factory.CreateClient();
        var readAhead = factory.Services.GetRequiredService<PageReadAhead>();
        const string format = "odata.metadata=full;IEEE754Compatible=true";
        var first = JsonDocument.Parse(await PageBytesAsync(client, "/odata/AirQualityHourly?$orderby=observed_at,RowId", format)).RootElement;
        var next = first.GetProperty("@odata.nextLink").GetString()!;
        var hits = readAhead.Hits;
        var ahead = await PageBytesAsync(client, next, format);
        Assert.Equal(hits + 1, readAhead.Hits);
        var again = await PageBytesAsync(client, next, format);
        Assert.Equal(Encoding.UTF8.GetString(again), Encoding.UTF8.GetString(ahead));
        var row = JsonDocument.Parse(ahead).RootElement.GetProperty("value")[0];
        Assert.Equal("#Int64", row.GetProperty("RowId@odata.type").GetString());
        Assert.Equal("#DateTimeOffset", row.GetProperty("observed_at@odata.type").GetString());
    }

    private static async Task<byte[]> PageBytesAsync(HttpClient client, string url, string format)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        request.Headers.TryAddWithoutValidation("Prefer", "odata.maxpagesize=500");
        request.Headers.TryAddWithoutValidation("Accept", "application/json;" + format);
        using var response = await client.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadAsByteArrayAsync();
    }

    [Fact]
    public async Task Keyset_pages_over_an_order_with_nulls_and_duplicates_have_no_gaps()
    {
        using var client = factory.CreateClient();
        var query = "$filter=station_code eq 'XQ001' and year(observed_at) eq 2024&$orderby=primary_pollutant desc,aqi&$select=RowId,aqi&$count=true";
        string? url = "/odata/AirQualityHourly?" + query;
        var expected = (await client.GetJsonAsync(url + "&$top=0")).GetProperty("@odata.count").GetInt64();
        Assert.True(expected > 8000);
        var ids = new HashSet<long>();
        while (url is not null)
        {
            var body = await (await client.GetWithAsync(url, "Prefer", "odata.maxpagesize=2000")).ReadJsonAsync();
            Assert.All(body.Values(), v => Assert.True(ids.Add(v.GetProperty("RowId").GetInt64())));
            url = body.TryGetProperty("@odata.nextLink", out var next) ? next.GetString() : null;
        }

        Assert.Equal(expected, ids.Count);
        // Every page of the walk reused one parse of the URL: the kept parses are keyed without $skiptoken.
        var parsed = factory.Services.GetRequiredService<ODataModelProvider>().Current.Parsed.Keys;
        Assert.Single(parsed, k => k.StartsWith("AirQualityHourly?", StringComparison.Ordinal) && k.Contains("primary_pollutant", StringComparison.Ordinal) && !k.Contains("$top=0", StringComparison.Ordinal));
        Assert.DoesNotContain(parsed, k => k.Contains("$skiptoken", StringComparison.Ordinal));
    }

    [Fact]
    public async Task NextLinks_keep_api_key_and_other_parameters_and_carry_the_remaining_top()
    {
        var set = await ODataTestData.SmallSetAsync(factory);
        using var client = factory.CreateClient();
        var (key, _) = await DataOpen.Api.Tests.Access.AccessHelpers.NewKeyAsync(factory); // invalid keys are refused with 401
        var response = await client.GetWithAsync($"/odata/{set}?api_key={key}&$select=id&$skip=2&$top=25&$orderby=id", "Prefer", "odata.maxpagesize=10");
        var body = await response.ReadJsonAsync();
        Assert.Equal([3, 4, 5, 6, 7, 8, 9, 10, 11, 12], body.Values().Select(v => v.GetProperty("id").GetInt32()));
        var next = body.GetProperty("@odata.nextLink").GetString()!;
        Assert.Contains("api_key=" + key, next, StringComparison.Ordinal);
        Assert.Contains("$top=15", next, StringComparison.Ordinal);
        Assert.DoesNotContain("$skip=", next, StringComparison.Ordinal);

        var ids = body.Values().Select(v => v.GetProperty("id").GetInt32()).ToList();
        string? url = next;
        while (url is not null)
        {
            var page = await (await client.GetWithAsync(url, "Prefer", "odata.maxpagesize=10")).ReadJsonAsync();
            ids.AddRange(page.Values().Select(v => v.GetProperty("id").GetInt32()));
            url = page.TryGetProperty("@odata.nextLink", out var n) ? n.GetString() : null;
        }

        Assert.Equal(Enumerable.Range(3, 25), ids);
    }

    [Fact]
    public async Task A_skiptoken_from_another_query_is_refused()
    {
        var set = await ODataTestData.SmallSetAsync(factory);
        using var client = factory.CreateClient();
        var body = await (await client.GetWithAsync($"/odata/{set}?$orderby=id", "Prefer", "odata.maxpagesize=5")).ReadJsonAsync();
        var next = body.GetProperty("@odata.nextLink").GetString()!;
        await client.GetErrorAsync(next.Replace("$orderby=id", "$orderby=value", StringComparison.Ordinal), HttpStatusCode.BadRequest, "bad_skiptoken");
        await client.GetErrorAsync(next.Replace(".c.", ".o.", StringComparison.Ordinal), HttpStatusCode.BadRequest, "bad_skiptoken");
        await client.GetErrorAsync(next.Replace("$skiptoken=1.", "$skiptoken=9.", StringComparison.Ordinal), HttpStatusCode.BadRequest, "bad_skiptoken");
    }

    [Fact]
    public async Task The_default_page_size_is_1000_and_a_client_may_ask_for_another()
    {
        using var client = factory.CreateClient();
        var body = await client.GetJsonAsync("/odata/AirQualityHourly?$select=aqi");
        Assert.Equal(1000, body.Values().Count);
        Assert.True(body.TryGetProperty("@odata.nextLink", out _));

        var small = await (await client.GetWithAsync("/odata/AirQualityHourly?$select=aqi", "Prefer", "odata.maxpagesize=7")).ReadJsonAsync();
        Assert.Equal(7, small.Values().Count);
    }
}
