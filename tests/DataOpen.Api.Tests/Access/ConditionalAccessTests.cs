using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using DataOpen.Api.Access;
using DataOpen.Api.Tests.Infrastructure;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace DataOpen.Api.Tests.Access;

[Collection(ApiTests.Name)]
public sealed class ConditionalAccessTests(DataOpenFactory factory)
{
    private const string Conditional = "enterprise-energy-consumption";

    private string Publisher => factory.Catalog.Current.Find(Conditional)!.Metadata.Publisher;

    [Fact]
    public async Task An_application_without_the_pledge_or_for_open_data_is_refused_naming_the_field()
    {
        var (key, _) = await AccessHelpers.NewKeyAsync(factory);
        using var client = AccessHelpers.ClientWithKey(factory, key);

        var noPledge = await client.PostAsJsonAsync("/api/v1/applications", AccessHelpers.Application(Conditional, pledge: false));
        Assert.Equal(HttpStatusCode.BadRequest, noPledge.StatusCode);
        Assert.Equal("pledgeAccepted", (await noPledge.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("parameter").GetString());

        var open = await client.PostAsJsonAsync("/api/v1/applications", AccessHelpers.Application("air-quality-hourly"));
        Assert.Equal(HttpStatusCode.BadRequest, open.StatusCode);

        var hidden = await client.PostAsJsonAsync("/api/v1/applications", AccessHelpers.Application("enterprise-tax-details"));
        Assert.Equal(HttpStatusCode.NotFound, hidden.StatusCode);

        var badPeriod = await client.PostAsJsonAsync("/api/v1/applications", AccessHelpers.Application(Conditional, periodEnd: "2001-01-01"));
        Assert.Equal(HttpStatusCode.BadRequest, badPeriod.StatusCode);
    }

    [Fact]
    public async Task Apply_review_approve_grants_rows_and_revocation_takes_effect_on_the_next_request()
    {
        var (key, keyId) = await AccessHelpers.NewKeyAsync(factory, "Applicant");
        using var applicant = AccessHelpers.ClientWithKey(factory, key);
        var dataset = factory.Catalog.Current.Find(Conditional)!;
        var access = factory.Services.GetRequiredService<IDatasetAccess>();
        Assert.Equal(AccessOutcome.NeedsGrant, (await AuthorizeAsync(access, key, dataset)).Outcome);

        var applied = await applicant.PostAsJsonAsync("/api/v1/applications", AccessHelpers.Application(Conditional));
        Assert.Equal(HttpStatusCode.Created, applied.StatusCode);
        var application = await applied.Content.ReadFromJsonAsync<JsonElement>();
        var id = application.GetProperty("id").GetInt64();
        Assert.Equal("pending", application.GetProperty("status").GetString());
        var submitted = DateOnly.FromDateTime(DateTime.UtcNow.AddHours(8));
        var calendar = factory.Services.GetRequiredService<WorkCalendar>();
        Assert.Equal(calendar.AddWorkingDays(submitted, 5), DateOnly.Parse(application.GetProperty("formalCheckDue").GetString()!, System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(calendar.AddWorkingDays(submitted, 15), DateOnly.Parse(application.GetProperty("decisionDue").GetString()!, System.Globalization.CultureInfo.InvariantCulture));

        // A steward of another publisher neither sees nor decides it.
        await TestDatasets.EnsureReferencesAsync(factory.Database);
        await factory.Catalog.ReloadAsync(CancellationToken.None);
        var (otherKey, _) = await AccessHelpers.NewStewardAsync(factory, TestDatasets.Publisher);
        using var other = AccessHelpers.ClientWithKey(factory, otherKey);
        var othersList = await other.GetFromJsonAsync<JsonElement>("/api/v1/steward/applications?status=pending");
        Assert.DoesNotContain(othersList.EnumerateArray(), a => a.GetProperty("id").GetInt64() == id);
        Assert.Equal(HttpStatusCode.NotFound, (await other.PostAsJsonAsync($"/api/v1/steward/applications/{id}/approve", new { })).StatusCode);

        // A key holder is not a steward.
        Assert.Equal(HttpStatusCode.Forbidden, (await applicant.GetAsync("/api/v1/steward/applications")).StatusCode);

        var (stewardKey, _) = await AccessHelpers.NewStewardAsync(factory, Publisher);
        using var steward = AccessHelpers.ClientWithKey(factory, stewardKey);
        var pending = await steward.GetFromJsonAsync<JsonElement>("/api/v1/steward/applications?status=pending");
        var mine = pending.EnumerateArray().Single(a => a.GetProperty("id").GetInt64() == id);
        Assert.Equal(keyId, mine.GetProperty("key").GetString());
        Assert.False(mine.GetProperty("overdue").GetBoolean());

        var until = DateTime.UtcNow.AddDays(30).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
        var approved = await steward.PostAsJsonAsync($"/api/v1/steward/applications/{id}/approve", new { until, reason = "用途合理" });
        Assert.Equal(HttpStatusCode.OK, approved.StatusCode);
        var grantId = (await approved.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("grantId").GetInt64();
        Assert.Equal(HttpStatusCode.Conflict, (await steward.PostAsJsonAsync($"/api/v1/steward/applications/{id}/approve", new { })).StatusCode);

        var status = (await applicant.GetFromJsonAsync<JsonElement>("/api/v1/applications/mine")).EnumerateArray().Single(a => a.GetProperty("id").GetInt64() == id);
        Assert.Equal("approved", status.GetProperty("status").GetString());
        Assert.Equal("用途合理", status.GetProperty("reason").GetString());
        var me = await applicant.GetFromJsonAsync<JsonElement>("/api/v1/keys/me");
        Assert.Equal("live", me.GetProperty("grants")[0].GetProperty("state").GetString());

        Assert.Equal(AccessOutcome.Allowed, (await AuthorizeAsync(access, key, dataset)).Outcome);

        var revoked = await steward.PostAsJsonAsync($"/api/v1/steward/grants/{grantId}/revoke", new { reason = "违反约定" });
        Assert.Equal(HttpStatusCode.OK, revoked.StatusCode);
        Assert.Equal(AccessOutcome.NeedsGrant, (await AuthorizeAsync(access, key, dataset)).Outcome);

        var grants = await steward.GetFromJsonAsync<JsonElement>("/api/v1/steward/grants");
        Assert.Equal("revoked", grants.EnumerateArray().Single(g => g.GetProperty("id").GetInt64() == grantId).GetProperty("state").GetString());

        await using var cmd = factory.Database.Writer.CreateCommand("SELECT action FROM audit.admin_log WHERE target = $1 AND details->>'key' = $2 ORDER BY id");
        cmd.Parameters.Add(new() { Value = Conditional });
        cmd.Parameters.Add(new() { Value = keyId });
        var actions = new List<string>();
        await using (var r = await cmd.ExecuteReaderAsync())
        {
            while (await r.ReadAsync())
            {
                actions.Add(r.GetString(0));
            }
        }

        Assert.Equal(["grant", "revoke"], actions);
    }

    [Fact]
    public async Task A_rejection_needs_a_reason_and_the_applicant_sees_it()
    {
        var (key, _) = await AccessHelpers.NewKeyAsync(factory);
        using var applicant = AccessHelpers.ClientWithKey(factory, key);
        var id = (await (await applicant.PostAsJsonAsync("/api/v1/applications", AccessHelpers.Application(Conditional))).Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt64();

        var (stewardKey, _) = await AccessHelpers.NewStewardAsync(factory, Publisher);
        using var steward = AccessHelpers.ClientWithKey(factory, stewardKey);
        var noReason = await steward.PostAsJsonAsync($"/api/v1/steward/applications/{id}/reject", new { });
        Assert.Equal(HttpStatusCode.BadRequest, noReason.StatusCode);
        Assert.Equal("reason", (await noReason.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("parameter").GetString());

        Assert.Equal(HttpStatusCode.OK, (await steward.PostAsJsonAsync($"/api/v1/steward/applications/{id}/reject", new { reason = "用途不明确" })).StatusCode);
        var mine = (await applicant.GetFromJsonAsync<JsonElement>("/api/v1/applications/mine")).EnumerateArray().Single(a => a.GetProperty("id").GetInt64() == id);
        Assert.Equal("rejected", mine.GetProperty("status").GetString());
        Assert.Equal("用途不明确", mine.GetProperty("reason").GetString());
    }

    [Fact]
    public async Task Served_conditional_rows_are_audited_and_stewards_read_the_log_as_json_and_csv()
    {
        var (key, keyId) = await AccessHelpers.NewKeyAsync(factory, "Audited");
        var dataset = factory.Catalog.Current.Find(Conditional)!;
        var access = factory.Services.GetRequiredService<IDatasetAccess>();
        var http = await ContextForAsync(key);
        await access.RecordServedAsync(http, dataset, dataset.Current!.Version, Doors.Rest, "filter=year eq 2024", 17, CancellationToken.None);

        var (stewardKey, _) = await AccessHelpers.NewStewardAsync(factory, Publisher);
        using var steward = AccessHelpers.ClientWithKey(factory, stewardKey);
        var log = await steward.GetFromJsonAsync<JsonElement>($"/api/v1/steward/audit?dataset={Conditional}");
        var entry = log.GetProperty("entries").EnumerateArray().First(e => e.GetProperty("key").GetString() == keyId);
        Assert.Equal(17, entry.GetProperty("rows").GetInt64());
        Assert.Equal("rest", entry.GetProperty("door").GetString());
        Assert.Equal("filter=year eq 2024", entry.GetProperty("query").GetString());

        var csv = await steward.GetAsync($"/api/v1/steward/audit?dataset={Conditional}&format=csv");
        Assert.Equal("text/csv", csv.Content.Headers.ContentType!.MediaType);
        var text = Encoding.UTF8.GetString(await csv.Content.ReadAsByteArrayAsync());
        Assert.StartsWith("\uFEFFid,at,key,dataset,version,door,query,rows", text, StringComparison.Ordinal);
        Assert.Contains($",{keyId},{Conditional},{dataset.Current.Version},rest,filter=year eq 2024,17", text, StringComparison.Ordinal);

        // Another publisher's steward cannot read it.
        var (otherKey, _) = await AccessHelpers.NewStewardAsync(factory, factory.Catalog.Current.Publishers.First(p => p.Id != Publisher).Id);
        using var other = AccessHelpers.ClientWithKey(factory, otherKey);
        Assert.Equal(HttpStatusCode.NotFound, (await other.GetAsync($"/api/v1/steward/audit?dataset={Conditional}")).StatusCode);
    }

    [Theory]
    [InlineData("UPDATE audit.access_log SET rows = 0")]
    [InlineData("DELETE FROM audit.access_log")]
    [InlineData("TRUNCATE audit.access_log")]
    [InlineData("UPDATE audit.admin_log SET actor = 'x'")]
    [InlineData("DELETE FROM audit.admin_log")]
    [InlineData("TRUNCATE audit.admin_log")]
    public async Task The_audit_log_is_append_only_for_the_application_role(string sql)
    {
        await using (var insert = factory.Database.Writer.CreateCommand(
            "INSERT INTO audit.access_log (dataset_id, dataset, door, rows) SELECT id, identifier, 'test', 0 FROM catalog.datasets LIMIT 1; INSERT INTO audit.admin_log (actor, action, target) VALUES ('test', 'test', 'test')"))
        {
            await insert.ExecuteNonQueryAsync();
        }

        await using var cmd = factory.Database.Writer.CreateCommand(sql);
        var ex = await Assert.ThrowsAsync<PostgresException>(() => cmd.ExecuteNonQueryAsync());
        Assert.Equal("42501", ex.SqlState);
    }

    [Fact]
    public async Task Usage_is_counted_per_key_dataset_and_door_and_views_reach_the_public_counters()
    {
        var (key, _) = await AccessHelpers.NewKeyAsync(factory);
        using var client = AccessHelpers.ClientWithKey(factory, key);
        var dataset = factory.Catalog.Current.Find("air-quality-hourly")!;
        long Views()
        {
            using var cmd = factory.Database.Writer.CreateCommand($"SELECT coalesce((SELECT views FROM catalog.dataset_stats WHERE dataset_id = {dataset.Id}), 0)");
            return (long)cmd.ExecuteScalar()!;
        }

        var usage = factory.Services.GetRequiredService<UsageCounter>();
        await usage.FlushAsync(CancellationToken.None);
        var before = Views();
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/v1/datasets/air-quality-hourly")).StatusCode);
        }

        await usage.FlushAsync(CancellationToken.None);
        Assert.True(Views() - before >= 3);

        var report = await client.GetFromJsonAsync<JsonElement>("/api/v1/keys/me/usage");
        var days = report.GetProperty("days").EnumerateArray().ToList();
        Assert.Contains(days, d => !d.TryGetProperty("dataset", out _) && d.GetProperty("door").GetString() == "rest" && d.GetProperty("requests").GetInt64() >= 3);
    }

    [Fact]
    public async Task Usage_counts_the_exact_body_bytes_of_every_door()
    {
        var (key, _) = await AccessHelpers.NewKeyAsync(factory);
        using var client = AccessHelpers.ClientWithKey(factory, key);
        var received = new Dictionary<string, long>();
        async Task GetAsync(string door, HttpRequestMessage request)
        {
            using var response = await client.SendAsync(request);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            received[door] = received.GetValueOrDefault(door) + (await response.Content.ReadAsByteArrayAsync()).Length;
        }

        // Pages written to the response's pipe (REST, OData, GraphQL) and a download written to its stream.
        await GetAsync(Doors.Rest, new HttpRequestMessage(HttpMethod.Get, "/api/v1/datasets/air-quality-hourly/rows?limit=300"));
        await GetAsync(Doors.OData, new HttpRequestMessage(HttpMethod.Get, "/odata/AirQualityHourly?$top=2500"));
        await GetAsync(Doors.Download, new HttpRequestMessage(HttpMethod.Get, "/api/v1/datasets/bus-stops/download?format=csv"));
        await GetAsync(Doors.GraphQL, new HttpRequestMessage(HttpMethod.Post, "/graphql")
        {
            Content = JsonContent.Create(new { query = "{ datasets(first: 20) { nodes { id title { zh en } description { zh } } } }" }),
        });
        Assert.All(received.Values, bytes => Assert.True(bytes > 4096, $"{bytes} bytes"));

        await factory.Services.GetRequiredService<UsageCounter>().FlushAsync(CancellationToken.None);
        var report = await client.GetFromJsonAsync<JsonElement>("/api/v1/keys/me/usage");
        var counted = report.GetProperty("days").EnumerateArray()
            .GroupBy(d => d.GetProperty("door").GetString()!)
            .ToDictionary(g => g.Key, g => g.Sum(d => d.GetProperty("bytes").GetInt64()));
        foreach (var (door, bytes) in received)
        {
            Assert.Equal((door, bytes), (door, counted.GetValueOrDefault(door)));
        }
    }

    private async Task<AccessDecision> AuthorizeAsync(IDatasetAccess access, string key, DataOpen.Api.Catalog.DatasetEntry dataset) =>
        await access.AuthorizeRowsAsync(await ContextForAsync(key), dataset, Doors.Rest, CancellationToken.None);

    /// <summary>A request context carrying the caller the access middleware resolves for <paramref name="key"/>.</summary>
    private async Task<HttpContext> ContextForAsync(string key)
    {
        var keys = factory.Services.GetRequiredService<KeyStore>();
        var (state, record) = await keys.ValidateAsync(key, CancellationToken.None);
        Assert.Equal(KeyState.Valid, state);
        var http = new DefaultHttpContext { RequestServices = factory.Services };
        http.Request.Scheme = "http";
        http.Request.Host = new HostString("localhost");
        http.Features.Set(AccessMiddleware.FromRecord(record!));
        return http;
    }
}
