using System.Globalization;

namespace DataOpen.Api.Rows;

/// <summary>
/// The one text form of every value in every download and in JSON rows. It matches what
/// PostgreSQL prints for the same value in the expressions <see cref="CopyExpression"/> builds,
/// so a CSV written by COPY and one written row by row are byte-identical.
/// </summary>
public static class ValueText
{
    /// <summary>Timestamps are shown in the platform's zone (China Standard Time, no DST since 1991).</summary>
    public static readonly TimeZoneInfo Zone = FindZone();

    /// <summary>
    /// The text of a value in CSV: as <see cref="Format"/> except timestamps, which use PostgreSQL's
    /// ISO output (<c>2024-01-01 08:00:00+08</c>) so the COPY path prints them without a conversion.
    /// </summary>
    public static string FormatCsv(object value) => value switch
    {
        DateTimeOffset t => SqlTimestamp(t),
        DateTime t => SqlTimestamp(new DateTimeOffset(DateTime.SpecifyKind(t, DateTimeKind.Utc))),
        _ => Format(value),
    };

    /// <summary>PostgreSQL's <c>timestamptz</c> output with DateStyle ISO in Asia/Shanghai: <c>2024-06-30 23:59:59.5+08</c>.</summary>
    public static string SqlTimestamp(DateTimeOffset value) => Instant(value, iso: false, sqlOffset: true);

    public static string Format(object value) => value switch
    {
        string s => s,
        bool b => b ? "true" : "false",
        int i => i.ToString(CultureInfo.InvariantCulture),
        long l => l.ToString(CultureInfo.InvariantCulture),
        short s => s.ToString(CultureInfo.InvariantCulture),
        decimal d => d.ToString(CultureInfo.InvariantCulture),
        double d => Double(d),
        float f => Double(f),
        DateOnly d => Date(d),
        DateTimeOffset t => Timestamp(t),
        DateTime t => Timestamp(new DateTimeOffset(DateTime.SpecifyKind(t, DateTimeKind.Utc))),
        _ => Convert.ToString(value, CultureInfo.InvariantCulture) ?? "",
    };

    public static string Date(DateOnly d) => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    /// <summary>ISO 8601 in Asia/Shanghai with the offset, microseconds only when present: <c>2024-01-01T08:00:00+08:00</c>.</summary>
    public static string Timestamp(DateTimeOffset value) => Instant(value, iso: true, sqlOffset: false);

    /// <summary>
    /// An instant in Asia/Shanghai with microseconds only when present; the offset in PostgreSQL's
    /// short form (+08) or ISO 8601's (+08:00).
    /// </summary>
    private static string Instant(DateTimeOffset value, bool iso, bool sqlOffset)
    {
        Span<char> text = stackalloc char[MaxInstantLength];
        return new string(text[..FormatInstant(value, text, iso, sqlOffset)]);
    }

    /// <summary>Longest text <see cref="FormatInstant"/> writes: <c>yyyy-MM-ddTHH:mm:ss.ffffff+hh:mm:ss</c>.</summary>
    public const int MaxInstantLength = 35;

    /// <summary>
    /// Writes <see cref="Timestamp"/> (<paramref name="iso"/>) or <see cref="SqlTimestamp"/> text into
    /// <paramref name="target"/> (at least <see cref="MaxInstantLength"/> long) and returns its length. By hand:
    /// custom format strings cost more than the rest of a row when a page of them is written.
    /// </summary>
    public static int FormatInstant(DateTimeOffset value, Span<char> target, bool iso, bool sqlOffset)
    {
        var local = TimeZoneInfo.ConvertTime(value, Zone);
        var n = 0;
        Digits(target, ref n, local.Year, 4);
        target[n++] = '-';
        Digits(target, ref n, local.Month, 2);
        target[n++] = '-';
        Digits(target, ref n, local.Day, 2);
        target[n++] = iso ? 'T' : ' ';
        Digits(target, ref n, local.Hour, 2);
        target[n++] = ':';
        Digits(target, ref n, local.Minute, 2);
        target[n++] = ':';
        Digits(target, ref n, local.Second, 2);
        var micros = local.Ticks % TimeSpan.TicksPerSecond / 10;
        if (micros != 0)
        {
            target[n++] = '.';
            var width = 6;
            while (micros % 10 == 0)
            {
                micros /= 10;
                width--;
            }

            Digits(target, ref n, (int)micros, width);
        }

        var offset = local.Offset;
        target[n++] = offset < TimeSpan.Zero ? '-' : '+';
        offset = offset.Duration();
        Digits(target, ref n, offset.Hours, 2);
        if (offset.Seconds != 0 || offset.Minutes != 0 || !sqlOffset)
        {
            target[n++] = ':';
            Digits(target, ref n, offset.Minutes, 2);
        }

        if (offset.Seconds != 0)
        {
            target[n++] = ':';
            Digits(target, ref n, offset.Seconds, 2);
        }

        return n;
    }

    /// <summary>Writes <paramref name="value"/> in exactly <paramref name="width"/> digits, zero-padded.</summary>
    private static void Digits(Span<char> target, ref int at, int value, int width)
    {
        for (var i = at + width - 1; i >= at; i--)
        {
            target[i] = (char)('0' + (value % 10));
            value /= 10;
        }

        at += width;
    }

    /// <summary>Shortest round-trip form with PostgreSQL's spelling: <c>1e+20</c>, <c>1.5e-05</c>, <c>NaN</c>, <c>Infinity</c>.</summary>
    public static string Double(double d)
    {
        if (double.IsNaN(d))
        {
            return "NaN";
        }

        if (double.IsInfinity(d))
        {
            return d > 0 ? "Infinity" : "-Infinity";
        }

        return d.ToString("R", CultureInfo.InvariantCulture).Replace('E', 'e');
    }

    /// <summary>
    /// A PostgreSQL expression printing a column exactly as <see cref="FormatCsv"/> does, for COPY.
    /// Booleans cast to text are true/false; everything else prints natively (the COPY transaction sets
    /// DateStyle ISO and the reader's session time zone is Asia/Shanghai). Conversions are avoided on
    /// purpose: each one costs the whole download measurable time.
    /// </summary>
    public static string CopyExpression(string quotedColumn, DataOpen.Core.Catalog.FieldType type) => type switch
    {
        DataOpen.Core.Catalog.FieldType.Boolean => $"{quotedColumn}::text",
        _ => quotedColumn,
    };

    private static TimeZoneInfo FindZone()
    {
        try
        {
            return TimeZoneInfo.FindSystemTimeZoneById("Asia/Shanghai");
        }
        catch (TimeZoneNotFoundException)
        {
            // Without tzdata the fixed offset is right for every date since 1991.
            return TimeZoneInfo.CreateCustomTimeZone("Asia/Shanghai", TimeSpan.FromHours(8), "China Standard Time", "China Standard Time");
        }
    }
}
