using DataOpen.Core.Catalog;

namespace DataOpen.Core.Ingest;

/// <summary>
/// Converts one text value to its field type with the same rules as the loader (for previews, literal
/// values in tools, and tests). Boxes the result: the loader itself uses the allocation-free path.
/// </summary>
public static class FieldValueParser
{
    /// <summary>
    /// Parses <paramref name="text"/> (trimmed first) as <paramref name="type"/>. Null markers are not
    /// applied here. Timestamps without an offset are read in <paramref name="timeZone"/> and returned as UTC.
    /// Returns false with a human-readable <paramref name="reason"/> when the value does not fit.
    /// </summary>
    public static bool TryParse(FieldType type, ReadOnlySpan<char> text, TimeSpan timeZone, out object? value, out string? reason, string? format = null)
    {
        var s = text.Trim();
        value = null;
        reason = null;
        switch (type)
        {
            case FieldType.Integer:
                value = ValueParser.TryParseInt32(s, out int i32, out reason) ? i32 : null;
                break;
            case FieldType.BigInt:
                value = ValueParser.TryParseInt64(s, out long i64, out reason) ? i64 : null;
                break;
            case FieldType.Decimal:
                value = ValueParser.TryParseDecimal(s, out decimal dec, out reason) ? dec : null;
                break;
            case FieldType.Double:
                value = ValueParser.TryParseDouble(s, out double dbl, out reason) ? dbl : null;
                break;
            case FieldType.Boolean:
                value = ValueParser.TryParseBoolean(s, out bool b) ? b : null;
                reason = value is null ? StagingLoader.NotABoolean : null;
                break;
            case FieldType.Date:
                reason = StagingLoader.ConvertDate(s, format, out var date);
                value = reason is null ? date : null;
                break;
            case FieldType.Timestamp:
                reason = StagingLoader.ConvertTimestamp(s, format, timeZone, out var instant);
                value = reason is null ? instant : null;
                break;
            default:
                value = text.ToString();
                break;
        }

        return reason is null;
    }
}
