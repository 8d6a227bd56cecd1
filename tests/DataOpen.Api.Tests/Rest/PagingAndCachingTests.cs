using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using DataOpen.Api.Tests.Infrastructure;

namespace DataOpen.Api.Tests.Rest;

[Collection(ApiTests.Name)]
public sealed class PagingAndCachingTests(DataOpenFactory factory)
{
    private static async Task<JsonElement> GetJson(HttpClient client, string url)
    {
        var response = await client.GetAsync(url);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{url}: {(int)response.StatusCode} {text}");
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    private static async Task<List<int>> WalkAsync(HttpClient client, string firstUrl, Func<int, Task>? afterPage = null)
    {
        var ids = new List<int>();
        var url = firstUrl;
        var pages = 0;
        while (url is not null)
        {
            var page = await GetJson(client, url);
            ids.AddRange(page.GetProperty("rows").EnumerateArray().Select(r => r.GetProperty("id").GetInt32()));
            url = page.TryGetProperty("next", out var next) ? next.GetString() : null;
            pages++;
            if (afterPage is not null)
            {
                await afterPage(pages);
            }
        }

        return ids;
    }

    [Theory]
    [InlineData("")]
    [InlineData("&order=-value")]
    [InlineData("&order=station,-day")]
    public async Task Cursor_paging_walks_all_25000_rows_without_duplicates_or_gaps(string order)
    {
        var id = await RestFixtures.PagingAsync(factory);
        using var client = factory.CreateClient();
        var ids = await WalkAsync(client, $"/api/v1/datasets/{id}/rows?limit=1000&select=id,value{order}");
        Assert.Equal(25_000, ids.Count);
        Assert.Equal(Enumerable.Range(1, 25_000), ids.Order());
    }

    [Fact]
    public async Task Next_links_pin_the_version_so_paging_is_stable_across_a_publish()
    {
        await TestDatasets.EnsureReferencesAsync(factory.Database);
        var def = TestDatasets.Definition(TestDatasets.NewIdentifier("t-pin"));
        var folder = TestDatasets.WriteCsvFolder(def, 5_000);
        var source = Path.Combine(folder, "data.csv");
        await RestFixtures.PublishAsync(factory, def, source);
        using var client = factory.CreateClient();

        var ids = await WalkAsync(client, $"/api/v1/datasets/{def.Identifier}/rows?limit=400&order=-value&value[ge]=0", async page =>
        {
            if (page == 1)
            {
                TestDatasets.WriteCsv(source, 50, seed: 5);
                await RestFixtures.PublishAsync(factory, def, source);
            }
        });

        Assert.Equal(Enumerable.Range(1, 5_000), ids.Order());
        var current = await GetJson(client, $"/api/v1/datasets/{def.Identifier}/rows?count=exact&limit=1");
        Assert.Equal(2, current.GetProperty("version").GetInt32());
        Assert.Equal(50, current.GetProperty("count").GetInt64());
    }

    [Fact]
    public async Task A_cursor_from_another_query_is_rejected_as_bad_cursor()
    {
        var id = await RestFixtures.PagingAsync(factory);
        using var client = factory.CreateClient();
        var page = await GetJson(client, $"/api/v1/datasets/{id}/rows?limit=5&order=value");
        var next = page.GetProperty("next").GetString()!;
        var cursor = System.Web.HttpUtility.ParseQueryString(new Uri(next).Query)["cursor"];
        var response = await client.GetAsync($"/api/v1/datasets/{id}/rows?limit=5&order=-value&cursor={cursor}");
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal("cursor", problem.GetProperty("parameter").GetString());
        Assert.Equal("bad_cursor", problem.GetProperty("code").GetString());
    }

    [Fact]
    public async Task Pinned_rows_carry_a_strong_immutable_etag_and_if_none_match_answers_304()
    {
        var version = factory.Catalog.Current.Find("bus-stops")!.Current!.Version;
        using var client = factory.CreateClient();
        var url = $"/api/v1/datasets/bus-stops/rows?version={version}&limit=5&order=stop_id";
        var first = await client.GetAsync(url);
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        var etag = first.Headers.ETag!;
        Assert.False(etag.IsWeak);
        Assert.Contains("immutable", first.Headers.CacheControl!.ToString(), StringComparison.Ordinal);
        Assert.True(first.Headers.CacheControl!.Public);

        using var conditional = new HttpRequestMessage(HttpMethod.Get, url);
        conditional.Headers.IfNoneMatch.Add(etag);
        var second = await client.SendAsync(conditional);
        Assert.Equal(HttpStatusCode.NotModified, second.StatusCode);
        Assert.Empty(await second.Content.ReadAsByteArrayAsync());

        // Same query, parameters in another order: same data, same ETag. Another query: another ETag.
        var reordered = await client.GetAsync($"/api/v1/datasets/bus-stops/rows?order=stop_id&limit=5&version={version}");
        Assert.Equal(etag, reordered.Headers.ETag);
        var other = await client.GetAsync($"/api/v1/datasets/bus-stops/rows?version={version}&limit=6&order=stop_id");
        Assert.NotEqual(etag, other.Headers.ETag);

        var current = await client.GetAsync("/api/v1/datasets/bus-stops/rows?limit=5&order=stop_id");
        Assert.Equal(TimeSpan.FromSeconds(60), current.Headers.CacheControl!.MaxAge);
        Assert.DoesNotContain("immutable", current.Headers.CacheControl!.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Downloads_answer_304_on_if_none_match_and_formats_have_their_own_etags()
    {
        using var client = factory.CreateClient();
        var csv = await client.GetAsync("/api/v1/datasets/bus-stops/download?format=csv&version=1");
        Assert.Equal(HttpStatusCode.OK, csv.StatusCode);
        var etag = csv.Headers.ETag!;
        using var conditional = new HttpRequestMessage(HttpMethod.Get, "/api/v1/datasets/bus-stops/download?format=csv&version=1");
        conditional.Headers.IfNoneMatch.Add(etag);
        Assert.Equal(HttpStatusCode.NotModified, (await client.SendAsync(conditional)).StatusCode);
        var json = await client.GetAsync("/api/v1/datasets/bus-stops/download?format=json&version=1");
        Assert.NotEqual(etag, json.Headers.ETag);
    }

    [Fact]
    public async Task Errors_are_never_cached_under_a_data_etag()
    {
        using var client = factory.CreateClient();
        var response = await client.GetAsync("/api/v1/datasets/bus-stops/rows?filter=route_count%20div%200%20eq%201&version=1");
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Null(response.Headers.ETag);
    }
}
