using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using DataOpen.Api.Tests.Access;
using DataOpen.Api.Tests.Infrastructure;
using DataOpen.Api.Webhooks;
using Microsoft.Extensions.DependencyInjection;
using StandardWebhooks;

namespace DataOpen.Api.Tests.Webhooks;

/// <summary>
/// Webhooks end to end with a real receiver (Kestrel on loopback): a publish queues a delivery in the publishing
/// transaction, the dispatcher signs it (Standard Webhooks, HMAC-SHA256) and POSTs it, retries a 500 with backoff,
/// gives a delivery up after MaxAttempts (3 here) and disables the subscription after DisableAfterFailures (4 here)
/// failures in a row; conditional data goes only to keys with a live grant. The test factory allows loopback http.
/// </summary>
[Collection(ApiTests.Name)]
public sealed class WebhookTests(DataOpenFactory factory)
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(20);

    private async Task PublishAsync(string id, int rows)
    {
        using var admin = factory.CreateAdminClient();
        await TestDatasets.PublishIdNameCsvAsync(admin, id, rows, "甲");
    }

    private async Task<string> NewDatasetAsync(string openClass = "unconditional")
    {
        await TestDatasets.EnsureReferencesAsync(factory.Database);
        var def = TestDatasets.Definition(TestDatasets.NewIdentifier("t-hook"), openClass: openClass);
        using var admin = factory.CreateAdminClient();
        var put = await admin.PutAsync($"/api/v1/admin/datasets/{def.Identifier}",
            new StringContent(JsonSerializer.Serialize(def, DataOpen.Core.Catalog.DatasetDefinition.JsonOptions), Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        await PublishAsync(def.Identifier, 1);
        return def.Identifier;
    }

    private static async Task<JsonElement> SubscribeAsync(HttpClient client, string dataset, string url, HttpStatusCode expected = HttpStatusCode.Created)
    {
        var response = await client.PostAsJsonAsync("/api/v1/webhooks", new { dataset, url });
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == expected, $"{(int)response.StatusCode} {text}");
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    private static async Task<JsonElement> WaitForDeliveryAsync(HttpClient client, long id, Func<JsonElement, bool> done)
    {
        var until = DateTimeOffset.UtcNow + Wait;
        JsonElement log;
        do
        {
            log = await client.GetFromJsonAsync<JsonElement>($"/api/v1/webhooks/{id}/deliveries");
            if (log.GetArrayLength() > 0 && done(log))
            {
                return log;
            }

            await Task.Delay(100);
        }
        while (DateTimeOffset.UtcNow < until);
        return log;
    }

    [Fact]
    public async Task A_new_version_is_delivered_signed_with_the_secret_shown_once()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        var dataset = await NewDatasetAsync();
        var (key, _) = await AccessHelpers.NewKeyAsync(factory);
        using var holder = AccessHelpers.ClientWithKey(factory, key);
        var created = await SubscribeAsync(holder, dataset, receiver.Url);
        var secret = created.GetProperty("secret").GetString()!;
        Assert.StartsWith("whsec_", secret, StringComparison.Ordinal);
        var id = created.GetProperty("id").GetInt64();
        var shown = await holder.GetFromJsonAsync<JsonElement>($"/api/v1/webhooks/{id}");
        Assert.False(shown.TryGetProperty("secret", out _));
        Assert.DoesNotContain(secret[6..], (await holder.GetStringAsync("/api/v1/webhooks")), StringComparison.Ordinal);

        await PublishAsync(dataset, 3);
        var hook = Assert.Single(await receiver.WaitForAsync(1, Wait));

        // Standard Webhooks' own verifier, and the HMAC by hand as the specification defines it.
        new StandardWebhook(secret).Verify(hook.Body, hook.Headers);
        var signed = $"{hook.Headers["webhook-id"]}.{hook.Headers["webhook-timestamp"]}.{hook.Body}";
        var expected = Convert.ToBase64String(HMACSHA256.HashData(Convert.FromBase64String(secret[6..]), Encoding.UTF8.GetBytes(signed)));
        Assert.Equal("v1," + expected, hook.Headers["webhook-signature"].ToString());
        Assert.Throws<StandardWebhooks.Diagnostics.WebhookVerificationException>(() => new StandardWebhook(secret).Verify(hook.Body.Replace("\"version\":2", "\"version\":9", StringComparison.Ordinal), hook.Headers));

        var payload = JsonDocument.Parse(hook.Body).RootElement;
        Assert.Equal("dataset.version.published", payload.GetProperty("type").GetString());
        Assert.Equal(dataset, payload.GetProperty("data").GetProperty("dataset").GetString());
        Assert.Equal(2, payload.GetProperty("data").GetProperty("version").GetInt32());
        Assert.Equal(3, payload.GetProperty("data").GetProperty("rowCount").GetInt64());

        var log = await WaitForDeliveryAsync(holder, id, l => l[0].GetProperty("status").GetString() == "delivered");
        var delivery = log[0];
        Assert.Equal("delivered", delivery.GetProperty("status").GetString());
        Assert.Equal(hook.Headers["webhook-id"].ToString(), delivery.GetProperty("messageId").GetString());
        Assert.Equal(200, Assert.Single(delivery.GetProperty("log").EnumerateArray()).GetProperty("statusCode").GetInt32());

        // The verifiers printed in docs/feeds.md accept this delivery and refuse a tampered body.
        await WebhookDocSnippets.AssertVerifiesAsync(secret, hook);
    }

    [Fact]
    public async Task A_500_is_retried_with_backoff_and_repeated_failure_disables_the_subscription()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        var dataset = await NewDatasetAsync();
        var (key, _) = await AccessHelpers.NewKeyAsync(factory);
        using var holder = AccessHelpers.ClientWithKey(factory, key);
        var id = (await SubscribeAsync(holder, dataset, receiver.Url)).GetProperty("id").GetInt64();

        // 500, then 200: delivered on the second attempt, after the backoff.
        receiver.Statuses.Enqueue(500);
        await PublishAsync(dataset, 2);
        var retried = await receiver.WaitForAsync(2, Wait);
        Assert.Equal(2, retried.Count);
        Assert.Equal(retried[0].Headers["webhook-id"].ToString(), retried[1].Headers["webhook-id"].ToString());
        Assert.True(retried[1].At - retried[0].At >= TimeSpan.FromSeconds(0.25), $"retried after {(retried[1].At - retried[0].At).TotalMilliseconds} ms");
        var log = await WaitForDeliveryAsync(holder, id, l => l[0].GetProperty("status").GetString() == "delivered");
        Assert.Equal([500, 200], log[0].GetProperty("log").EnumerateArray().Select(a => a.GetProperty("statusCode").GetInt32()));
        Assert.Equal(0, (await holder.GetFromJsonAsync<JsonElement>($"/api/v1/webhooks/{id}")).GetProperty("consecutiveFailures").GetInt32());

        // Always 500: three attempts and the delivery has failed; one more failure on the next version disables it.
        receiver.DefaultStatus = 500;
        await PublishAsync(dataset, 4);
        log = await WaitForDeliveryAsync(holder, id, l => l[0].GetProperty("status").GetString() == "failed");
        Assert.Equal("failed", log[0].GetProperty("status").GetString());
        Assert.Equal(3, log[0].GetProperty("attempts").GetInt32());
        var afterFailed = await holder.GetFromJsonAsync<JsonElement>($"/api/v1/webhooks/{id}");
        Assert.Equal(("active", 3), (afterFailed.GetProperty("status").GetString(), afterFailed.GetProperty("consecutiveFailures").GetInt32()));
        await PublishAsync(dataset, 5);
        log = await WaitForDeliveryAsync(holder, id, l => l.GetArrayLength() == 3 && l[0].GetProperty("status").GetString() != "pending");
        var disabled = await holder.GetFromJsonAsync<JsonElement>($"/api/v1/webhooks/{id}");
        Assert.Equal("disabled", disabled.GetProperty("status").GetString());
        Assert.Contains("4 failed attempts in a row", disabled.GetProperty("disabledReason").GetString(), StringComparison.Ordinal);
        var sent = receiver.Received.Count;

        // Disabled: a new version queues nothing. Enabled again: deliveries resume.
        await PublishAsync(dataset, 6);
        await Task.Delay(1500);
        Assert.Equal(sent, receiver.Received.Count);
        receiver.DefaultStatus = 200;
        var enabled = await (await holder.PostAsync($"/api/v1/webhooks/{id}/enable", null)).Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(("active", 0), (enabled.GetProperty("status").GetString(), enabled.GetProperty("consecutiveFailures").GetInt32()));
        await PublishAsync(dataset, 7); // the sixth version (versions count publishes, not rows)
        Assert.Equal(6, JsonDocument.Parse((await receiver.WaitForAsync(sent + 1, Wait))[^1].Body).RootElement.GetProperty("data").GetProperty("version").GetInt32());
    }

    [Fact]
    public async Task Conditional_data_needs_a_grant_to_subscribe_and_is_never_sent_once_the_grant_is_revoked()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        var dataset = await NewDatasetAsync("conditional");
        var (key, _) = await AccessHelpers.NewKeyAsync(factory);
        using var holder = AccessHelpers.ClientWithKey(factory, key);
        var refused = await SubscribeAsync(holder, dataset, receiver.Url, HttpStatusCode.Forbidden);
        Assert.EndsWith("/grant-required", refused.GetProperty("type").GetString(), StringComparison.Ordinal);

        var (stewardKey, _) = await AccessHelpers.NewStewardAsync(factory, TestDatasets.Publisher);
        using var steward = AccessHelpers.ClientWithKey(factory, stewardKey);
        var application = await (await holder.PostAsJsonAsync("/api/v1/applications", AccessHelpers.Application(dataset))).Content.ReadFromJsonAsync<JsonElement>();
        var approved = await (await steward.PostAsJsonAsync($"/api/v1/steward/applications/{application.GetProperty("id").GetInt64()}/approve", new { })).Content.ReadFromJsonAsync<JsonElement>();
        var id = (await SubscribeAsync(holder, dataset, receiver.Url)).GetProperty("id").GetInt64();
        await PublishAsync(dataset, 2);
        Assert.Single(await receiver.WaitForAsync(1, Wait));

        Assert.Equal(HttpStatusCode.OK, (await steward.PostAsJsonAsync($"/api/v1/steward/grants/{approved.GetProperty("grantId").GetInt64()}/revoke", new { reason = "test" })).StatusCode);
        await PublishAsync(dataset, 3);
        var log = await WaitForDeliveryAsync(holder, id, l => l[0].GetProperty("version").GetInt32() == 3 && l[0].GetProperty("status").GetString() != "pending");
        Assert.Equal("skipped", log[0].GetProperty("status").GetString());
        Assert.Contains("no live grant", log[0].GetProperty("lastError").GetString(), StringComparison.Ordinal);
        Assert.Single(receiver.Received);
    }

    [Fact]
    public async Task Queued_deliveries_are_each_sent_once_by_competing_dispatchers()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        var dataset = await NewDatasetAsync();
        for (var rows = 2; rows <= 6; rows++)
        {
            await PublishAsync(dataset, rows);
        }

        var (key, _) = await AccessHelpers.NewKeyAsync(factory);
        using var holder = AccessHelpers.ClientWithKey(factory, key);
        var id = (await SubscribeAsync(holder, dataset, receiver.Url)).GetProperty("id").GetInt64();

        // Rows left by an earlier process (a restart): versions 1-6 queued, then three dispatchers (the host's and two more) race.
        await using (var cmd = factory.Database.Writer.CreateCommand(
            "INSERT INTO webhooks.deliveries (subscription_id, dataset_id, version) SELECT $1, dataset_id, version FROM catalog.versions v JOIN catalog.datasets d ON d.id = v.dataset_id WHERE d.identifier = $2"))
        {
            cmd.Parameters.Add(new() { Value = id });
            cmd.Parameters.Add(new() { Value = dataset });
            Assert.Equal(6, await cmd.ExecuteNonQueryAsync());
        }

        var dispatcher = factory.Services.GetRequiredService<WebhookDispatcher>();
        await Task.WhenAll(Enumerable.Range(0, 2).Select(_ => Task.Run(async () =>
        {
            while (await dispatcher.DeliverOneAsync(CancellationToken.None))
            {
            }
        })));
        var received = await receiver.WaitForAsync(6, Wait);
        await Task.Delay(500);
        Assert.Equal(6, receiver.Received.Count);
        Assert.Equal(6, received.Select(r => r.Headers["webhook-id"].ToString()).Distinct().Count());
        Assert.Equal([1, 2, 3, 4, 5, 6], receiver.Received.Select(r => JsonDocument.Parse(r.Body).RootElement.GetProperty("data").GetProperty("version").GetInt32()).Order());
    }

    [Fact]
    public async Task A_receiver_that_refuses_connections_is_logged_and_retried_and_other_subscriptions_still_get_theirs()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        var dataset = await NewDatasetAsync();
        var (key, _) = await AccessHelpers.NewKeyAsync(factory);
        using var holder = AccessHelpers.ClientWithKey(factory, key);
        var closed = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        closed.Start();
        var port = ((IPEndPoint)closed.LocalEndpoint).Port;
        closed.Stop();
        var dead = (await SubscribeAsync(holder, dataset, $"http://127.0.0.1:{port}/hook")).GetProperty("id").GetInt64();
        var live = (await SubscribeAsync(holder, dataset, receiver.Url)).GetProperty("id").GetInt64();

        await PublishAsync(dataset, 2);
        Assert.Single(await receiver.WaitForAsync(1, Wait));
        var log = await WaitForDeliveryAsync(holder, dead, l => l[0].GetProperty("status").GetString() == "failed");
        Assert.Equal("failed", log[0].GetProperty("status").GetString());
        var attempts = log[0].GetProperty("log").EnumerateArray().ToList();
        Assert.Equal(3, attempts.Count);
        Assert.All(attempts, a => Assert.False(a.TryGetProperty("statusCode", out _), a.ToString())); // no answer: no status code
        Assert.All(attempts, a => Assert.False(string.IsNullOrEmpty(a.GetProperty("error").GetString())));
        Assert.Equal("delivered", (await WaitForDeliveryAsync(holder, live, l => l[0].GetProperty("status").GetString() == "delivered"))[0].GetProperty("status").GetString());
    }

    [Fact]
    public async Task Bad_input_is_a_problem_naming_the_parameter()
    {
        var (key, _) = await AccessHelpers.NewKeyAsync(factory);
        using var holder = AccessHelpers.ClientWithKey(factory, key);
        foreach (var (uri, parameter) in new[] { ("/api/v1/webhooks?bogus=1", "bogus"), ("/api/v1/webhooks/1/deliveries?limit=0", "limit"), ("/api/v1/webhooks/1/deliveries?limit=x", "limit") })
        {
            using var response = await holder.GetAsync(uri);
            var text = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{uri}: {(int)response.StatusCode} {text}");
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            Assert.Contains(parameter, text, StringComparison.Ordinal);
        }

        using var missing = await holder.PostAsync("/api/v1/webhooks", new StringContent("{}", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, missing.StatusCode);
        Assert.Equal("dataset", (await missing.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("parameter").GetString());
        using var broken = await holder.PostAsync("/api/v1/webhooks", new StringContent("{\"dataset\":", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, broken.StatusCode);
        Assert.Equal("application/problem+json", broken.Content.Headers.ContentType?.MediaType);
        Assert.Equal(HttpStatusCode.NotFound, (await holder.GetAsync("/api/v1/webhooks/999999999")).StatusCode);
    }

    [Fact]
    public async Task Subscribing_needs_a_key_and_a_safe_URL()
    {
        var dataset = await NewDatasetAsync();
        using var anonymous = factory.CreateClient();
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.PostAsJsonAsync("/api/v1/webhooks", new { dataset, url = "https://example.org/" })).StatusCode);
        var (key, _) = await AccessHelpers.NewKeyAsync(factory);
        using var holder = AccessHelpers.ClientWithKey(factory, key);
        var bad = await SubscribeAsync(holder, dataset, "ftp://example.org/hook", HttpStatusCode.BadRequest);
        Assert.Equal("url", bad.GetProperty("parameter").GetString());
        await SubscribeAsync(holder, dataset, "http://user:pw@127.0.0.1/hook", HttpStatusCode.BadRequest);
        await SubscribeAsync(holder, dataset, "http://10.1.2.3/hook", HttpStatusCode.BadRequest);
        await SubscribeAsync(holder, "enterprise-tax-details", "http://127.0.0.1/hook", HttpStatusCode.NotFound);
    }

    [Theory]
    [InlineData("https://93.184.216.34/hook", false, null)]
    [InlineData("http://93.184.216.34/hook", false, "url must use https")]
    [InlineData("https://127.0.0.1/hook", false, "127.0.0.1 is a loopback address")]
    [InlineData("https://127.0.0.1/hook", true, null)]
    [InlineData("https://[::1]/hook", false, "::1 is a loopback address")]
    [InlineData("https://169.254.169.254/latest/meta-data", false, "169.254.169.254 is not a public address")]
    [InlineData("https://192.168.1.10/", true, "192.168.1.10 is not a public address")]
    [InlineData("https://[fd00::1]/", false, "fd00::1 is not a public address")]
    [InlineData("https://[::ffff:10.0.0.1]/", false, "10.0.0.1 is not a public address")]
    public async Task The_URL_policy_refuses_what_could_reach_inside(string url, bool allowLoopback, string? refusal)
    {
        var policy = new WebhookUrlPolicy(new WebhookOptions { AllowLoopback = allowLoopback });
        var why = policy.Check(url);
        if (why is null)
        {
            (_, why) = await policy.ResolveAsync(new Uri(url).IdnHost, CancellationToken.None);
        }

        Assert.Equal(refusal, why);
    }
}
