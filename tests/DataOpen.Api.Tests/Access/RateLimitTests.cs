using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using DataOpen.Api.Tests.Infrastructure;

namespace DataOpen.Api.Tests.Access;

[Collection(ApiTests.Name)]
public sealed partial class RateLimitTests(DataOpenFactory factory)
{
    [Theory]
    [InlineData("/api/v1/datasets")]
    [InlineData("/api/v1/datasets/air-quality-hourly")]
    [InlineData("/api/v1/no-such-endpoint")]
    public async Task Every_response_carries_RateLimit_Policy_and_RateLimit_in_structured_field_syntax(string path)
    {
        using var client = factory.CreateClient();
        var response = await client.GetAsync(path);
        var policy = Assert.Single(response.Headers.GetValues("RateLimit-Policy"));
        var state = Assert.Single(response.Headers.GetValues("RateLimit"));
        Assert.Matches(PolicyPattern(), policy);
        Assert.Matches(StatePattern(), state);
    }

    [Fact]
    public async Task Health_endpoints_are_not_limited_and_carry_no_headers()
    {
        using var client = factory.CreateClient();
        var response = await client.GetAsync("/health/live");
        Assert.False(response.Headers.Contains("RateLimit"));
    }

    [Fact]
    public async Task A_key_over_its_burst_gets_429_with_Retry_After_and_a_problem_naming_the_rate_limit()
    {
        var (key, id) = await AccessHelpers.NewKeyAsync(factory);
        await AccessHelpers.UpdateKeyAsync(factory, id, new { tier = "research" }); // bursts of 3, refill 0.001/s in tests
        using var client = AccessHelpers.ClientWithKey(factory, key);

        var statuses = new List<HttpStatusCode>();
        HttpResponseMessage? last = null;
        for (var i = 0; i < 5; i++)
        {
            last = await client.GetAsync("/api/v1/keys/me");
            statuses.Add(last.StatusCode);
        }

        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.TooManyRequests, HttpStatusCode.TooManyRequests], statuses);
        Assert.Equal("\"burst\";q=3;w=3000, \"daily\";q=500000;w=86400", Assert.Single(last!.Headers.GetValues("RateLimit-Policy")));
        Assert.StartsWith("\"burst\";r=0;", Assert.Single(last.Headers.GetValues("RateLimit")), StringComparison.Ordinal);
        var retryAfter = last.Headers.RetryAfter!.Delta!.Value.TotalSeconds;
        Assert.InRange(retryAfter, 1, 1000);
        Assert.Equal("application/problem+json", last.Content.Headers.ContentType!.MediaType);
        var problem = await last.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(429, problem.GetProperty("status").GetInt32());
        Assert.Equal("rate", problem.GetProperty("limit").GetString());
        Assert.Equal("research", problem.GetProperty("tier").GetString());
        Assert.True(DateTimeOffset.Parse(problem.GetProperty("resetsAt").GetString()!, CultureInfo.InvariantCulture) > DateTimeOffset.UtcNow);
    }

    [Fact]
    public async Task A_key_over_its_daily_quota_gets_429_until_midnight_Beijing_time()
    {
        var (key, id) = await AccessHelpers.NewKeyAsync(factory);
        await AccessHelpers.UpdateKeyAsync(factory, id, new { tier = "partner" }); // daily quota of 4 in tests
        using var client = AccessHelpers.ClientWithKey(factory, key);

        var ok = 0;
        HttpResponseMessage? last = null;
        for (var i = 0; i < 7; i++)
        {
            last = await client.GetAsync("/api/v1/datasets");
            ok += last.StatusCode == HttpStatusCode.OK ? 1 : 0;
        }

        Assert.Equal(4, ok);
        Assert.Equal(HttpStatusCode.TooManyRequests, last!.StatusCode);
        var problem = await last.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("daily-quota", problem.GetProperty("limit").GetString());
        var china = TimeZoneInfo.FindSystemTimeZoneById("Asia/Shanghai");
        var now = TimeZoneInfo.ConvertTime(DateTimeOffset.UtcNow, china);
        var midnight = new DateTimeOffset(now.Date.AddDays(1), now.Offset);
        Assert.InRange(last.Headers.RetryAfter!.Delta!.Value.TotalSeconds, (midnight - now).TotalSeconds - 5, (midnight - now).TotalSeconds + 5);
        Assert.Contains("\"daily\";r=0;", Assert.Single(last.Headers.GetValues("RateLimit")), StringComparison.Ordinal);
    }

    [Fact]
    public async Task GraphQL_is_charged_by_complexity_and_refused_with_429_when_it_costs_more_than_the_bucket_holds()
    {
        var (key, id) = await AccessHelpers.NewKeyAsync(factory);
        await AccessHelpers.UpdateKeyAsync(factory, id, new { tier = "research" }); // bursts of 3
        using var client = AccessHelpers.ClientWithKey(factory, key);

        static HttpRequestMessage Query(string query)
        {
            var request = new HttpRequestMessage(HttpMethod.Post, "/graphql") { Content = JsonContent.Create(new { query }) };
            request.Headers.Accept.ParseAdd("application/graphql-response+json");
            return request;
        }

        using (var small = Query("{ busStops(first: 2) { nodes { stop_id } } }"))
        {
            var ok = await client.SendAsync(small);
            Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
            Assert.StartsWith("\"burst\";r=2;", Assert.Single(ok.Headers.GetValues("RateLimit")), StringComparison.Ordinal);
        }

        using var big = Query("{ busStops(first: 1000) { nodes { stop_id } } }");
        var refused = await client.SendAsync(big);
        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        var body = await refused.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("RATE_LIMITED", body.GetProperty("errors")[0].GetProperty("extensions").GetProperty("code").GetString());
        Assert.False(body.TryGetProperty("data", out var data) && data.ValueKind == JsonValueKind.Object);
    }

    [Fact]
    public async Task Tiers_are_listed_publicly()
    {
        using var client = factory.CreateClient();
        var tiers = await client.GetFromJsonAsync<JsonElement>("/api/v1/tiers");
        var ids = tiers.EnumerateArray().Select(t => t.GetProperty("tier").GetString()).ToList();
        Assert.Equal("admin anonymous partner registered research", string.Join(' ', ids.Order(StringComparer.Ordinal)));
    }

    [GeneratedRegex("^\"burst\";q=\\d+;w=\\d+, \"daily\";q=\\d+;w=86400$")]
    private static partial Regex PolicyPattern();

    [GeneratedRegex("^\"burst\";r=\\d+;t=\\d+, \"daily\";r=\\d+;t=\\d+$")]
    private static partial Regex StatePattern();
}
