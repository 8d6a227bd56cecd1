using System.Buffers;
using System.Text.Json;
using DataOpen.Core.Catalog;
using DataOpen.Core.Query;

namespace DataOpen.Api.Rows.Downloads;

/// <summary>The GeoJSON download for datasets with coordinates.</summary>
public static class GeoJsonDownload
{
    /// <summary>A FeatureCollection of Points (WGS-84 longitude, latitude); every returned field is a property; rows without coordinates have a null geometry.</summary>
    public static async Task WriteAsync(IReadOnlyList<ResultColumn> columns, IAsyncEnumerable<object?[]> rows, Stream output, GeoSpec geo, CancellationToken ct)
    {
        var visible = JsonRows.Visible(columns);
        var lon = DownloadFormats.IndexOf(columns, geo.Longitude);
        var lat = DownloadFormats.IndexOf(columns, geo.Latitude);
        var buffer = new ArrayBufferWriter<byte>(ChunkStream.DrainThreshold * 2);
        await using var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
        json.WriteStartObject();
        json.WriteString("type", "FeatureCollection");
        json.WriteStartArray("features");
        await foreach (var row in rows.WithCancellation(ct))
        {
            json.WriteStartObject();
            json.WriteString("type", "Feature");
            json.WritePropertyName("geometry");
            if (ToDouble(row[lon]) is { } x && ToDouble(row[lat]) is { } y && double.IsFinite(x) && double.IsFinite(y))
            {
                json.WriteStartObject();
                json.WriteString("type", "Point");
                json.WriteStartArray("coordinates");
                json.WriteNumberValue(x);
                json.WriteNumberValue(y);
                json.WriteEndArray();
                json.WriteEndObject();
            }
            else
            {
                json.WriteNullValue();
            }

            json.WritePropertyName("properties");
            JsonRows.WriteObject(json, visible, row);
            json.WriteEndObject();
            if (json.BytesPending + buffer.WrittenCount >= ChunkStream.DrainThreshold)
            {
                json.Flush();
                await output.WriteAsync(buffer.WrittenMemory, ct);
                buffer.ResetWrittenCount();
            }
        }

        json.WriteEndArray();
        json.WriteEndObject();
        json.Flush();
        await output.WriteAsync(buffer.WrittenMemory, ct);
    }

    private static double? ToDouble(object? value) => value switch
    {
        double d => d,
        float f => f,
        decimal m => (double)m,
        int i => i,
        long l => l,
        _ => null,
    };
}
