using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using DataOpen.Api.Tests.Access;
using DataOpen.Api.Tests.Infrastructure;
using DataOpen.Api.Tests.Rest;

namespace DataOpen.Api.Tests.Community;

/// <summary>Ratings (开放评价): one per dataset per rater, aggregated; stewards answer or hide comments on their own datasets.</summary>
[Collection(ApiTests.Name)]
public sealed class RatingTests(DataOpenFactory factory)
{
    [Fact]
    public async Task Each_key_has_one_rating_per_dataset_and_the_summary_counts_them_all()
    {
        // A dataset of its own, so no other test's ratings mix in.
        var dataset = await PublishAsync();
        var keys = new List<HttpClient>();
        foreach (var stars in new[] { 5, 4, 4, 1 })
        {
            var (key, _) = await AccessHelpers.NewKeyAsync(factory);
            var client = AccessHelpers.ClientWithKey(factory, key);
            keys.Add(client);
            Assert.Equal(HttpStatusCode.OK, (await client.PostAsJsonAsync($"/api/v1/datasets/{dataset}/ratings", new { stars, comment = stars == 1 ? "字段说明太少 " + stars : null })).StatusCode);
        }

        // Rating again replaces the first rating instead of adding one.
        var again = await keys[3].PostAsJsonAsync($"/api/v1/datasets/{dataset}/ratings", new { stars = 2, comment = "补充了说明后好多了" });
        var saved = await again.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(4, saved.GetProperty("summary").GetProperty("count").GetInt32());
        Assert.Equal(3.75, saved.GetProperty("summary").GetProperty("average").GetDouble());
        Assert.Equal([0, 1, 0, 2, 1], saved.GetProperty("summary").GetProperty("distribution").EnumerateArray().Select(e => e.GetInt32()));

        // The ratings feed the stewards' quality view.
        using (var admin = factory.CreateAdminClient())
        {
            var row = (await admin.GetFromJsonAsync<JsonElement>("/api/v1/steward/quality")).EnumerateArray().Single(r => r.GetProperty("dataset").GetString() == dataset);
            Assert.Equal(3.75, row.GetProperty("rating").GetDouble());
            Assert.Equal(4, row.GetProperty("ratings").GetInt32());
        }

        using var anonymous = factory.CreateClient();
        var page = await anonymous.GetFromJsonAsync<JsonElement>($"/api/v1/datasets/{dataset}/ratings");
        var comment = Assert.Single(page.GetProperty("comments").EnumerateArray());
        Assert.Equal("补充了说明后好多了", comment.GetProperty("comment").GetString());
        Assert.False(comment.TryGetProperty("rater", out _));
        foreach (var c in keys)
        {
            c.Dispose();
        }
    }

    [Fact]
    public async Task A_steward_answers_and_hides_comments_on_their_own_datasets_only()
    {
        var dataset = await PublishAsync();
        var (key, _) = await AccessHelpers.NewKeyAsync(factory);
        using var rater = AccessHelpers.ClientWithKey(factory, key);
        await rater.PostAsJsonAsync($"/api/v1/datasets/{dataset}/ratings", new { stars = 3, comment = "缺少坐标系说明" });
        var (transportKey, transportId) = await AccessHelpers.NewStewardAsync(factory, TestDatasets.Publisher);
        var (ecologyKey, _) = await AccessHelpers.NewStewardAsync(factory, "ecology-environment");
        using var transport = AccessHelpers.ClientWithKey(factory, transportKey);
        using var ecology = AccessHelpers.ClientWithKey(factory, ecologyKey);
        var id = (await transport.GetFromJsonAsync<JsonElement>($"/api/v1/steward/ratings?dataset={dataset}")).EnumerateArray().Single().GetProperty("id").GetInt64();
        Assert.Empty((await ecology.GetFromJsonAsync<JsonElement>($"/api/v1/steward/ratings?dataset={dataset}")).EnumerateArray());
        Assert.Equal(HttpStatusCode.NotFound, (await ecology.PostAsJsonAsync($"/api/v1/steward/ratings/{id}", new { hidden = true })).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await transport.PostAsJsonAsync($"/api/v1/steward/ratings/{id}", new { })).StatusCode);

        var answered = await transport.PostAsJsonAsync($"/api/v1/steward/ratings/{id}", new { answer = "已补充：WGS-84。" });
        Assert.Equal(transportId, (await answered.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("answeredBy").GetString());
        using var anonymous = factory.CreateClient();
        var shown = (await anonymous.GetFromJsonAsync<JsonElement>($"/api/v1/datasets/{dataset}/ratings")).GetProperty("comments").EnumerateArray().Single();
        Assert.Equal("已补充：WGS-84。", shown.GetProperty("answer").GetString());

        Assert.Equal(HttpStatusCode.OK, (await transport.PostAsJsonAsync($"/api/v1/steward/ratings/{id}", new { hidden = true })).StatusCode);
        var hidden = await anonymous.GetFromJsonAsync<JsonElement>($"/api/v1/datasets/{dataset}/ratings");
        Assert.Empty(hidden.GetProperty("comments").EnumerateArray());
        Assert.Equal(1, hidden.GetProperty("summary").GetProperty("count").GetInt32()); // the stars still count
    }

    private async Task<string> PublishAsync()
    {
        var def = TestDatasets.Definition(TestDatasets.NewIdentifier("rating"));
        await RestFixtures.PublishAsync(factory, def, Path.Combine(TestDatasets.WriteCsvFolder(def, 20), "data.csv"));
        return def.Identifier;
    }

    [Theory]
    [InlineData("{\"stars\":0}", "stars")]
    [InlineData("{\"stars\":6}", "stars")]
    [InlineData("{}", "stars")]
    public async Task A_bad_rating_is_a_400_naming_the_field(string body, string field)
    {
        using var client = factory.CreateClient();
        var response = await client.PostAsync("/api/v1/datasets/bus-stops/ratings", new StringContent(body, System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(field, (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("parameter").GetString());
    }

    [Fact]
    public async Task Not_open_and_unknown_datasets_cannot_be_rated()
    {
        using var client = factory.CreateClient();
        Assert.Equal(HttpStatusCode.NotFound, (await client.PostAsJsonAsync("/api/v1/datasets/enterprise-tax-details/ratings", new { stars = 5 })).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync("/api/v1/datasets/no-such-dataset/ratings")).StatusCode);
    }
}
