using System.Text.Json;
using DataOpen.Core.Catalog;
using DataOpen.Core.Query;

namespace DataOpen.Api.Rows;

/// <summary>How a row becomes JSON in every REST format: decimals and bigints as JSON numbers, dates and timestamps as ISO 8601 text.</summary>
public static class JsonRows
{
    public static (JsonEncodedText Name, int Ordinal, FieldType Type)[] Visible(IReadOnlyList<ResultColumn> columns) =>
        columns.Select((c, i) => (c, i)).Where(x => !x.c.Hidden).Select(x => (JsonEncodedText.Encode(x.c.Name), x.i, x.c.Type)).ToArray();

    /// <summary><see cref="Visible"/> kept with the column list (a compiled query's columns are shared by every request that binds it).</summary>
    public static (JsonEncodedText Name, int Ordinal, FieldType Type)[] VisibleOf(IReadOnlyList<ResultColumn> columns) => VisibleByColumns.GetValue(columns, Visible);

    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<IReadOnlyList<ResultColumn>, (JsonEncodedText Name, int Ordinal, FieldType Type)[]> VisibleByColumns = new();

    public static void WriteObject(Utf8JsonWriter writer, (JsonEncodedText Name, int Ordinal, FieldType Type)[] visible, object?[] row)
    {
        writer.WriteStartObject();
        foreach (var (name, ordinal, _) in visible)
        {
            writer.WritePropertyName(name);
            WriteValue(writer, row[ordinal]);
        }

        writer.WriteEndObject();
    }

    /// <summary>The same object as <see cref="WriteObject(Utf8JsonWriter, ValueTuple{JsonEncodedText, int, FieldType}[], object?[])"/>, read in place from the current row (no boxing).</summary>
    public static void WriteObject(Utf8JsonWriter writer, (JsonEncodedText Name, int Ordinal, FieldType Type)[] visible, ResultRow row)
    {
        writer.WriteStartObject();
        foreach (var (name, ordinal, _) in visible)
        {
            writer.WritePropertyName(name);
            WriteValue(writer, row, ordinal);
        }

        writer.WriteEndObject();
    }

    /// <summary>The value at <paramref name="ordinal"/> of the current row, written exactly as <see cref="WriteValue(Utf8JsonWriter, object?)"/> writes it boxed.</summary>
    public static void WriteValue(Utf8JsonWriter writer, ResultRow row, int ordinal)
    {
        if (row.IsNull(ordinal))
        {
            writer.WriteNullValue();
            return;
        }

        switch (row.Kind(ordinal))
        {
            case ValueKind.Int32: writer.WriteNumberValue(row.GetInt32(ordinal)); break;
            case ValueKind.Int64: writer.WriteNumberValue(row.GetInt64(ordinal)); break;
            case ValueKind.Decimal: writer.WriteNumberValue(row.GetDecimal(ordinal)); break;
            case ValueKind.Double:
                var d = row.GetDouble(ordinal);
                if (double.IsFinite(d))
                {
                    writer.WriteNumberValue(d);
                }
                else
                {
                    writer.WriteStringValue(ValueText.Double(d));
                }

                break;
            case ValueKind.Boolean: writer.WriteBooleanValue(row.GetBoolean(ordinal)); break;
            case ValueKind.Text: writer.WriteStringValue(row.GetString(ordinal)); break;
            case ValueKind.Timestamp:
                Span<char> text = stackalloc char[ValueText.MaxInstantLength];
                writer.WriteStringValue(text[..ValueText.FormatInstant(row.GetTimestamp(ordinal), text, iso: true, sqlOffset: false)]);
                break;
            default: WriteValue(writer, row.GetValue(ordinal)); break;
        }
    }

    public static void WriteValue(Utf8JsonWriter writer, object? value)
    {
        switch (value)
        {
            case null or DBNull: writer.WriteNullValue(); break;
            case string s: writer.WriteStringValue(s); break;
            case bool b: writer.WriteBooleanValue(b); break;
            case int i: writer.WriteNumberValue(i); break;
            case long l: writer.WriteNumberValue(l); break;
            case short s: writer.WriteNumberValue(s); break;
            case decimal d: writer.WriteNumberValue(d); break;
            // JSON has no NaN or infinities: they are written as the strings PostgreSQL uses.
            case double d when !double.IsFinite(d): writer.WriteStringValue(ValueText.Double(d)); break;
            case double d: writer.WriteNumberValue(d); break;
            case float f: writer.WriteNumberValue(f); break;
            case DateTimeOffset t:
                Span<char> text = stackalloc char[ValueText.MaxInstantLength];
                writer.WriteStringValue(text[..ValueText.FormatInstant(t, text, iso: true, sqlOffset: false)]);
                break;
            default: writer.WriteStringValue(ValueText.Format(value)); break;
        }
    }
}
