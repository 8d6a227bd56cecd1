using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using DataOpen.Api.Tests.Access;
using DataOpen.Api.Tests.Infrastructure;
using Npgsql;

namespace DataOpen.Api.Tests.Community;

/// <summary>Reuses (应用成果): anyone submits, the stewards of a used dataset's publisher moderate, published ones are public without the contact.</summary>
[Collection(ApiTests.Name)]
public sealed class ReuseTests(DataOpenFactory factory)
{
    private const string Transport = "bus-stops"; // publisher: transport
    private const string Ecology = "air-quality-hourly"; // publisher: ecology-environment

    private static object Submission(string title, params string[] datasets) => new
    {
        title,
        description = "用公交站点数据做的换乘地图 — a transfer map built on the open bus-stop data.",
        kind = "visualisation",
        url = "https://example.org/maps/" + Uri.EscapeDataString(title),
        imageUrl = "https://example.org/maps/preview.png",
        datasets,
        submitter = "长春数据爱好者",
        contact = "maps@example.org",
    };

    [Fact]
    public async Task A_reuse_is_published_by_a_steward_of_a_dataset_it_uses_and_then_listed_without_its_contact()
    {
        var title = "换乘地图 " + Guid.NewGuid().ToString("N")[..8];
        var (holderKey, _) = await AccessHelpers.NewKeyAsync(factory);
        using var holder = AccessHelpers.ClientWithKey(factory, holderKey);
        var submitted = await holder.PostAsJsonAsync("/api/v1/reuses", Submission(title, Transport, Ecology));
        Assert.Equal(HttpStatusCode.Accepted, submitted.StatusCode);
        var id = (await submitted.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt64();

        using var anonymous = factory.CreateClient();
        Assert.Equal(HttpStatusCode.NotFound, (await anonymous.GetAsync($"/api/v1/reuses/{id}")).StatusCode);
        Assert.DoesNotContain(title, await anonymous.GetStringAsync($"/api/v1/reuses?dataset={Transport}&limit=100"), StringComparison.Ordinal);

        // A steward of a publisher none of whose datasets the reuse uses cannot see or moderate it.
        var (planningKey, _) = await AccessHelpers.NewStewardAsync(factory, "science-technology");
        using var planning = AccessHelpers.ClientWithKey(factory, planningKey);
        Assert.DoesNotContain(title, await planning.GetStringAsync("/api/v1/steward/reuses?status=pending"), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, (await planning.PostAsync($"/api/v1/steward/reuses/{id}/publish", null)).StatusCode);

        var (transportKey, transportId) = await AccessHelpers.NewStewardAsync(factory, "transport");
        using var transport = AccessHelpers.ClientWithKey(factory, transportKey);
        var pending = (await transport.GetFromJsonAsync<JsonElement>("/api/v1/steward/reuses?status=pending")).EnumerateArray().Single(r => r.GetProperty("id").GetInt64() == id);
        Assert.Equal("maps@example.org", pending.GetProperty("contact").GetString());
        async Task<long> ReuseCountAsync() => (await anonymous.GetFromJsonAsync<JsonElement>($"/api/v1/datasets/{Transport}")).GetProperty("counters").GetProperty("reuses").GetInt64();
        var before = await ReuseCountAsync();
        var published = await transport.PostAsync($"/api/v1/steward/reuses/{id}/publish", null);
        Assert.Equal(HttpStatusCode.OK, published.StatusCode);
        Assert.Equal(transportId, (await published.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("moderatedBy").GetString());

        Assert.Equal(before + 1, await ReuseCountAsync());
        var one = await anonymous.GetStringAsync($"/api/v1/reuses/{id}");
        Assert.Contains(title, one, StringComparison.Ordinal);
        Assert.DoesNotContain("maps@example.org", one, StringComparison.Ordinal);
        foreach (var dataset in new[] { Transport, Ecology })
        {
            var page = await anonymous.GetFromJsonAsync<JsonElement>($"/api/v1/reuses?dataset={dataset}&limit=100");
            Assert.Contains(page.GetProperty("items").EnumerateArray(), r => r.GetProperty("id").GetInt64() == id);
        }

        Assert.DoesNotContain(Ids(await anonymous.GetFromJsonAsync<JsonElement>("/api/v1/reuses?dataset=policy-measures&limit=100")), r => r == id);

        // Unpublishing needs a reason and takes it off the public list.
        var noReason = await transport.PostAsJsonAsync($"/api/v1/steward/reuses/{id}/reject", new { reason = " " });
        Assert.Equal("reason", (await noReason.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("parameter").GetString());
        Assert.Equal(HttpStatusCode.OK, (await transport.PostAsJsonAsync($"/api/v1/steward/reuses/{id}/reject", new { reason = "链接失效" })).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await anonymous.GetAsync($"/api/v1/reuses/{id}")).StatusCode);

        static IEnumerable<long> Ids(JsonElement page) => page.GetProperty("items").EnumerateArray().Select(r => r.GetProperty("id").GetInt64());
    }

    [Theory]
    [InlineData("title", null, "missing-value")]
    [InlineData("title", "", "missing-value")]
    [InlineData("kind", "game", "bad-value")]
    [InlineData("url", "javascript:alert(1)", "bad-value")]
    [InlineData("url", "/relative", "bad-value")]
    [InlineData("imageUrl", "ftp://example.org/a.png", "bad-value")]
    [InlineData("contact", "not@an@address", "bad-value")]
    [InlineData("datasets", "enterprise-tax-details", "unknown-dataset")]
    [InlineData("datasets", "no-such-dataset", "unknown-dataset")]
    public async Task A_bad_submission_is_a_400_naming_the_field_and_stores_nothing(string field, string? value, string type)
    {
        var title = "坏提交 " + Guid.NewGuid().ToString("N")[..8];
        var body = JsonSerializer.SerializeToNode(Submission(title, Transport))!.AsObject();
        body[field] = field == "datasets" ? new System.Text.Json.Nodes.JsonArray(value) : value;
        using var client = factory.CreateClient();
        var response = await client.PostAsJsonAsync("/api/v1/reuses", body);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType!.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(field, problem.GetProperty("parameter").GetString());
        Assert.EndsWith(type, problem.GetProperty("type").GetString(), StringComparison.Ordinal);
        Assert.Equal(0L, await CountAsync(field == "title" ? null : title));
    }

    [Fact]
    public async Task One_submitter_may_have_only_a_few_reuses_pending_at_once()
    {
        var (key, _) = await AccessHelpers.NewKeyAsync(factory);
        using var client = AccessHelpers.ClientWithKey(factory, key);
        var marker = Guid.NewGuid().ToString("N")[..8];
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 7; i++)
        {
            statuses.Add((await client.PostAsJsonAsync("/api/v1/reuses", Submission($"批量 {marker} {i}", Transport))).StatusCode);
        }

        Assert.Equal(5, statuses.Count(s => s == HttpStatusCode.Accepted));
        Assert.Equal(HttpStatusCode.TooManyRequests, statuses[^1]);
        Assert.Equal(5L, await CountAsync("批量 " + marker));
    }

    private async Task<long> CountAsync(string? titlePrefix)
    {
        if (titlePrefix is null)
        {
            return 0;
        }

        await using var cmd = factory.Database.Writer.CreateCommand("SELECT count(*) FROM community.reuses WHERE starts_with(title, $1)");
        cmd.Parameters.Add(new NpgsqlParameter { Value = titlePrefix });
        return (long)(await cmd.ExecuteScalarAsync())!;
    }
}
