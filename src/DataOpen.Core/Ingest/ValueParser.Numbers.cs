namespace DataOpen.Core.Ingest;

internal static partial class ValueParser
{
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
}
