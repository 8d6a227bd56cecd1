using System.Globalization;

namespace DataOpen.Core.Ingest;

internal static partial class ValueParser
{
    /// <summary>yyyy-M-d, yyyy/M/d or yyyy年M月d日 (month and day with one or two digits).</summary>
    public static ParseStatus ParseDate(ReadOnlySpan<char> s, out DateOnly date)
    {
        date = default;
        int i = 0;
        var status = ParseDatePart(s, ref i, allowChinese: true, out int year, out int month, out int day);
        if (status == ParseStatus.BadShape || i != s.Length)
        {
            return ParseStatus.BadShape;
        }

        if (status == ParseStatus.InvalidValue)
        {
            return ParseStatus.InvalidValue;
        }

        date = new DateOnly(year, month, day);
        return ParseStatus.Ok;
    }

    /// <summary>
    /// ISO 8601 and the common spreadsheet form: a date (yyyy-M-d or yyyy/M/d), then optionally T or
    /// spaces and H:mm[:ss[.fffffff]], then optionally Z or an offset (+08:00, +0800, +08).
    /// Without an offset the value is read in <paramref name="zone"/>. Returns a UTC instant.
    /// </summary>
    public static ParseStatus ParseTimestamp(ReadOnlySpan<char> s, TimeSpan zone, out DateTime utc)
    {
        utc = default;
        int i = 0;
        var dateStatus = ParseDatePart(s, ref i, allowChinese: false, out int year, out int month, out int day);
        if (dateStatus == ParseStatus.BadShape)
        {
            return ParseStatus.BadShape;
        }

        int hour = 0, minute = 0, second = 0;
        long fractionTicks = 0;
        var offset = zone;
        if (i < s.Length)
        {
            if (s[i] is 'T' or 't')
            {
                i++;
            }
            else if (s[i] == ' ')
            {
                while (i < s.Length && s[i] == ' ')
                {
                    i++;
                }
            }
            else
            {
                return ParseStatus.BadShape;
            }

            if (!TryDigits(s, ref i, 1, 2, out hour) || !Expect(s, ref i, ':') || !TryDigits(s, ref i, 2, 2, out minute))
            {
                return ParseStatus.BadShape;
            }

            if (i < s.Length && s[i] == ':')
            {
                i++;
                if (!TryDigits(s, ref i, 2, 2, out second))
                {
                    return ParseStatus.BadShape;
                }

                if (i < s.Length && s[i] is '.' or ',')
                {
                    i++;
                    int start = i;
                    long scale = TimeSpan.TicksPerSecond;
                    while (i < s.Length && char.IsAsciiDigit(s[i]))
                    {
                        if (i - start < 7)
                        {
                            scale /= 10;
                            fractionTicks += (s[i] - '0') * scale;
                        }

                        i++;
                    }

                    if (i == start)
                    {
                        return ParseStatus.BadShape;
                    }
                }
            }

            while (i < s.Length && s[i] == ' ')
            {
                i++;
            }

            if (i < s.Length)
            {
                if (s[i] is 'Z' or 'z')
                {
                    offset = TimeSpan.Zero;
                    i++;
                }
                else if (s[i] is '+' or '-')
                {
                    int sign = s[i] == '-' ? -1 : 1;
                    i++;
                    int offsetMinutes = 0;
                    if (!TryDigits(s, ref i, 2, 2, out int offsetHours))
                    {
                        return ParseStatus.BadShape;
                    }

                    if (i < s.Length && s[i] == ':')
                    {
                        i++;
                    }

                    if (i < s.Length && !TryDigits(s, ref i, 2, 2, out offsetMinutes))
                    {
                        return ParseStatus.BadShape;
                    }

                    if (offsetHours > 14 || offsetMinutes > 59)
                    {
                        return ParseStatus.InvalidValue;
                    }

                    offset = new TimeSpan(sign * offsetHours, sign * offsetMinutes, 0);
                }
            }

            if (i != s.Length)
            {
                return ParseStatus.BadShape;
            }
        }

        if (dateStatus == ParseStatus.InvalidValue || hour > 23 || minute > 59 || second > 59)
        {
            return ParseStatus.InvalidValue;
        }

        long ticks = new DateTime(year, month, day, hour, minute, second, DateTimeKind.Unspecified).Ticks + fractionTicks - offset.Ticks;
        if (ticks < DateTime.MinValue.Ticks || ticks > DateTime.MaxValue.Ticks)
        {
            return ParseStatus.InvalidValue;
        }

        utc = new DateTime(ticks, DateTimeKind.Utc);
        return ParseStatus.Ok;
    }

    /// <summary>A date in an explicit .NET pattern (dataset.json field <c>format</c>).</summary>
    public static bool TryParseDateExact(ReadOnlySpan<char> s, string format, out DateOnly date) =>
        DateOnly.TryParseExact(s, format, Invariant, DateTimeStyles.None, out date);

    /// <summary>A timestamp in an explicit .NET pattern; an offset is used when the pattern has one (z), else <paramref name="zone"/>.</summary>
    public static bool TryParseTimestampExact(ReadOnlySpan<char> s, string format, TimeSpan zone, out DateTime utc)
    {
        if (format.Contains('z', StringComparison.Ordinal))
        {
            if (DateTimeOffset.TryParseExact(s, format, Invariant, DateTimeStyles.None, out var withOffset))
            {
                utc = withOffset.UtcDateTime;
                return true;
            }
        }
        else if (DateTime.TryParseExact(s, format, Invariant, DateTimeStyles.None, out var local))
        {
            long ticks = local.Ticks - zone.Ticks;
            if (ticks >= DateTime.MinValue.Ticks && ticks <= DateTime.MaxValue.Ticks)
            {
                utc = new DateTime(ticks, DateTimeKind.Utc);
                return true;
            }
        }

        utc = default;
        return false;
    }

    private static ParseStatus ParseDatePart(ReadOnlySpan<char> s, ref int i, bool allowChinese, out int year, out int month, out int day)
    {
        month = day = 0;
        if (!TryDigits(s, ref i, 4, 4, out year) || i >= s.Length)
        {
            return ParseStatus.BadShape;
        }

        char separator = s[i];
        bool chinese = separator == '年';
        if (!(separator is '-' or '/' || (chinese && allowChinese)))
        {
            return ParseStatus.BadShape;
        }

        i++;
        if (!TryDigits(s, ref i, 1, 2, out month) || !Expect(s, ref i, chinese ? '月' : separator) || !TryDigits(s, ref i, 1, 2, out day))
        {
            return ParseStatus.BadShape;
        }

        if (chinese && !Expect(s, ref i, '日'))
        {
            return ParseStatus.BadShape;
        }

        return year >= 1 && month is >= 1 and <= 12 && day >= 1 && day <= DateTime.DaysInMonth(year, month)
            ? ParseStatus.Ok
            : ParseStatus.InvalidValue;
    }

    private static bool TryDigits(ReadOnlySpan<char> s, ref int i, int min, int max, out int value)
    {
        value = 0;
        int start = i;
        while (i < s.Length && i - start < max && char.IsAsciiDigit(s[i]))
        {
            value = (value * 10) + (s[i] - '0');
            i++;
        }

        return i - start >= min;
    }

    private static bool Expect(ReadOnlySpan<char> s, ref int i, char c)
    {
        if (i < s.Length && s[i] == c)
        {
            i++;
            return true;
        }

        return false;
    }
}
