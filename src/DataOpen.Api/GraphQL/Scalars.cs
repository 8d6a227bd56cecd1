using System.Globalization;
using System.Numerics;
using GraphQL.Types;
using GraphQLParser.AST;

namespace DataOpen.Api.GraphQL;

/// <summary>
/// 64-bit integers as JSON strings: JavaScript numbers lose precision above 2^53, and bigint columns
/// (registered capital in fen, GPU card hours…) can go beyond it. Input accepts a string or an integer literal.
/// </summary>
public sealed class StringBigIntGraphType : ScalarGraphType
{
    public StringBigIntGraphType()
    {
        Name = "BigInt";
        Description = "A 64-bit integer, serialised as a JSON string (e.g. \"9007199254740993\") so that JavaScript clients keep every digit. Input: a string or an integer.";
    }

    public override object? ParseLiteral(GraphQLValue value) => value switch
    {
        GraphQLNullValue => null,
        GraphQLIntValue i when long.TryParse(i.Value.Span, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var l) => l,
        GraphQLStringValue s when long.TryParse(s.Value.Span, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var l) => l,
        _ => ThrowLiteralConversionError(value, "expected a 64-bit integer as a string or an integer literal"),
    };

    public override object? ParseValue(object? value) => value switch
    {
        null => null,
        long l => l,
        int i => (long)i,
        BigInteger b when b >= long.MinValue && b <= long.MaxValue => (long)b,
        decimal d when decimal.Truncate(d) == d && d >= long.MinValue && d <= long.MaxValue => (long)d,
        double d when Math.Truncate(d) == d && Math.Abs(d) <= 9007199254740992d => (long)d,
        string s when long.TryParse(s, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var l) => l,
        _ => ThrowValueConversionError(value),
    };

    public override object? Serialize(object? value) => value switch
    {
        null => null,
        long l => l.ToString(CultureInfo.InvariantCulture),
        int i => i.ToString(CultureInfo.InvariantCulture),
        decimal d => d.ToString(CultureInfo.InvariantCulture),
        string s => s,
        _ => ThrowSerializationError(value),
    };
}

/// <summary>
/// Exact decimals (PostgreSQL numeric) as JSON strings: a JSON number would pass through binary
/// floating point in most clients. Input accepts a string, an integer or a float literal.
/// </summary>
public sealed class StringDecimalGraphType : ScalarGraphType
{
    public StringDecimalGraphType()
    {
        Name = "Decimal";
        Description = "An exact decimal number, serialised as a JSON string (e.g. \"12.50\") so that no digit is lost to floating point. Input: a string or a number.";
    }

    public override object? ParseLiteral(GraphQLValue value) => value switch
    {
        GraphQLNullValue => null,
        GraphQLIntValue i when TryParse(i.Value.Span, out var d) => d,
        GraphQLFloatValue f when TryParse(f.Value.Span, out var d) => d,
        GraphQLStringValue s when TryParse(s.Value.Span, out var d) => d,
        _ => ThrowLiteralConversionError(value, "expected a decimal number as a string or a numeric literal"),
    };

    public override object? ParseValue(object? value) => value switch
    {
        null => null,
        decimal d => d,
        long l => (decimal)l,
        int i => (decimal)i,
        BigInteger b when b >= (BigInteger)decimal.MinValue && b <= (BigInteger)decimal.MaxValue => (decimal)b,
        double d when !double.IsNaN(d) && !double.IsInfinity(d) && Math.Abs(d) < 7.9e28 => (decimal)d,
        string s when TryParse(s, out var d) => d,
        _ => ThrowValueConversionError(value),
    };

    public override object? Serialize(object? value) => value switch
    {
        null => null,
        decimal d => d.ToString(CultureInfo.InvariantCulture),
        long l => l.ToString(CultureInfo.InvariantCulture),
        int i => i.ToString(CultureInfo.InvariantCulture),
        string s => s,
        _ => ThrowSerializationError(value),
    };

    private static bool TryParse(ReadOnlySpan<char> text, out decimal value) =>
        decimal.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out value);
}

/// <summary>A calendar date, ISO 8601 <c>yyyy-MM-dd</c>.</summary>
public sealed class IsoDateGraphType : ScalarGraphType
{
    public IsoDateGraphType()
    {
        Name = "Date";
        Description = "A calendar date in ISO 8601 form, e.g. \"2024-01-31\".";
        this.SpecifiedBy(IntrospectionConformance.DateSpec);
    }

