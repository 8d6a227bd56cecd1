using System.Net;
using System.Text.Json;
using DataOpen.Api.Rows;
using DataOpen.Api.OData;
using DataOpen.Api.Publishing;
using DataOpen.Api.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace DataOpen.Api.Tests.OData;

/// <summary>
/// A service that holds at most 1,503 rows read ahead (three pages of 500 with the row after each), without the
/// sample catalog: no other walk shares its read-ahead, so what it reads ahead is exact.
/// </summary>
public sealed class SmallReadAheadFactory : DataOpenFactory
{
    protected override IEnumerable<KeyValuePair<string, string?>> Settings =>
    [
        new("DataOpen:OData:ReadAheadRows", "1503"),
        new("DataOpen:SeedOnStart", "false"),
    ];
}

public sealed class ReadAheadLimitTests(SmallReadAheadFactory factory) : IClassFixture<SmallReadAheadFactory>
{
    [Fact]
    public async Task A_walk_whose_pages_fill_the_rows_held_is_read_ahead_to_its_end()
    {
        // A read would take eight pages of 500, but only three fit: reads shrink to what fits, pause when the rows
        // held are full, and go on as pages are served. Only the first page is read by its own request.
        await TestDatasets.EnsureReferencesAsync(factory.Database);
        var def = TestDatasets.Definition(TestDatasets.NewIdentifier("t-rahead"));
        var folder = TestDatasets.WriteCsvFolder(def, 25_000);
        var publisher = factory.Services.GetRequiredService<DatasetPublisher>();
        Assert.Equal(PublishStatus.Published, (await publisher.PublishAsync(def, Path.Combine(folder, "data.csv"), "test", null, CancellationToken.None)).Status);

        using var client = factory.CreateClient();
        var readAhead = factory.Services.GetRequiredService<PageReadAhead>();
        var (hits, misses) = (readAhead.Hits, readAhead.Misses);
        string? url = $"/odata/{ODataModel.EntitySetName(def.Identifier)}?$select=RowId,value";
        var (pages, seen) = (0, new HashSet<long>());
        while (url is not null)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, url);
            request.Headers.TryAddWithoutValidation("Prefer", "odata.maxpagesize=500");
            using var response = await client.SendAsync(request);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var body = JsonDocument.Parse(await response.Content.ReadAsByteArrayAsync()).RootElement;
            foreach (var v in body.GetProperty("value").EnumerateArray())
            {
                Assert.True(seen.Add(v.GetProperty("RowId").GetInt64()));
            }

            pages++;
            url = body.TryGetProperty("@odata.nextLink", out var next) ? next.GetString() : null;
        }

        Assert.Equal((50, 25_000), (pages, seen.Count));
        Assert.Equal((misses + 1, hits + pages - 1), (readAhead.Misses, readAhead.Hits));
    }
}
