using System.Globalization;

namespace DataOpen.Core.Ingest;

internal enum NumberKind
{
    None,
    Int32,
    Int64,
    Decimal,
    Double,
}

internal enum ParseStatus
{
    Ok,

    /// <summary>The text does not have the form of the type at all.</summary>
    BadShape,

    /// <summary>The form is right but the value is impossible (2023-02-30, 25:00).</summary>
    InvalidValue,
}

/// <summary>
/// Span-based parsers shared by type inference and conversion. All are culture-invariant, reject
/// thousands separators, and allocate nothing on success.
/// </summary>
internal static class ValueParser
{
    /// <summary>Decimal holds 28 significant digits exactly; more would be rounded silently.</summary>
    public const int MaxDecimalDigits = 28;

    /// <summary>No white space (values are trimmed first) and no thousands separators.</summary>
    private const NumberStyles FloatStyle = NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint | NumberStyles.AllowExponent;

    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    /// <summary>The shape of a plain number: sign? digits [. digits] [e sign? digits].</summary>
    private readonly ref struct NumberShape
    {
        public NumberShape(ReadOnlySpan<char> s)
        {
            int i = 0;
            if (s.Length > 0 && (s[0] == '-' || s[0] == '+'))
            {
                i++;
            }

            int intStart = i;
            while (i < s.Length && char.IsAsciiDigit(s[i]))
            {
                i++;
            }

            IntDigits = i - intStart;
            int significantStart = intStart;
            while (significantStart < i - 1 && s[significantStart] == '0')
            {
                significantStart++;
            }

            LeadingZero = IntDigits > 1 && s[intStart] == '0';
            int significantInt = IntDigits == 1 && s[intStart] == '0' ? 0 : i - significantStart;
            if (i < s.Length && s[i] == '.')
            {
                HasPoint = true;
                i++;
                int fracStart = i;
                while (i < s.Length && char.IsAsciiDigit(s[i]))
                {
                    i++;
                }

                FracDigits = i - fracStart;
            }

            ExactDigits = significantInt + FracDigits;
            if (IntDigits + FracDigits == 0)
            {
                return;
            }

            if (i < s.Length && (s[i] == 'e' || s[i] == 'E'))
            {
                i++;
                if (i < s.Length && (s[i] == '-' || s[i] == '+'))
                {
                    i++;
                }

                int expStart = i;
                while (i < s.Length && char.IsAsciiDigit(s[i]))
                {
                    i++;
                }

                if (i == expStart)
                {
                    return;
                }

                HasExponent = true;
            }

            IsNumber = i == s.Length;
        }

        public bool IsNumber { get; }

        public int IntDigits { get; }

        public int FracDigits { get; }

        public bool HasPoint { get; }

        public bool HasExponent { get; }

        /// <summary>More than one integer digit starting with 0, as in codes (007, 0431).</summary>
        public bool LeadingZero { get; }

        /// <summary>Digits a decimal must hold to store the value exactly.</summary>
        public int ExactDigits { get; }
    }

    /// <summary>
    /// The narrowest numeric type that holds the value, for inference. Numbers with leading zeros
    /// (007, 0431) are codes, not numbers: converting them would lose the zeros, so they are None.
    /// </summary>
    public static NumberKind ClassifyNumber(ReadOnlySpan<char> s)
    {
        var integer = ParseInteger(s, out long value);
        if (integer != IntegerStatus.NotInteger)
        {
            if (HasLeadingZero(s))
            {
                return NumberKind.None;
            }

            if (integer == IntegerStatus.Ok)
            {
                return value is >= int.MinValue and <= int.MaxValue ? NumberKind.Int32 : NumberKind.Int64;
            }
        }

        var shape = new NumberShape(s);
        if (!shape.IsNumber || shape.LeadingZero)
        {
            return NumberKind.None;
        }

        if (shape.HasExponent)
        {
            return NumberKind.Double;
        }

        return shape.ExactDigits <= MaxDecimalDigits ? NumberKind.Decimal : NumberKind.Double;
    }

    private enum IntegerStatus
    {
        NotInteger,
        Ok,
        Overflow,
    }

    /// <summary>sign? digits, strictly (no white space, no separators), without the cost of culture-aware parsing.</summary>
    private static IntegerStatus ParseInteger(ReadOnlySpan<char> s, out long value)
    {
        value = 0;
        int i = 0;
        bool negative = false;
        if (s.Length > 0 && (s[0] == '-' || s[0] == '+'))
        {
            negative = s[0] == '-';
            i = 1;
        }

        if (i == s.Length)
        {
            return IntegerStatus.NotInteger;
        }

        ulong magnitude = 0;
        bool overflow = false;
        for (; i < s.Length; i++)
        {
            uint digit = (uint)(s[i] - '0');
            if (digit > 9)
            {
                return IntegerStatus.NotInteger;
            }

            if (magnitude > (ulong.MaxValue - digit) / 10)
            {
                overflow = true;
            }
            else
            {
                magnitude = (magnitude * 10) + digit;
            }
        }

        if (overflow || magnitude > (negative ? (ulong)long.MaxValue + 1 : long.MaxValue))
        {
            return IntegerStatus.Overflow;
        }

        value = negative ? unchecked(-(long)magnitude) : (long)magnitude;
        return IntegerStatus.Ok;
    }

    private static bool HasLeadingZero(ReadOnlySpan<char> s)
    {
        int i = s.Length > 0 && (s[0] == '-' || s[0] == '+') ? 1 : 0;
        return s.Length - i > 1 && s[i] == '0' && char.IsAsciiDigit(s[i + 1]);
    }

