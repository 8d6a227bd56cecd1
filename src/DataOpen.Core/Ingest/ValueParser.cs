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
internal static partial class ValueParser
{
    /// <summary>Decimal holds 28 significant digits exactly; more would be rounded silently.</summary>
    public const int MaxDecimalDigits = 28;

    /// <summary>No white space (values are trimmed first) and no thousands separators.</summary>
    private const NumberStyles FloatStyle = NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint | NumberStyles.AllowExponent;

    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    private enum IntegerStatus
    {
        NotInteger,
        Ok,
        Overflow,
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
}
