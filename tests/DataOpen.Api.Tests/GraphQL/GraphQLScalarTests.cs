using System.Globalization;
using DataOpen.Api.GraphQL;

namespace DataOpen.Api.Tests.GraphQL;

/// <summary>The DateTime scalar formats by hand for speed: its text must stay what the format string gave.</summary>
public sealed class GraphQLScalarTests
{
    [Fact]
    public void DateTime_output_matches_the_format_string_for_any_instant()
    {
        var scalar = new IsoDateTimeGraphType();
        Assert.Equal("2024-01-31T08:00:00+08:00", scalar.Serialize(new DateTimeOffset(2024, 1, 31, 0, 0, 0, TimeSpan.Zero)));
        Assert.Equal("2024-01-31T08:00:00.25+08:00", scalar.Serialize(new DateTimeOffset(2024, 1, 31, 0, 0, 0, TimeSpan.Zero).AddMilliseconds(250)));
        var random = new Random(14);
        for (var i = 0; i < 20_000; i++)
        {
            var ticks = random.NextInt64(TimeSpan.TicksPerDay, DateTime.MaxValue.Ticks - TimeSpan.TicksPerDay);
            var t = new DateTimeOffset(i % 3 == 0 ? ticks - (ticks % TimeSpan.TicksPerSecond) : ticks, TimeSpan.Zero);
            var reference = t.ToOffset(TimeSpan.FromHours(8)).ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFFFzzz", CultureInfo.InvariantCulture).Replace(".+", "+", StringComparison.Ordinal);
            Assert.Equal(reference, scalar.Serialize(t));
        }
    }
}
