using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using DataOpen.Api.Access;
using DataOpen.Api.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace DataOpen.Api.Tests.Catalog;

[Collection(ApiTests.Name)]
public sealed class CatalogSearchTests(DataOpenFactory factory)
{
    private static readonly string[] EnterpriseDatasets = ["digital-real-enterprises", "enterprise-energy-consumption"];

    private async Task<JsonElement> GetAsync(string url)
    {
        using var client = factory.CreateClient();
        var response = await client.GetAsync(new Uri(url, UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    private static List<string> Ids(JsonElement body) => body.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("id").GetString()!).ToList();

    [Fact]
    public async Task Searching_kongqi_finds_the_hourly_air_quality_dataset_first()
    {
        var body = await GetAsync("/api/v1/datasets?q=" + Uri.EscapeDataString("空气"));
        Assert.Equal("air-quality-hourly", Ids(body)[0]);
    }

    [Fact]
    public async Task Searching_qiye_finds_every_enterprise_dataset_with_title_matches_first()
    {
        var ids = Ids(await GetAsync("/api/v1/datasets?q=" + Uri.EscapeDataString("企业") + "&limit=100"));
        Assert.All(EnterpriseDatasets, id => Assert.Contains(id, ids));
        Assert.Equal(EnterpriseDatasets.Order(), ids.Take(2).Order()); // both have 企业 in the title
        Assert.DoesNotContain("enterprise-tax-details", ids); // not open: never listed
    }

    [Fact]
    public async Task English_words_match_as_prefixes()
    {
        Assert.Contains("air-quality-hourly", Ids(await GetAsync("/api/v1/datasets?q=air")));
    }

    [Fact]
    public async Task Not_open_datasets_never_appear_and_answer_404()
    {
        var all = Ids(await GetAsync("/api/v1/datasets?limit=100"));
        Assert.DoesNotContain("enterprise-tax-details", all);
        using var client = factory.CreateClient();
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync("/api/v1/datasets/enterprise-tax-details")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync("/api/v1/datasets/enterprise-tax-details/versions")).StatusCode);
    }

    [Fact]
    public async Task Facets_count_matches_and_filters_narrow_the_result()
    {
        var body = await GetAsync("/api/v1/datasets?limit=100");
        var facets = body.GetProperty("facets");
        var open = facets.GetProperty("openClass").EnumerateArray().ToDictionary(f => f.GetProperty("value").GetString()!, f => f.GetProperty("count").GetInt32());
        Assert.True(open["conditional"] >= 1);
        Assert.Equal(body.GetProperty("total").GetInt64(), open.Values.Sum());
        foreach (var axis in new[] { "domain", "industry", "subject" })
        {
            Assert.NotEmpty(facets.GetProperty("themes").GetProperty(axis).EnumerateArray());
        }

        var conditional = await GetAsync("/api/v1/datasets?open_class=conditional");
        Assert.All(conditional.GetProperty("items").EnumerateArray(), i => Assert.Equal("conditional", i.GetProperty("openClass").GetString()));
        var geo = Ids(await GetAsync("/api/v1/datasets?format=geojson&limit=100"));
        Assert.Contains("bus-stops", geo);
        Assert.DoesNotContain("air-quality-hourly", geo);
        var env = Ids(await GetAsync("/api/v1/datasets?theme=domain:environment"));
        Assert.Contains("air-quality-hourly", env);
        var publisher = Ids(await GetAsync("/api/v1/datasets?publisher=ecology-environment"));
        Assert.Contains("air-quality-hourly", publisher);
    }

    [Fact]
    public async Task The_cursor_walks_every_dataset_once_in_title_order()
    {
        var all = Ids(await GetAsync("/api/v1/datasets?sort=title&limit=100"));
        var walked = new List<string>();
        string? next = "/api/v1/datasets?sort=title&limit=3";
        while (next is not null)
        {
            var page = await GetAsync(next.StartsWith("http", StringComparison.Ordinal) ? new Uri(next).PathAndQuery : next);
            walked.AddRange(Ids(page));
            next = page.TryGetProperty("next", out var n) && n.ValueKind == JsonValueKind.String ? n.GetString() : null;
        }

        Assert.Equal(all, walked);
    }

    [Theory]
    [InlineData("/api/v1/datasets?limit=101", "limit")]
    [InlineData("/api/v1/datasets?limit=0", "limit")]
    [InlineData("/api/v1/datasets?sort=random", "sort")]
    [InlineData("/api/v1/datasets?open_class=not-open", "open_class")]
    [InlineData("/api/v1/datasets?theme=environment", "theme")]
    [InlineData("/api/v1/datasets?cursor=garbage", "cursor")]
    public async Task Bad_search_parameters_are_400_problems_naming_the_parameter(string url, string parameter)
    {
        using var client = factory.CreateClient();
        var response = await client.GetAsync(new Uri(url, UriKind.Relative));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType!.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(parameter, problem.GetProperty("parameter").GetString());
    }

    [Fact]
    public async Task Dataset_detail_has_fields_distributions_with_absolute_urls_and_an_etag_that_answers_304()
    {
        using var client = factory.CreateClient();
        var response = await client.GetAsync("/api/v1/datasets/bus-stops");
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.NotEmpty(body.GetProperty("fields").EnumerateArray());
        var formats = body.GetProperty("distributions").EnumerateArray().Select(d => d.GetProperty("format").GetString()).ToList();
        Assert.Contains("geojson", formats);
        Assert.All(body.GetProperty("distributions").EnumerateArray(), d => Assert.StartsWith("http", d.GetProperty("url").GetString(), StringComparison.Ordinal));
        Assert.Equal(1, body.GetProperty("currentVersion").GetProperty("version").GetInt32());

        var again = new HttpRequestMessage(HttpMethod.Get, "/api/v1/datasets/bus-stops");
        again.Headers.TryAddWithoutValidation("If-None-Match", response.Headers.ETag!.Tag);
        Assert.Equal(HttpStatusCode.NotModified, (await client.SendAsync(again)).StatusCode);

        var schema = await client.GetFromJsonAsync<JsonElement>("/api/v1/datasets/bus-stops/schema");
        Assert.Contains(schema.GetProperty("fields").EnumerateArray(), f => f.GetProperty("type").GetString() == "number");
        var versions = await client.GetFromJsonAsync<JsonElement>("/api/v1/datasets/bus-stops/versions");
        Assert.NotEmpty(versions.EnumerateArray());
    }

    [Fact]
    public async Task Views_of_a_dataset_show_in_its_public_counters_after_the_batched_flush()
    {
        using var client = factory.CreateClient();
        var before = (await client.GetFromJsonAsync<JsonElement>("/api/v1/datasets/featured-parks")).GetProperty("counters").GetProperty("views").GetInt64();
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/datasets/featured-parks")).StatusCode); // the page counts too
        await factory.Services.GetRequiredService<UsageCounter>().FlushAsync(CancellationToken.None);
        var after = (await client.GetFromJsonAsync<JsonElement>("/api/v1/datasets/featured-parks")).GetProperty("counters").GetProperty("views").GetInt64();
        Assert.True(after >= before + 2, $"views {before} → {after}");
    }
}
