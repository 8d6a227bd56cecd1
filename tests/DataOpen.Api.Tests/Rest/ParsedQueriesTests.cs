using System.Net;
using System.Text.Json;
using DataOpen.Api.Datasets;
using DataOpen.Api.Tests.Infrastructure;

namespace DataOpen.Api.Tests.Rest;

/// <summary>A URL asked again is served from its kept parse (<see cref="ParsedQueries"/>): same answer, and nothing shared across tables.</summary>
[Collection(ApiTests.Name)]
public sealed class ParsedQueriesTests(DataOpenFactory factory)
{
    private static async Task<(JsonElement Body, string? Etag)> GetAsync(HttpClient client, string url)
    {
        using var response = await client.GetAsync(url);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{url}: {(int)response.StatusCode} {text}");
        return (JsonDocument.Parse(text).RootElement.Clone(), response.Headers.ETag?.Tag);
    }

    private static string[] FieldNames(JsonElement body) => [.. body.GetProperty("fields").EnumerateArray().Select(f => f.GetProperty("name").GetString()!)];

    [Fact]
    public async Task The_same_url_asked_again_answers_the_same_rows_etag_and_next_link()
    {
        using var client = factory.CreateClient();
        const string url = "/api/v1/datasets/air-quality-hourly/rows?order=-aqi&limit=7&select=station_code,observed_at,aqi";
        var first = await GetAsync(client, url);
        var second = await GetAsync(client, url);
        Assert.Equal(first.Body.GetRawText(), second.Body.GetRawText());
        Assert.NotNull(first.Etag);
        Assert.Equal(first.Etag, second.Etag);
        Assert.True(ParsedQueries.Count > 0);

        // The next page (a cursor, not kept) continues where the kept first page ended.
        var next = await GetAsync(client, first.Body.GetProperty("next").GetString()!);
        Assert.Equal(7, next.Body.GetProperty("rows").GetArrayLength());
        Assert.True(next.Body.GetProperty("rows")[0].GetProperty("aqi").GetDecimal() <= first.Body.GetProperty("rows")[6].GetProperty("aqi").GetDecimal());
    }

    [Fact]
    public async Task The_same_query_string_on_another_dataset_is_parsed_for_that_dataset()
    {
        var paging = await RestFixtures.PagingAsync(factory);
        using var client = factory.CreateClient();
        const string query = "?limit=3";
        var air = await GetAsync(client, "/api/v1/datasets/air-quality-hourly/rows" + query);
        var other = await GetAsync(client, $"/api/v1/datasets/{paging}/rows" + query);
        Assert.Contains("station_code", FieldNames(air.Body));
        Assert.DoesNotContain("station_code", FieldNames(other.Body));
        Assert.Equal(paging, other.Body.GetProperty("dataset").GetString());
        Assert.NotEqual(air.Etag, other.Etag);
        var again = await GetAsync(client, "/api/v1/datasets/air-quality-hourly/rows" + query);
        Assert.Equal(air.Body.GetRawText(), again.Body.GetRawText());
    }

    [Fact]
    public async Task A_query_that_fails_to_parse_fails_each_time_it_is_asked()
    {
        using var client = factory.CreateClient();
        for (var i = 0; i < 2; i++)
        {
            using var response = await client.GetAsync("/api/v1/datasets/air-quality-hourly/rows?no_such_field=1");
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            Assert.Contains("no_such_field", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }
    }
}