    public static bool TryParseInt32(ReadOnlySpan<char> s, out int value, out string? reason)
    {
        var status = ParseInteger(s, out long wide);
        if (status == IntegerStatus.Ok && wide is >= int.MinValue and <= int.MaxValue)
        {
            value = (int)wide;
            reason = null;
            return true;
        }

        value = 0;
        reason = status == IntegerStatus.NotInteger ? NumberFailure(s, "not an integer") : "value out of range for integer";
        return false;
    }

    public static bool TryParseInt64(ReadOnlySpan<char> s, out long value, out string? reason)
    {
        var status = ParseInteger(s, out value);
        if (status == IntegerStatus.Ok)
        {
            reason = null;
            return true;
        }

        reason = status == IntegerStatus.NotInteger ? NumberFailure(s, "not an integer") : "value out of range for bigint";
        return false;
    }

    public static bool TryParseDecimal(ReadOnlySpan<char> s, out decimal value, out string? reason)
    {
        var shape = new NumberShape(s);
        if (shape.IsNumber && !shape.HasExponent && shape.ExactDigits > MaxDecimalDigits)
        {
            value = 0;
            reason = $"more than {MaxDecimalDigits} significant digits for a decimal (declare the column double)";
            return false;
        }

        if (shape.IsNumber && !shape.HasExponent && shape.IntDigits + shape.FracDigits <= 18)
        {
            // Up to 18 digits fit a ulong: build the decimal from mantissa and scale, far cheaper than decimal.TryParse.
            ulong mantissa = 0;
            foreach (char c in s)
            {
                if (char.IsAsciiDigit(c))
                {
                    mantissa = (mantissa * 10) + (uint)(c - '0');
                }
            }

            value = new decimal((int)(uint)mantissa, (int)(uint)(mantissa >> 32), 0, s[0] == '-', (byte)shape.FracDigits);
            reason = null;
            return true;
        }

        if (shape.IsNumber && decimal.TryParse(s, FloatStyle, Invariant, out value))
        {
            reason = null;
            return true;
        }

        value = 0;
        reason = shape.IsNumber ? "value out of range for decimal" : NumberFailure(s, "not a number");
        return false;
    }

    public static bool TryParseDouble(ReadOnlySpan<char> s, out double value, out string? reason)
    {
        var shape = new NumberShape(s);
        if (shape.IsNumber)
        {
            if (double.TryParse(s, FloatStyle, Invariant, out value) && double.IsFinite(value))
            {
                reason = null;
                return true;
            }

            reason = "value out of range for double";
            return false;
        }

        // PostgreSQL's special values, only when spelled out.
        if (s.Equals("NaN", StringComparison.OrdinalIgnoreCase))
        {
            value = double.NaN;
        }
        else if (s.Equals("Infinity", StringComparison.OrdinalIgnoreCase) || s.Equals("+Infinity", StringComparison.OrdinalIgnoreCase))
        {
            value = double.PositiveInfinity;
        }
        else if (s.Equals("-Infinity", StringComparison.OrdinalIgnoreCase))
        {
            value = double.NegativeInfinity;
        }
        else
        {
            value = 0;
            reason = NumberFailure(s, "not a number");
            return false;
        }

        reason = null;
        return true;
    }

    private static string NumberFailure(ReadOnlySpan<char> s, string otherwise) =>
        s.Contains(',') && IsGroupedNumber(s) ? "thousands separator not allowed (write 1234, not 1,234)" : otherwise;

    /// <summary>1,234 or -12,345.67: digits grouped by commas, what a spreadsheet shows with a thousands format.</summary>
    private static bool IsGroupedNumber(ReadOnlySpan<char> s)
    {
        Span<char> buffer = s.Length <= 128 ? stackalloc char[s.Length] : new char[s.Length];
        int n = 0;
        foreach (char c in s)
        {
            if (c != ',')
            {
                buffer[n++] = c;
            }
        }

        return n > 0 && new NumberShape(buffer[..n]).IsNumber && s[0] != ',' && s[^1] != ',';
    }

    /// <summary>Booleans for inference: true/false, yes/no, 是/否. 1/0 are not taken, so 0/1 columns stay integer.</summary>
    public static bool TryParseBooleanStrict(ReadOnlySpan<char> s, out bool value)
    {
        if (s.Equals("true", StringComparison.OrdinalIgnoreCase) || s.Equals("yes", StringComparison.OrdinalIgnoreCase) || s.SequenceEqual("是"))
        {
            value = true;
            return true;
        }

        if (s.Equals("false", StringComparison.OrdinalIgnoreCase) || s.Equals("no", StringComparison.OrdinalIgnoreCase) || s.SequenceEqual("否"))
        {
            value = false;
            return true;
        }

        value = false;
        return false;
    }

    /// <summary>Booleans in a column declared boolean: also 1/0, t/f, y/n.</summary>
    public static bool TryParseBoolean(ReadOnlySpan<char> s, out bool value)
    {
        if (TryParseBooleanStrict(s, out value))
        {
            return true;
        }

        if (s.Length == 1)
        {
            switch (s[0])
            {
                case '1' or 't' or 'T' or 'y' or 'Y':
                    value = true;
                    return true;
                case '0' or 'f' or 'F' or 'n' or 'N':
                    value = false;
                    return true;
            }
        }

        return false;
    }

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
