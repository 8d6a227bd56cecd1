using System.Text.Json;
using System.Text.Json.Serialization;
using DataOpen.Core.Catalog;
using DataOpen.Core.Query;

namespace DataOpen.Api.Datasets;

/// <summary>A returned column: its name (the JSON property of each row) and its type name (integer, bigint, decimal, double, boolean, date, timestamp, text).</summary>
public sealed record RowField(string Name, string Type);

/// <summary>
/// One page of <c>GET /api/v1/datasets/{id}/rows</c>.
/// </summary>
/// <param name="Dataset">The dataset identifier.</param>
/// <param name="Version">The immutable version the rows come from.</param>
/// <param name="Fields">Returned columns in order (group keys then aggregates for grouped queries).</param>
/// <param name="Rows">One JSON object per row, properties named as <paramref name="Fields"/>.</param>
/// <param name="Count">Total matching rows (or groups) when <c>count=exact</c> was asked.</param>
/// <param name="Limit">The page size applied.</param>
/// <param name="Next">Absolute URL of the next page (same filters, version pinned); absent on the last page.</param>
public sealed record RowsResponse(string Dataset, int Version, IReadOnlyList<RowField> Fields, RowSet Rows, long? Count, int Limit, string? Next);

/// <summary>
/// Rows as read by <see cref="QueryRunner"/>, written as an array of JSON objects with only the
/// visible columns (the engine's cursor columns and <c>_row_id</c> are dropped).
/// </summary>
[JsonConverter(typeof(RowSetConverter))]
public sealed class RowSet(IReadOnlyList<ResultColumn> columns, IReadOnlyList<object?[]> rows)
{
    public IReadOnlyList<ResultColumn> Columns { get; } = columns;

    public IReadOnlyList<object?[]> Values { get; } = rows;
}

public sealed class RowSetConverter : JsonConverter<RowSet>
{
    public override RowSet Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        throw new NotSupportedException("Rows are written by the service, never read.");

    public override void Write(Utf8JsonWriter writer, RowSet value, JsonSerializerOptions options)
    {
        var visible = JsonRows.Visible(value.Columns);
        writer.WriteStartArray();
        foreach (var row in value.Values)
        {
            JsonRows.WriteObject(writer, visible, row);
        }

        writer.WriteEndArray();
    }
}

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
