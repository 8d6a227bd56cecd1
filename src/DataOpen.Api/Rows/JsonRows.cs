using System.Text.Json;
using DataOpen.Core.Catalog;
using DataOpen.Core.Query;

namespace DataOpen.Api.Rows;

/// <summary>How a row becomes JSON in every REST format: decimals and bigints as JSON numbers, dates and timestamps as ISO 8601 text.</summary>
public static class JsonRows
{
    public static (JsonEncodedText Name, int Ordinal, FieldType Type)[] Visible(IReadOnlyList<ResultColumn> columns) =>
        columns.Select((c, i) => (c, i)).Where(x => !x.c.Hidden).Select(x => (JsonEncodedText.Encode(x.c.Name), x.i, x.c.Type)).ToArray();

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
            default: writer.WriteStringValue(ValueText.Format(value)); break;
        }
    }
}
