using System.Net;
using DataOpen.Api.Access;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;

namespace DataOpen.Api.Tests.Access;

public sealed class AccessUnitTests
{
    [Fact]
    public void New_keys_parse_back_to_their_public_id_and_malformed_ones_do_not()
    {
        var id = ApiKeyFormat.NewPublicId();
        var key = ApiKeyFormat.NewKey(id);
        Assert.True(ApiKeyFormat.TryParse(key, out var parsed));
        Assert.Equal(id, parsed);
        // 32 base62 characters carry more than 128 bits.
        Assert.True(ApiKeyFormat.SecretLength * Math.Log2(62) >= 128);

        Assert.False(ApiKeyFormat.TryParse(key[..^1], out _));
        Assert.False(ApiKeyFormat.TryParse("xok_" + key[4..], out _));
        Assert.False(ApiKeyFormat.TryParse(key[..20] + "-" + key[21..], out _));
        Assert.False(ApiKeyFormat.TryParse(key.Replace('_', 'x'), out _));
    }

    [Fact]
    public void Two_new_keys_differ()
    {
        var keys = Enumerable.Range(0, 1000).Select(_ => ApiKeyFormat.NewKey(ApiKeyFormat.NewPublicId())).ToHashSet();
        Assert.Equal(1000, keys.Count);
    }

    [Theory]
    [InlineData("2026-11-27", 5, "2026-12-04")] // Friday + 5 working days = next Friday
    [InlineData("2026-11-28", 1, "2026-11-30")] // Saturday + 1 = Monday
    [InlineData("2026-11-23", 15, "2026-12-14")] // Monday + 15 = Monday three weeks later
    [InlineData("2026-11-26", 0, "2026-11-26")]
    public void Due_dates_count_working_days_skipping_weekends(string start, int days, string due) =>
        Assert.Equal(DateOnly.Parse(due, System.Globalization.CultureInfo.InvariantCulture),
            WorkingDays.Add(DateOnly.Parse(start, System.Globalization.CultureInfo.InvariantCulture), days));

    [Fact]
    public void Forwarded_for_is_believed_only_from_a_trusted_proxy()
    {
        var ip = new ClientIp(Options.Create(new AccessOptions { TrustedProxies = ["10.0.0.0/8", "192.168.1.5"] }));

        Assert.Equal("203.0.113.7", ip.Resolve(Context("10.1.2.3", "203.0.113.7")));
        Assert.Equal("203.0.113.7", ip.Resolve(Context("192.168.1.5", "198.51.100.1, 203.0.113.7, 10.9.9.9")));
        Assert.Equal("198.51.100.20", ip.Resolve(Context("198.51.100.20", "203.0.113.7")));
        Assert.Equal("10.1.2.3", ip.Resolve(Context("10.1.2.3", "garbage")));
        Assert.Throws<InvalidOperationException>(() => new ClientIp(Options.Create(new AccessOptions { TrustedProxies = ["not-an-ip"] })));

        static HttpContext Context(string remote, string forwarded)
        {
            var http = new DefaultHttpContext();
            http.Connection.RemoteIpAddress = IPAddress.Parse(remote);
            http.Request.Headers["X-Forwarded-For"] = forwarded;
            return http;
        }
    }

    [Fact]
    public void RateLimit_fields_report_remaining_and_seconds_until_full_and_until_midnight()
    {
        var tier = new TierPolicy("t", "测", null, 2, 10, 100, true);
        Assert.Equal("\"burst\";q=10;w=5, \"daily\";q=100;w=86400", tier.PolicyHeader);
        var d = new RateDecision(true, tier, 4, 60, null, TimeSpan.Zero, TimeSpan.FromSeconds(3600.2), false);
        Assert.Equal("\"burst\";r=4;t=3, \"daily\";r=60;t=3601", d.Header);
    }

    [Fact]
    public void The_quota_day_ends_at_midnight_Beijing_time()
    {
        var (day, reset) = RateLimitService.Day(new DateTimeOffset(2026, 11, 26, 15, 30, 0, TimeSpan.Zero)); // 23:30 in Beijing
        Assert.Equal(new DateOnly(2026, 11, 26), day);
        Assert.Equal(TimeSpan.FromMinutes(30), reset);
    }

    [Fact]
    public void Fractional_rates_refill_one_token_per_long_period()
    {
        Assert.Equal((1, TimeSpan.FromSeconds(100)), RateLimitService.Refill(new TierPolicy("t", "t", null, 0.01, 3, 10, true)));
        Assert.Equal((20, TimeSpan.FromSeconds(1)), RateLimitService.Refill(new TierPolicy("t", "t", null, 20, 60, 10, true)));
    }
}
