using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using DataOpen.Api.Tests.Access;
using DataOpen.Api.Tests.Infrastructure;

namespace DataOpen.Api.Tests.Webhooks;

/// <summary>Its own service and throwaway cluster, so stopping PostgreSQL disturbs no other test.</summary>
public sealed class WebhookOutageFactory : DataOpenFactory
{
    protected override IEnumerable<KeyValuePair<string, string?>> Settings => [new("DataOpen:SeedOnStart", "false")];
}

/// <summary>
/// PostgreSQL stops while a delivery is in flight (the receiver has the message, its answer not yet recorded):
/// the webhook endpoints answer 503 problem+json with Retry-After, the feeds keep serving from the snapshot, the
/// dispatcher lives on, and once the database is back the unrecorded delivery is sent again with the same
/// webhook-id (at least once) and recorded, and later versions are delivered as usual.
/// </summary>
public sealed class WebhookOutageTests(WebhookOutageFactory factory) : IClassFixture<WebhookOutageFactory>
{
    // Generous: on a loaded 2-core CI machine the restart, the lease expiry and the redelivery can take tens of seconds.
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task A_database_outage_mid_delivery_is_a_503_for_clients_and_the_delivery_is_sent_again_once_it_is_back()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await TestDatasets.EnsureReferencesAsync(factory.Database);
        var def = TestDatasets.Definition(TestDatasets.NewIdentifier("t-hook-down"));
        using var admin = factory.CreateAdminClient();
        Assert.Equal(HttpStatusCode.OK, (await admin.PutAsync($"/api/v1/admin/datasets/{def.Identifier}",
            new StringContent(JsonSerializer.Serialize(def, DataOpen.Core.Catalog.DatasetDefinition.JsonOptions), Encoding.UTF8, "application/json"))).StatusCode);
        await TestDatasets.PublishIdNameCsvAsync(admin, def.Identifier, 1);
        var (key, _) = await AccessHelpers.NewKeyAsync(factory);
        using var holder = AccessHelpers.ClientWithKey(factory, key);
        var subscribed = await holder.PostAsJsonAsync("/api/v1/webhooks", new { dataset = def.Identifier, url = receiver.Url });
        Assert.Equal(HttpStatusCode.Created, subscribed.StatusCode);
        var id = (await subscribed.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt64();

        // Version 2 reaches the receiver, which holds its answer while PostgreSQL is stopped under the dispatcher.
        var answer = new TaskCompletionSource();
        receiver.Hold = answer.Task;
        await TestDatasets.PublishIdNameCsvAsync(admin, def.Identifier, 2);
        var first = Assert.Single(await receiver.WaitForAsync(1, Wait));
        var embedded = factory.Database.Embedded!;
        await embedded.StopServerAsync(immediate: true, CancellationToken.None);
        receiver.Hold = null;
        answer.SetResult();

        foreach (var send in new Func<Task<HttpResponseMessage>>[]
        {
            () => holder.GetAsync("/api/v1/webhooks"),
            () => holder.GetAsync($"/api/v1/webhooks/{id}/deliveries"),
            () => holder.PostAsJsonAsync("/api/v1/webhooks", new { dataset = def.Identifier, url = receiver.Url + "?2" }),
        })
        {
            using var down = await send();
            var text = await down.Content.ReadAsStringAsync();
            Assert.True(down.StatusCode == HttpStatusCode.ServiceUnavailable, $"{(int)down.StatusCode} {text}");
            Assert.NotNull(down.Headers.RetryAfter);
            Assert.Equal("application/problem+json", down.Content.Headers.ContentType?.MediaType);
        }

        using (var feed = await holder.GetAsync($"/feeds/datasets/{def.Identifier}/versions.atom"))
        {
            Assert.Equal(HttpStatusCode.OK, feed.StatusCode);
        }

        await Task.Delay(2000); // the dispatcher meets the dead database several times meanwhile
        await embedded.StartServerAsync(CancellationToken.None);

        var again = await receiver.WaitForAsync(2, Wait);
        Assert.Equal(2, again.Count);
        Assert.Equal(first.Headers["webhook-id"].ToString(), again[1].Headers["webhook-id"].ToString());
        var log = await WaitAsync(holder, id, l => l[0].GetProperty("status").GetString() == "delivered");
        Assert.Equal("delivered", log[0].GetProperty("status").GetString());
        Assert.Equal(2, log[0].GetProperty("version").GetInt32());

        await TestDatasets.PublishIdNameCsvAsync(admin, def.Identifier, 3);
        var third = await receiver.WaitForAsync(3, Wait);
        Assert.Equal(3, JsonDocument.Parse(third[^1].Body).RootElement.GetProperty("data").GetProperty("version").GetInt32());
    }

    private static async Task<JsonElement> WaitAsync(HttpClient client, long id, Func<JsonElement, bool> done)
    {
        var until = DateTimeOffset.UtcNow + Wait;
        JsonElement log;
        do
        {
            using var response = await client.GetAsync($"/api/v1/webhooks/{id}/deliveries");
            if (response.IsSuccessStatusCode)
            {
                log = await response.Content.ReadFromJsonAsync<JsonElement>();
                if (log.GetArrayLength() > 0 && done(log))
                {
                    return log;
                }
            }

            await Task.Delay(200);
        }
        while (DateTimeOffset.UtcNow < until);
        return await client.GetFromJsonAsync<JsonElement>($"/api/v1/webhooks/{id}/deliveries");
    }
}
