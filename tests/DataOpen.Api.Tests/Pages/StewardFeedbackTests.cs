using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using DataOpen.Api.Pages;
using DataOpen.Api.Tests.Access;
using DataOpen.Api.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace DataOpen.Api.Tests.Pages;

/// <summary>
/// Feedback and data requests are scoped like applications: a steward reads and answers reports on their own
/// publisher's datasets and data requests routed to their publisher or to none; anything else is a 404. Admins see all.
/// </summary>
[Collection(ApiTests.Name)]
public sealed class StewardFeedbackTests(DataOpenFactory factory)
{
    private const string TransportDataset = "bus-stops"; // publisher: transport
    private const string EcologyDataset = "air-quality-hourly"; // publisher: ecology-environment

    private FeedbackStore Store => factory.Services.GetRequiredService<FeedbackStore>();

    [Fact]
    public async Task A_steward_reads_and_answers_only_feedback_on_their_own_publishers_datasets()
    {
        var marker = Guid.NewGuid().ToString("N")[..10];
        var transportReport = await Store.AddReportAsync(TransportDataset, "transport", "error", "站点名称有误 " + marker, "stop_name", "a@example.org", CancellationToken.None);
        var ecologyReport = await Store.AddReportAsync(EcologyDataset, "ecology-environment", "question", "监测点位置？" + marker, null, "b@example.org", CancellationToken.None);
        // Recorded under another publisher at submission (say, before the dataset moved): the dataset's publisher now decides.
        var movedReport = await Store.AddReportAsync(TransportDataset, "ecology-environment", "error", "线路编号有误 " + marker, null, null, CancellationToken.None);

        var (transportKey, transportId) = await AccessHelpers.NewStewardAsync(factory, "transport");
        var (ecologyKey, _) = await AccessHelpers.NewStewardAsync(factory, "ecology-environment");
        using var transport = AccessHelpers.ClientWithKey(factory, transportKey);
        using var ecology = AccessHelpers.ClientWithKey(factory, ecologyKey);
        using var admin = factory.CreateAdminClient();

        async Task<long[]> ListedAsync(HttpClient client, string query = "")
        {
            var list = await client.GetFromJsonAsync<JsonElement>("/api/v1/steward/feedback" + query);
            return list.EnumerateArray().Where(r => r.GetProperty("message").GetString()!.EndsWith(marker, StringComparison.Ordinal))
                .Select(r => r.GetProperty("id").GetInt64()).Order().ToArray();
        }

        Assert.Equal(new[] { transportReport, movedReport }.Order(), await ListedAsync(transport));
        Assert.Equal([ecologyReport], await ListedAsync(ecology));
        Assert.Equal(new[] { transportReport, ecologyReport, movedReport }.Order(), await ListedAsync(admin));
        Assert.Empty(await ListedAsync(transport, $"?dataset={EcologyDataset}"));
        Assert.Equal([ecologyReport], await ListedAsync(admin, $"?dataset={EcologyDataset}&status=new"));
        var moved = (await transport.GetFromJsonAsync<JsonElement>($"/api/v1/steward/feedback?dataset={TransportDataset}"))
            .EnumerateArray().Single(r => r.GetProperty("id").GetInt64() == movedReport);
        Assert.Equal("transport", moved.GetProperty("publisher").GetString());

        // Answering another publisher's report: 404, and the report is untouched.
        var refused = await transport.PostAsJsonAsync($"/api/v1/steward/feedback/{ecologyReport}", new { status = "answered", answer = "不归我们管", @public = true });
        Assert.Equal(HttpStatusCode.NotFound, refused.StatusCode);
        Assert.Equal("application/problem+json", refused.Content.Headers.ContentType!.MediaType);
        var untouched = (await ecology.GetFromJsonAsync<JsonElement>($"/api/v1/steward/feedback?dataset={EcologyDataset}"))
            .EnumerateArray().Single(r => r.GetProperty("id").GetInt64() == ecologyReport);
        Assert.Equal("new", untouched.GetProperty("status").GetString());
        Assert.False(untouched.TryGetProperty("answer", out var a) && a.ValueKind != JsonValueKind.Null);

        var answered = await transport.PostAsJsonAsync($"/api/v1/steward/feedback/{transportReport}", new { status = "answered", answer = "已更正。", @public = true });
        Assert.Equal(HttpStatusCode.OK, answered.StatusCode);
        Assert.Equal(transportId, (await answered.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("answeredBy").GetString());
        Assert.Equal(HttpStatusCode.OK, (await ecology.PostAsJsonAsync($"/api/v1/steward/feedback/{ecologyReport}", new { status = "in-progress", @public = false })).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await admin.PostAsJsonAsync($"/api/v1/steward/feedback/{movedReport}", new { status = "closed", @public = false })).StatusCode);

        // A bad body is still a 400 naming what is wrong, and a key holder is no steward.
        var bad = await transport.PostAsJsonAsync($"/api/v1/steward/feedback/{transportReport}", new { status = "done", @public = true });
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Equal("status", (await bad.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("parameter").GetString());
        var (holderKey, _) = await AccessHelpers.NewKeyAsync(factory);
        using var holder = AccessHelpers.ClientWithKey(factory, holderKey);
        Assert.Equal(HttpStatusCode.Forbidden, (await holder.GetAsync("/api/v1/steward/feedback")).StatusCode);
    }

    [Fact]
    public async Task Data_requests_go_to_the_chosen_publishers_stewards_and_unrouted_ones_to_every_steward()
    {
        var marker = Guid.NewGuid().ToString("N")[..10];
        var toTransport = await Store.AddRequestAsync("公交实时到站 " + marker, "希望开放", "transport", null, null, CancellationToken.None);
        var toEcology = await Store.AddRequestAsync("噪声监测 " + marker, "希望开放", "ecology-environment", null, null, CancellationToken.None);
        var unrouted = await Store.AddRequestAsync("停车场空位 " + marker, "希望开放", null, null, null, CancellationToken.None);

        var (transportKey, _) = await AccessHelpers.NewStewardAsync(factory, "transport");
        var (ecologyKey, _) = await AccessHelpers.NewStewardAsync(factory, "ecology-environment");
        using var transport = AccessHelpers.ClientWithKey(factory, transportKey);
        using var ecology = AccessHelpers.ClientWithKey(factory, ecologyKey);
        using var admin = factory.CreateAdminClient();

        async Task<long[]> ListedAsync(HttpClient client)
        {
            var list = await client.GetFromJsonAsync<JsonElement>("/api/v1/steward/requests?status=new");
            return list.EnumerateArray().Where(r => r.GetProperty("title").GetString()!.EndsWith(marker, StringComparison.Ordinal))
                .Select(r => r.GetProperty("id").GetInt64()).Order().ToArray();
        }

        Assert.Equal(new[] { toTransport, unrouted }.Order(), await ListedAsync(transport));
        Assert.Equal(new[] { toEcology, unrouted }.Order(), await ListedAsync(ecology));
        Assert.Equal(new[] { toTransport, toEcology, unrouted }.Order(), await ListedAsync(admin));

        Assert.Equal(HttpStatusCode.NotFound, (await transport.PostAsJsonAsync($"/api/v1/steward/requests/{toEcology}", new { status = "declined", answer = "x", @public = true })).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await ecology.PostAsJsonAsync($"/api/v1/steward/requests/{toEcology}", new { status = "under-review", @public = false })).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await transport.PostAsJsonAsync($"/api/v1/steward/requests/{unrouted}", new { status = "planned", answer = "已列入计划。", @public = true })).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await admin.PostAsJsonAsync($"/api/v1/steward/requests/{toTransport}", new { status = "opened", @public = true })).StatusCode);

        var all = (await admin.GetFromJsonAsync<JsonElement>("/api/v1/steward/requests")).EnumerateArray().ToDictionary(r => r.GetProperty("id").GetInt64());
        Assert.Equal("under-review", all[toEcology].GetProperty("status").GetString());
        Assert.Equal("planned", all[unrouted].GetProperty("status").GetString());
        Assert.Equal("opened", all[toTransport].GetProperty("status").GetString());
    }
}
