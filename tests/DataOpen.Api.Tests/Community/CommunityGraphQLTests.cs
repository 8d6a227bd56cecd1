using System.Net.Http.Json;
using System.Text.Json;
using DataOpen.Api.Tests.Access;
using DataOpen.Api.Tests.GraphQL;
using DataOpen.Api.Tests.Infrastructure;

namespace DataOpen.Api.Tests.Community;

/// <summary>GraphQL serves the same reuses and ratings as REST: on the Dataset type and as the root reuses list.</summary>
[Collection(ApiTests.Name)]
public sealed class CommunityGraphQLTests(DataOpenFactory factory)
{
    private static readonly string[] Parks = ["featured-parks"];

    [Fact]
    public async Task A_published_reuse_and_a_rating_appear_on_the_dataset_and_in_the_root_list()
    {
        var title = "GraphQL 应用 " + Guid.NewGuid().ToString("N")[..8];
        using var anonymous = factory.CreateClient();
        var submitted = await anonymous.PostAsJsonAsync("/api/v1/reuses", new
        {
            title, description = "分析站点覆盖。", kind = "analysis", url = "https://example.org/a", datasets = Parks, submitter = "研究组", contact = "r@example.org",
        });
        var id = (await submitted.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt64();
        using var admin = factory.CreateAdminClient();
        (await admin.PostAsync($"/api/v1/steward/reuses/{id}/publish", null)).EnsureSuccessStatusCode();
        var (key, _) = await AccessHelpers.NewKeyAsync(factory);
        using var rater = AccessHelpers.ClientWithKey(factory, key);
        (await rater.PostAsJsonAsync("/api/v1/datasets/featured-parks/ratings", new { stars = 4, comment = "很实用 " + title })).EnsureSuccessStatusCode();

        var data = await anonymous.QueryAsync(
            """
            { dataset(id: "featured-parks") { rating { count average distribution } comments(first: 100) { stars comment } reuses(first: 100) { id title kind datasets } }
              reuses(dataset: "featured-parks", kind: ANALYSIS, first: 100) { id title submitter } }
            """);
        var dataset = data.GetProperty("dataset");
        Assert.True(dataset.GetProperty("rating").GetProperty("count").GetInt32() >= 1);
        Assert.Contains(dataset.GetProperty("comments").EnumerateArray(), c => c.GetProperty("comment").GetString() == "很实用 " + title);
        var reuse = Assert.Single(dataset.GetProperty("reuses").EnumerateArray(), r => r.GetProperty("id").GetString() == id.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal("ANALYSIS", reuse.GetProperty("kind").GetString());
        Assert.Contains(data.GetProperty("reuses").EnumerateArray(), r => r.GetProperty("title").GetString() == title);

        var tooMany = await anonymous.PostAsync("{ reuses(first: 1000) { id } }");
        Assert.Equal("LIMIT_EXCEEDED", tooMany.FirstCode);
    }
}
