using System.Globalization;
using DataOpen.Api.Rows;

namespace DataOpen.Api.Tests.Rows;

/// <summary>Timestamps are formatted by hand for speed: the text must stay what the format strings gave.</summary>
public sealed class ValueTextTests
{
    [Fact]
    public void Timestamps_read_as_before_in_Shanghai_time()
    {
        var t = new DateTimeOffset(2024, 6, 30, 15, 59, 59, TimeSpan.Zero).AddTicks(5_000_000);
        Assert.Equal("2024-06-30T23:59:59.5+08:00", ValueText.Timestamp(t));
        Assert.Equal("2024-06-30 23:59:59.5+08", ValueText.SqlTimestamp(t));
    }

    [Fact]
    public void Hand_formatting_matches_the_format_strings_for_any_instant()
    {
        var random = new Random(14);
        for (var i = 0; i < 20_000; i++)
        {
            // Any microsecond from year 1 to 9998, as PostgreSQL's timestamptz holds them.
            var ticks = random.NextInt64(TimeSpan.TicksPerDay, DateTime.MaxValue.Ticks - TimeSpan.TicksPerDay) / 10 * 10;
            var t = new DateTimeOffset(ticks, TimeSpan.Zero);
            if (i % 3 == 0)
            {
                t = t.AddTicks(-(t.Ticks % TimeSpan.TicksPerSecond)); // whole seconds: no fraction at all
            }

            Assert.Equal(Reference(t, "yyyy-MM-dd'T'HH:mm:ss", sqlOffset: false), ValueText.Timestamp(t));
            Assert.Equal(Reference(t, "yyyy-MM-dd HH:mm:ss", sqlOffset: true), ValueText.SqlTimestamp(t));
        }
    }

    /// <summary>The implementation the hand-written one replaced.</summary>
    private static string Reference(DateTimeOffset value, string pattern, bool sqlOffset)
    {
        var local = TimeZoneInfo.ConvertTime(value, ValueText.Zone);
        var text = local.ToString(pattern, CultureInfo.InvariantCulture);
        var micros = local.Ticks % TimeSpan.TicksPerSecond / 10;
        if (micros != 0)
        {
            text += "." + micros.ToString("D6", CultureInfo.InvariantCulture).TrimEnd('0');
        }

        var offset = local.Offset;
        var sign = offset < TimeSpan.Zero ? "-" : "+";
        offset = offset.Duration();
        var format = offset.Seconds != 0 ? @"hh\:mm\:ss" : offset.Minutes != 0 || !sqlOffset ? @"hh\:mm" : "hh";
        return text + sign + offset.ToString(format, CultureInfo.InvariantCulture);
    }
}
