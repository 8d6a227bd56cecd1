using System.Buffers;
using System.Text.Json;
using System.Text.Json.Serialization;
using DataOpen.Api.Rows;
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
/// visible columns (the engine's cursor columns and <c>_row_id</c> are dropped): either values, or a page
/// the engine already wrote as those objects while reading it (<see cref="QueryRunner.RenderPageAsync"/>).
/// </summary>
[JsonConverter(typeof(RowSetConverter))]
public sealed class RowSet
{
    public RowSet(IReadOnlyList<ResultColumn> columns, IReadOnlyList<object?[]> rows)
    {
        Columns = columns;
        Values = rows;
    }

    public RowSet(IReadOnlyList<ResultColumn> columns, RenderedPage page)
    {
        Columns = columns;
        Values = [];
        Rendered = page;
    }

    public IReadOnlyList<ResultColumn> Columns { get; }

    public IReadOnlyList<object?[]> Values { get; }

    /// <summary>The rows' JSON objects, comma-separated, when the page was written as it was read.</summary>
    public RenderedPage? Rendered { get; }

    /// <summary>How the rows endpoint writes one row of a page: <see cref="JsonRows"/>' objects of the visible columns.</summary>
    public static PageRenderer Renderer(IReadOnlyList<ResultColumn> columns, JsonSerializerOptions options)
    {
        var visible = JsonRows.Visible(columns);
        return new PageRenderer("rest", new JsonWriterOptions { Encoder = options.Encoder }, (writer, row) => JsonRows.WriteObject(writer, visible, row));
    }
}

public sealed class RowSetConverter : JsonConverter<RowSet>
{
    public override RowSet Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        throw new NotSupportedException("Rows are written by the service, never read.");

    public override void Write(Utf8JsonWriter writer, RowSet value, JsonSerializerOptions options)
    {
        if (value.Rendered is { } page)
        {
            // The objects were written by the same JsonRows code as below, with the serializer's encoder.
            var length = checked((int)page.Json.Length + 2);
            var bytes = System.Buffers.ArrayPool<byte>.Shared.Rent(length);
            try
            {
                bytes[0] = (byte)'[';
                page.Json.CopyTo(bytes.AsSpan(1));
                bytes[length - 1] = (byte)']';
                writer.WriteRawValue(bytes.AsSpan(0, length), skipInputValidation: true);
            }
            finally
            {
                System.Buffers.ArrayPool<byte>.Shared.Return(bytes);
            }

            return;
        }

        var visible = JsonRows.Visible(value.Columns);
        writer.WriteStartArray();
        foreach (var row in value.Values)
        {
            JsonRows.WriteObject(writer, visible, row);
        }

        writer.WriteEndArray();
    }
}
