using System.Buffers;
using System.Text.Json;
using DataOpen.Core.Query;

namespace DataOpen.Api.Rows.Downloads;

/// <summary>The JSON and JSON Lines downloads.</summary>
public static class JsonDownload
{

    /// <summary>A JSON array of row objects (the same objects as <c>rows</c> of the rows endpoint), or one object per line.</summary>
    public static async Task WriteAsync(IReadOnlyList<ResultColumn> columns, IAsyncEnumerable<object?[]> rows, Stream output, bool lines, CancellationToken ct)
    {
        var visible = JsonRows.Visible(columns);
        var buffer = new ArrayBufferWriter<byte>(ChunkStream.DrainThreshold * 2);
        await using var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
        if (!lines)
        {
            json.WriteStartArray();
        }

        await foreach (var row in rows.WithCancellation(ct))
        {
            JsonRows.WriteObject(json, visible, row);
            if (lines)
            {
                json.Flush();
                buffer.Write("\n"u8);
                json.Reset(buffer);
            }

            if (json.BytesPending + buffer.WrittenCount >= ChunkStream.DrainThreshold)
            {
                json.Flush();
                await output.WriteAsync(buffer.WrittenMemory, ct);
                buffer.ResetWrittenCount();
            }
        }

        if (!lines)
        {
            json.WriteEndArray();
        }

        json.Flush();
        await output.WriteAsync(buffer.WrittenMemory, ct);
    }
}
