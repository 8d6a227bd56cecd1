using System.Buffers;
using System.Text;
using DataOpen.Core.Query;

namespace DataOpen.Api.Rows.Downloads;

/// <summary>The CSV download: the row writer and the COPY path.</summary>
public static class CsvDownload
{
    private static readonly byte[] Bom = [0xEF, 0xBB, 0xBF];
    private static readonly SearchValues<char> CsvSpecial = SearchValues.Create(",\"\r\n");


    /// <summary>
    /// UTF-8 with BOM, RFC 4180: one header row of field names, CRLF line ends, fields quoted when they
    /// hold a comma, quote, CR or LF (quotes doubled). Empty text is written as <c>""</c> and an empty
    /// value (null) as nothing, exactly as PostgreSQL's COPY does.
    /// </summary>
    public static async Task WriteAsync(IReadOnlyList<ResultColumn> columns, IAsyncEnumerable<object?[]> rows, Stream output, CancellationToken ct)
    {
        var visible = DownloadFormats.VisibleOrdinals(columns);
        var buffer = new ArrayBufferWriter<byte>(ChunkStream.DrainThreshold * 2);
        buffer.Write(Bom);
        WriteCsvHeader(buffer, columns, visible);
        var single = visible.Length == 1;
        await foreach (var row in rows.WithCancellation(ct))
        {
            for (var i = 0; i < visible.Length; i++)
            {
                if (i > 0)
                {
                    buffer.Write(","u8);
                }

                if (row[visible[i]] is { } value and not DBNull)
                {
                    WriteCsvField(buffer, ValueText.FormatCsv(value), single);
                }
            }

            buffer.Write("\r\n"u8);
            if (buffer.WrittenCount >= ChunkStream.DrainThreshold)
            {
                await output.WriteAsync(buffer.WrittenMemory, ct);
                buffer.ResetWrittenCount();
            }
        }

        await output.WriteAsync(buffer.WrittenMemory, ct);
    }

    /// <summary>
    /// The COPY path: PostgreSQL's CSV with LF record ends becomes RFC 4180 with CRLF. Newlines inside
    /// quoted fields are data and stay as they are; a quote toggles the state (a doubled quote toggles twice).
    /// </summary>
    public static async Task WriteCopyAsync(IReadOnlyList<ResultColumn> columns, TextReader copy, Stream output, CancellationToken ct)
    {
        var visible = DownloadFormats.VisibleOrdinals(columns);
        var buffer = new ArrayBufferWriter<byte>(ChunkStream.DrainThreshold * 2);
        buffer.Write(Bom);
        WriteCsvHeader(buffer, columns, visible);
        var encoder = new UTF8Encoding(false).GetEncoder();
        var chars = new char[16384];
        var converted = new char[chars.Length * 2];
        var inQuote = false;
        int read;
        while ((read = await copy.ReadAsync(chars.AsMemory(), ct)) > 0)
        {
            var n = 0;
            for (var i = 0; i < read; i++)
            {
                var c = chars[i];
                if (c == '"')
                {
                    inQuote = !inQuote;
                }
                else if (c == '\n' && !inQuote)
                {
                    converted[n++] = '\r';
                }

                converted[n++] = c;
            }

            var span = buffer.GetSpan(encoder.GetByteCount(converted.AsSpan(0, n), flush: false));
            buffer.Advance(encoder.GetBytes(converted.AsSpan(0, n), span, flush: false));
            if (buffer.WrittenCount >= ChunkStream.DrainThreshold)
            {
                await output.WriteAsync(buffer.WrittenMemory, ct);
                buffer.ResetWrittenCount();
            }
        }

        var tail = buffer.GetSpan(8);
        buffer.Advance(encoder.GetBytes(ReadOnlySpan<char>.Empty, tail, flush: true));
        await output.WriteAsync(buffer.WrittenMemory, ct);
    }

    private static void WriteCsvHeader(ArrayBufferWriter<byte> buffer, IReadOnlyList<ResultColumn> columns, int[] visible)
    {
        for (var i = 0; i < visible.Length; i++)
        {
            if (i > 0)
            {
                buffer.Write(","u8);
            }

            WriteCsvField(buffer, columns[visible[i]].Name, false);
        }

        buffer.Write("\r\n"u8);
    }

    private static void WriteCsvField(ArrayBufferWriter<byte> buffer, string text, bool singleColumn)
    {
        // A lone \. on a line ends data in PostgreSQL's COPY format, so COPY quotes it; so do we.
        var quote = text.Length == 0 || text.AsSpan().IndexOfAny(CsvSpecial) >= 0 || (singleColumn && text == "\\.");
        if (!quote)
        {
            WriteUtf8(buffer, text);
            return;
        }

        buffer.Write("\""u8);
        WriteUtf8(buffer, text.Contains('"', StringComparison.Ordinal) ? text.Replace("\"", "\"\"", StringComparison.Ordinal) : text);
        buffer.Write("\""u8);
    }

    private static void WriteUtf8(ArrayBufferWriter<byte> buffer, string text)
    {
        var span = buffer.GetSpan(Encoding.UTF8.GetMaxByteCount(text.Length));
        buffer.Advance(Encoding.UTF8.GetBytes(text, span));
    }
}
