using System.Net;
using DataOpen.Api.Access;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
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
        Assert.Equal(Day(due), CommittedCalendar().AddWorkingDays(Day(start), days));

    [Theory]
    // National Day and Mid-Autumn 2025: Oct 1–8 off, Sunday Sep 28 and Saturday Oct 11 worked.
    [InlineData("2025-09-26", 5, "2025-10-10")] // Sep 28 (Sun), 29, 30, Oct 9, 10
    [InlineData("2025-09-26", 15, "2025-10-23")] // … Oct 11 (Sat), 13–17, 20–23
    // Spring Festival 2025: Jan 28–Feb 4 off, Sunday Jan 26 and Saturday Feb 8 worked.
    [InlineData("2025-01-24", 5, "2025-02-07")] // Jan 26 (Sun), 27, Feb 5, 6, 7
    [InlineData("2025-01-24", 6, "2025-02-08")]
    // Labour Day 2025: May 1–5 off, Sunday Apr 27 worked.
    [InlineData("2025-04-25", 1, "2025-04-27")]
    [InlineData("2025-04-30", 1, "2025-05-06")]
    // New Year 2026: Jan 1–3 off, Sunday Jan 4 worked; across the turn of the year.
    [InlineData("2025-12-31", 1, "2026-01-04")]
    // Spring Festival 2026: Feb 15–23 off, Saturdays Feb 14 and 28 worked.
    [InlineData("2026-02-13", 1, "2026-02-14")]
    [InlineData("2026-02-14", 1, "2026-02-24")]
    [InlineData("2026-02-27", 1, "2026-02-28")]
    // Mid-Autumn and National Day 2026: Sep 25–27 and Oct 1–7 off, Sunday Sep 20 and Saturday Oct 10 worked.
    [InlineData("2026-09-18", 1, "2026-09-20")]
    [InlineData("2026-09-24", 1, "2026-09-28")]
    [InlineData("2026-09-30", 1, "2026-10-08")]
    [InlineData("2026-10-09", 1, "2026-10-10")]
    public void Due_dates_skip_public_holidays_and_count_adjusted_working_weekends(string start, int days, string due) =>
        Assert.Equal(Day(due), CommittedCalendar().AddWorkingDays(Day(start), days));

    [Fact]
    public void The_committed_calendar_holds_2025_and_2026_with_every_holiday_of_the_notices()
    {
        var years = WorkCalendar.Parse(File.ReadAllText(CalendarPath), CalendarPath);
        Assert.Equal([2025, 2026], years.Select(y => y.Year));
        // 2025: 1 + 8 + 3 + 5 + 3 + 8 days off, 5 weekend days worked; 2026: 3 + 9 + 3 + 5 + 3 + 3 + 7 off, 6 worked.
        Assert.Equal(28, years[0].Holidays.Count);
        Assert.Equal(5, years[0].Workdays.Count);
        Assert.Equal(33, years[1].Holidays.Count);
        Assert.Equal(6, years[1].Workdays.Count);
        Assert.All(years, y => Assert.All(y.Holidays.Concat(y.Workdays), d => Assert.Equal(y.Year, d.Year)));
    }

    [Fact]
    public void A_year_without_an_arrangement_counts_weekdays_and_warns_once()
    {
        var log = new ListLogger();
        var calendar = new WorkCalendar(WorkCalendar.Parse(File.ReadAllText(CalendarPath), CalendarPath), log);
        Assert.Equal(Day("2030-01-07"), calendar.AddWorkingDays(Day("2029-12-31"), 5)); // Jan 1 2030 is a Tuesday like any other
        Assert.Equal(Day("2030-10-02"), calendar.AddWorkingDays(Day("2030-10-01"), 1)); // and Oct 1 a Tuesday
        var warning = Assert.Single(log.Messages, m => m.Level == LogLevel.Warning);
        Assert.Contains("2030", warning.Text, StringComparison.Ordinal);
        Assert.Contains("work-calendar.json", warning.Text, StringComparison.Ordinal);

        Assert.Equal(Day("2029-06-04"), calendar.AddWorkingDays(Day("2029-06-01"), 1));
        Assert.Equal(2, log.Messages.Count(m => m.Level == LogLevel.Warning)); // 2029, once
        calendar.AddWorkingDays(Day("2025-09-26"), 15);
        calendar.AddWorkingDays(Day("2029-06-01"), 30);
        Assert.Equal(2, log.Messages.Count(m => m.Level == LogLevel.Warning));
    }

    [Theory]
    [InlineData("""{"years":[{"year":2025,"notice":"n","holidays":[],"workdays":[{"date":"2025-10-09","for":"x"}]}]}""", "is a Thursday")]
    [InlineData("""{"years":[{"year":2025,"notice":"n","holidays":[{"name":"h","from":"2025-10-01","to":"2025-10-08"}],"workdays":[{"date":"2025-10-04","for":"x"}]}]}""", "both a holiday and a working day")]
    [InlineData("""{"years":[{"year":2025,"notice":"n","holidays":[{"name":"h","from":"2025-10-08","to":"2025-10-01"}],"workdays":[]}]}""", "runs from 2025-10-08 to 2025-10-01")]
    [InlineData("""{"years":[{"year":2025,"notice":"n","holidays":[{"name":"h","from":"2025-1-8","to":"2025-10-09"}],"workdays":[]}]}""", "years[0] is invalid")]
    [InlineData("""{"years":[{"year":2025,"notice":"n","holidays":[],"workdays":[]},{"year":2025,"notice":"n","holidays":[],"workdays":[]}]}""", "appears twice")]
    [InlineData("""{"years":[{"year":2025,"holidays":[],"workdays":[]}]}""", "years[0] is invalid")]
    [InlineData("""{"holidays":[]}""", "'years'")]
    [InlineData("""{"years":""", "not valid JSON")]
    public void A_broken_calendar_file_fails_naming_the_file_and_the_mistake(string json, string expected)
    {
        var ex = Assert.Throws<InvalidOperationException>(() => WorkCalendar.Parse(json, "seeds/work-calendar.json"));
        Assert.StartsWith("seeds/work-calendar.json: ", ex.Message, StringComparison.Ordinal);
        Assert.Contains(expected, ex.Message, StringComparison.Ordinal);
    }

    private static string CalendarPath => Path.Combine(DataOpen.Api.Infrastructure.RepoPaths.Resolve("seeds"), WorkCalendar.FileName);

    private static WorkCalendar CommittedCalendar() => new(WorkCalendar.Parse(File.ReadAllText(CalendarPath), CalendarPath), new ListLogger());

    private static DateOnly Day(string s) => DateOnly.ParseExact(s, "yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);

    private sealed class ListLogger : ILogger
    {
        public List<(LogLevel Level, string Text)> Messages { get; } = [];

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            Messages.Add((logLevel, formatter(state, exception)));
    }

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
    public void A_page_forwarding_a_form_to_its_own_api_is_seen_as_the_visitor_only_with_the_process_token()
    {
        var token = new SelfCallToken();
        var ip = new ClientIp(Options.Create(new AccessOptions()), token);

        Assert.Equal("203.0.113.7", ip.Resolve(Context("127.0.0.1", "203.0.113.7", token.Value)));
        Assert.Equal("2001:db8::7", ip.Resolve(Context("::1", "2001:db8::7", token.Value)));
        // Without the token, with a forged one, or from another address, X-Forwarded-For is not believed.
        Assert.Equal("127.0.0.1", ip.Resolve(Context("127.0.0.1", "203.0.113.7", null)));
        Assert.Equal("127.0.0.1", ip.Resolve(Context("127.0.0.1", "203.0.113.7", new SelfCallToken().Value)));
        Assert.Equal("198.51.100.20", ip.Resolve(Context("198.51.100.20", "203.0.113.7", token.Value)));
        Assert.Equal("127.0.0.1", ip.Resolve(Context("127.0.0.1", "garbage", token.Value)));

        static HttpContext Context(string remote, string forwarded, string? self)
        {
            var http = new DefaultHttpContext();
            http.Connection.RemoteIpAddress = IPAddress.Parse(remote);
            http.Request.Headers["X-Forwarded-For"] = forwarded;
            if (self is not null)
            {
                http.Request.Headers[SelfCallToken.Header] = self;
            }

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