    public override object? ParseLiteral(GraphQLValue value) => value switch
    {
        GraphQLNullValue => null,
        GraphQLStringValue s when TryParse(s.Value.Span, out var d) => d,
        _ => ThrowLiteralConversionError(value, "expected a date string yyyy-MM-dd"),
    };

    public override object? ParseValue(object? value) => value switch
    {
        null => null,
        DateOnly d => d,
        string s when TryParse(s, out var d) => d,
        _ => ThrowValueConversionError(value),
    };

    public override object? Serialize(object? value) => value switch
    {
        null => null,
        DateOnly d => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        DateTime d => DateOnly.FromDateTime(d).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        _ => ThrowSerializationError(value),
    };

    private static bool TryParse(ReadOnlySpan<char> text, out DateOnly value) =>
        DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out value);
}

/// <summary>
/// An instant, ISO 8601 with an offset. Output uses +08:00 (Asia/Shanghai, no daylight saving), the
/// zone the platform publishes in; input needs an explicit offset or Z so no instant is ambiguous.
/// </summary>
public sealed class IsoDateTimeGraphType : ScalarGraphType
{
    private static readonly TimeSpan Shanghai = TimeSpan.FromHours(8);

    public IsoDateTimeGraphType()
    {
        Name = "DateTime";
        Description = "An instant in ISO 8601 form with an offset, e.g. \"2024-01-31T08:00:00+08:00\". Output is in +08:00 (Asia/Shanghai); input needs an offset or Z.";
        this.SpecifiedBy(IntrospectionConformance.DateTimeSpec);
    }

    public override object? ParseLiteral(GraphQLValue value) => value switch
    {
        GraphQLNullValue => null,
        GraphQLStringValue s when TryParse(s.Value.Span, out var d) => d,
        _ => ThrowLiteralConversionError(value, "expected an ISO 8601 date-time with an offset, e.g. 2024-01-31T08:00:00+08:00"),
    };

    public override object? ParseValue(object? value) => value switch
    {
        null => null,
        DateTimeOffset d => d.ToUniversalTime(),
        string s when TryParse(s, out var d) => d,
        _ => ThrowValueConversionError(value),
    };

    public override object? Serialize(object? value) => value switch
    {
        null => null,
        DateTimeOffset d => Format(d),
        DateTime d when d.Kind == DateTimeKind.Utc => Format(new DateTimeOffset(d)),
        _ => ThrowSerializationError(value),
    };

    /// <summary>
    /// <c>yyyy-MM-ddTHH:mm:ss[.FFFFFFF]+08:00</c>, by hand: a custom format string per value costs more than the
    /// rest of a row when a page of them is written (GraphQLScalarTests checks it against the format string).
    /// </summary>
    private static string Format(DateTimeOffset d)
    {
        var local = d.ToOffset(Shanghai);
        Span<char> text = stackalloc char[40];
        var n = 0;
        void Digits(Span<char> t, int value, int width)
        {
            for (var i = n + width - 1; i >= n; i--)
            {
                t[i] = (char)('0' + (value % 10));
                value /= 10;
            }

            n += width;
        }

        Digits(text, local.Year, 4);
        text[n++] = '-';
        Digits(text, local.Month, 2);
        text[n++] = '-';
        Digits(text, local.Day, 2);
        text[n++] = 'T';
        Digits(text, local.Hour, 2);
        text[n++] = ':';
        Digits(text, local.Minute, 2);
        text[n++] = ':';
        Digits(text, local.Second, 2);
        var fraction = (int)(local.Ticks % TimeSpan.TicksPerSecond);
        if (fraction != 0)
        {
            text[n++] = '.';
            var width = 7;
            while (fraction % 10 == 0)
            {
                fraction /= 10;
                width--;
            }

            Digits(text, fraction, width);
        }

        "+08:00".CopyTo(text[n..]);
        return new string(text[..(n + 6)]);
    }

    private static bool TryParse(ReadOnlySpan<char> text, out DateTimeOffset value)
    {
        value = default;
        // An offset (Z or ±hh:mm) is required: a bare local time would silently mean the server's zone.
        var t = text.Trim();
        var hasOffset = t.Length > 10 && (t[^1] is 'Z' or 'z' || t[^6] is '+' or '-');
        if (!hasOffset || !DateTimeOffset.TryParse(t, CultureInfo.InvariantCulture, DateTimeStyles.None, out var parsed))
        {
            return false;
        }

        value = parsed.ToUniversalTime();
        return true;
    }
}
