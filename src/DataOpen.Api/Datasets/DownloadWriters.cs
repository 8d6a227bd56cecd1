using System.Buffers;
using System.Globalization;
using System.IO.Compression;
using System.Text;
using System.Text.Json;
using DataOpen.Core.Catalog;
using DataOpen.Core.Query;
using Parquet;
using Parquet.Schema;

namespace DataOpen.Api.Datasets;

/// <summary>
/// Writers of every download format. Each reads rows one at a time and hands bytes to the response
/// every ~64 KB (Parquet: every row group), so memory does not depend on the number of rows.
/// </summary>
public static class DownloadWriters
{
    public static readonly IReadOnlyList<string> Formats = ["csv", "json", "jsonl", "xlsx", "parquet", "geojson"];

    /// <summary>Rows per Parquet row group: large enough for good compression, small enough to hold in memory.</summary>
    public const int ParquetRowGroupSize = 50_000;

    /// <summary>Excel's limit per sheet is 1,048,576 rows including the header; longer downloads continue on the next sheet.</summary>
    public const int XlsxRowsPerSheet = 1_048_575;

    private static readonly byte[] Bom = [0xEF, 0xBB, 0xBF];
    private static readonly SearchValues<char> CsvSpecial = SearchValues.Create(",\"\r\n");

    public static string MediaType(string format) => format switch
    {
        "csv" => "text/csv; charset=utf-8",
        "json" => "application/json; charset=utf-8",
        "jsonl" => "application/x-ndjson; charset=utf-8",
        "geojson" => "application/geo+json; charset=utf-8",
        _ => Catalog.MediaTypes.For(format),
    };

    // ---- CSV -------------------------------------------------------------------------------

    /// <summary>
    /// UTF-8 with BOM, RFC 4180: one header row of field names, CRLF line ends, fields quoted when they
    /// hold a comma, quote, CR or LF (quotes doubled). Empty text is written as <c>""</c> and an empty
    /// value (null) as nothing, exactly as PostgreSQL's COPY does.
    /// </summary>
    public static async Task WriteCsvAsync(IReadOnlyList<ResultColumn> columns, IAsyncEnumerable<object?[]> rows, Stream output, CancellationToken ct)
    {
        var visible = VisibleOrdinals(columns);
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
    public static async Task WriteCopyCsvAsync(IReadOnlyList<ResultColumn> columns, TextReader copy, Stream output, CancellationToken ct)
    {
        var visible = VisibleOrdinals(columns);
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

    // ---- JSON, JSON Lines, GeoJSON ---------------------------------------------------------

    /// <summary>A JSON array of row objects (the same objects as <c>rows</c> of the rows endpoint), or one object per line.</summary>
    public static async Task WriteJsonAsync(IReadOnlyList<ResultColumn> columns, IAsyncEnumerable<object?[]> rows, Stream output, bool lines, CancellationToken ct)
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

    /// <summary>A FeatureCollection of Points (WGS-84 longitude, latitude); every returned field is a property; rows without coordinates have a null geometry.</summary>
    public static async Task WriteGeoJsonAsync(IReadOnlyList<ResultColumn> columns, IAsyncEnumerable<object?[]> rows, Stream output, GeoSpec geo, CancellationToken ct)
    {
        var visible = JsonRows.Visible(columns);
        var lon = IndexOf(columns, geo.Longitude);
        var lat = IndexOf(columns, geo.Latitude);
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

    // ---- XLSX ------------------------------------------------------------------------------

    /// <summary>
    /// A minimal Office Open XML workbook written as a stream: one sheet part per 1,048,575 rows with
    /// inline strings (no shared-string table to hold in memory), numbers as numbers, dates and
    /// timestamps as Excel dates in Asia/Shanghai local time, a bold frozen header row. The workbook,
    /// relationships and content types are written after the sheets (ZIP part order is free in OPC).
    /// </summary>
    public static async Task WriteXlsxAsync(IReadOnlyList<ResultColumn> columns, IAsyncEnumerable<object?[]> rows, Stream output, CancellationToken ct)
    {
        var visible = VisibleOrdinals(columns);
        var letters = visible.Select((_, i) => ColumnLetters(i)).ToArray();
        await using var chunk = new ChunkStream();
        var sheets = 0;
        using (var zip = new ZipArchive(chunk, ZipArchiveMode.Create, leaveOpen: true))
        {
            StreamWriter? sheet = null;
            var rowNumber = 0;
            await foreach (var row in rows.WithCancellation(ct))
            {
                if (sheet is null || rowNumber > XlsxRowsPerSheet)
                {
                    if (sheet is not null)
                    {
                        EndSheet(sheet);
                    }

                    sheet = BeginSheet(zip, ++sheets, columns, visible, letters);
                    rowNumber = 1;
                }

                rowNumber++;
                var r = rowNumber.ToString(CultureInfo.InvariantCulture);
                sheet.Write("<row r=\"");
                sheet.Write(r);
                sheet.Write("\">");
                for (var i = 0; i < visible.Length; i++)
                {
                    WriteCell(sheet, letters[i] + r, row[visible[i]]);
                }

                sheet.Write("</row>");
                if ((rowNumber & 255) == 0)
                {
                    await sheet.FlushAsync(ct);
                    if (chunk.ShouldDrain)
                    {
                        await chunk.DrainAsync(output, ct);
                    }
                }
            }

            if (sheet is null)
            {
                sheet = BeginSheet(zip, ++sheets, columns, visible, letters);
            }

            EndSheet(sheet);
            WritePart(zip, "xl/workbook.xml", Workbook(sheets));
            WritePart(zip, "xl/_rels/workbook.xml.rels", WorkbookRels(sheets));
            WritePart(zip, "xl/styles.xml", XlsxStyles);
            WritePart(zip, "_rels/.rels", RootRels);
            WritePart(zip, "[Content_Types].xml", ContentTypes(sheets));
        }

        await chunk.DrainAsync(output, ct);
    }

    private static StreamWriter BeginSheet(ZipArchive zip, int number, IReadOnlyList<ResultColumn> columns, int[] visible, string[] letters)
    {
        var entry = zip.CreateEntry($"xl/worksheets/sheet{number}.xml", CompressionLevel.Fastest);
        var sheet = new StreamWriter(entry.Open(), new UTF8Encoding(false), 1 << 16);
        sheet.Write("<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<worksheet xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\">");
        sheet.Write("<sheetViews><sheetView workbookViewId=\"0\"><pane ySplit=\"1\" topLeftCell=\"A2\" activePane=\"bottomLeft\" state=\"frozen\"/></sheetView></sheetViews><sheetData><row r=\"1\">");
        for (var i = 0; i < visible.Length; i++)
        {
            sheet.Write($"<c r=\"{letters[i]}1\" t=\"inlineStr\" s=\"3\"><is><t>");
            sheet.Write(XmlText(columns[visible[i]].Name));
            sheet.Write("</t></is></c>");
        }

        sheet.Write("</row>");
        return sheet;
    }

    private static void EndSheet(StreamWriter sheet)
    {
        sheet.Write("</sheetData></worksheet>");
        sheet.Dispose();
    }

    private static void WriteCell(StreamWriter sheet, string reference, object? value)
    {
        switch (value)
        {
            case null or DBNull:
                return;
            case string s:
                sheet.Write("<c r=\"");
                sheet.Write(reference);
                sheet.Write("\" t=\"inlineStr\"><is><t xml:space=\"preserve\">");
                sheet.Write(XmlText(s));
                sheet.Write("</t></is></c>");
                return;
            case bool b:
                sheet.Write($"<c r=\"{reference}\" t=\"b\"><v>{(b ? 1 : 0)}</v></c>");
                return;
            case double d when !double.IsFinite(d):
                sheet.Write($"<c r=\"{reference}\" t=\"inlineStr\"><is><t>{ValueText.Double(d)}</t></is></c>");
                return;
            case DateOnly d:
                sheet.Write($"<c r=\"{reference}\" s=\"1\"><v>{(d.DayNumber - ExcelEpoch.DayNumber).ToString(CultureInfo.InvariantCulture)}</v></c>");
                return;
            case DateTimeOffset t:
                var local = TimeZoneInfo.ConvertTime(t, ValueText.Zone).DateTime;
                var serial = (local - ExcelEpoch.ToDateTime(TimeOnly.MinValue)).TotalDays;
                sheet.Write($"<c r=\"{reference}\" s=\"2\"><v>{serial.ToString("R", CultureInfo.InvariantCulture)}</v></c>");
                return;
            default:
                sheet.Write($"<c r=\"{reference}\"><v>{ValueText.Format(value)}</v></c>");
                return;
        }
    }

    private static readonly DateOnly ExcelEpoch = new(1899, 12, 30);

    /// <summary>Escapes markup and replaces characters XML 1.0 cannot carry (control characters, lone surrogates) with U+FFFD.</summary>
    private static string XmlText(string s)
    {
        StringBuilder? sb = null;
        for (var i = 0; i < s.Length; i++)
        {
            var c = s[i];
            string? replacement = c switch
            {
                '&' => "&amp;",
                '<' => "&lt;",
                '>' => "&gt;",
                _ when c < 0x20 && c is not ('\t' or '\n' or '\r') => "\uFFFD",
                _ when c is '\uFFFE' or '\uFFFF' => "\uFFFD",
                _ when char.IsHighSurrogate(c) && (i + 1 >= s.Length || !char.IsLowSurrogate(s[i + 1])) => "\uFFFD",
                _ when char.IsLowSurrogate(c) && (i == 0 || !char.IsHighSurrogate(s[i - 1])) => "\uFFFD",
                _ => null,
            };
            if (replacement is null)
            {
                sb?.Append(c);
                continue;
            }

            sb ??= new StringBuilder(s.Length + 16).Append(s, 0, i);
            sb.Append(replacement);
        }

        return sb?.ToString() ?? s;
    }

    private static string ColumnLetters(int index)
    {
        var letters = "";
        for (var n = index + 1; n > 0; n = (n - 1) / 26)
        {
            letters = (char)('A' + ((n - 1) % 26)) + letters;
        }

        return letters;
    }

    private static void WritePart(ZipArchive zip, string name, string content)
    {
        using var stream = zip.CreateEntry(name, CompressionLevel.Fastest).Open();
        stream.Write(Encoding.UTF8.GetBytes(content));
    }

    private static string Workbook(int sheets) =>
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<workbook xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\" xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships\"><sheets>"
        + string.Concat(Enumerable.Range(1, sheets).Select(i => $"<sheet name=\"{(i == 1 ? "数据" : "数据" + i.ToString(CultureInfo.InvariantCulture))}\" sheetId=\"{i}\" r:id=\"rId{i}\"/>"))
        + "</sheets></workbook>";

    private static string WorkbookRels(int sheets) =>
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">"
        + string.Concat(Enumerable.Range(1, sheets).Select(i => $"<Relationship Id=\"rId{i}\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet\" Target=\"worksheets/sheet{i}.xml\"/>"))
        + $"<Relationship Id=\"rId{sheets + 1}\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles\" Target=\"styles.xml\"/></Relationships>";

    private static string ContentTypes(int sheets) =>
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\">"
        + "<Default Extension=\"rels\" ContentType=\"application/vnd.openxmlformats-package.relationships+xml\"/><Default Extension=\"xml\" ContentType=\"application/xml\"/>"
        + "<Override PartName=\"/xl/workbook.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml\"/>"
        + "<Override PartName=\"/xl/styles.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml\"/>"
        + string.Concat(Enumerable.Range(1, sheets).Select(i => $"<Override PartName=\"/xl/worksheets/sheet{i}.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml\"/>"))
        + "</Types>";

    private const string RootRels =
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\"><Relationship Id=\"rId1\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument\" Target=\"xl/workbook.xml\"/></Relationships>";

    private const string XlsxStyles =
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<styleSheet xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\">"
        + "<numFmts count=\"2\"><numFmt numFmtId=\"164\" formatCode=\"yyyy-mm-dd\"/><numFmt numFmtId=\"165\" formatCode=\"yyyy-mm-dd hh:mm:ss\"/></numFmts>"
        + "<fonts count=\"2\"><font><sz val=\"11\"/><name val=\"Calibri\"/></font><font><b/><sz val=\"11\"/><name val=\"Calibri\"/></font></fonts>"
        + "<fills count=\"2\"><fill><patternFill patternType=\"none\"/></fill><fill><patternFill patternType=\"gray125\"/></fill></fills>"
        + "<borders count=\"1\"><border><left/><right/><top/><bottom/><diagonal/></border></borders>"
        + "<cellStyleXfs count=\"1\"><xf numFmtId=\"0\" fontId=\"0\" fillId=\"0\" borderId=\"0\"/></cellStyleXfs>"
        + "<cellXfs count=\"4\"><xf numFmtId=\"0\" fontId=\"0\" fillId=\"0\" borderId=\"0\" xfId=\"0\"/>"
        + "<xf numFmtId=\"164\" fontId=\"0\" fillId=\"0\" borderId=\"0\" xfId=\"0\" applyNumberFormat=\"1\"/>"
        + "<xf numFmtId=\"165\" fontId=\"0\" fillId=\"0\" borderId=\"0\" xfId=\"0\" applyNumberFormat=\"1\"/>"
        + "<xf numFmtId=\"0\" fontId=\"1\" fillId=\"0\" borderId=\"0\" xfId=\"0\" applyFont=\"1\"/></cellXfs>"
        + "<cellStyles count=\"1\"><cellStyle name=\"Normal\" xfId=\"0\" builtinId=\"0\"/></cellStyles></styleSheet>";

    // ---- Parquet ---------------------------------------------------------------------------

    /// <summary>Decimal columns are DECIMAL(38, 8) in Parquet: every sample value fits; more fractional digits are rounded.</summary>
    public const int ParquetDecimalScale = 8;

    /// <summary>
    /// Parquet in row groups of <see cref="ParquetRowGroupSize"/> rows: one group's column arrays are
    /// the only rows held in memory. Timestamps are INT64 microseconds adjusted to UTC; dates are DATE.
    /// </summary>
    public static async Task WriteParquetAsync(IReadOnlyList<ResultColumn> columns, IAsyncEnumerable<object?[]> rows, Stream output, CancellationToken ct)
    {
        var visible = VisibleOrdinals(columns);
        var fields = visible.Select(i => ParquetField(columns[i])).ToArray();
        var schema = new ParquetSchema(fields);
        await using var chunk = new ChunkStream();
        await using (var writer = await ParquetWriter.CreateAsync(schema, chunk, cancellationToken: ct))
        {
            var group = visible.Select(i => ParquetColumn.For(columns[i].Type, ParquetRowGroupSize)).ToArray();
            var n = 0;
            var groups = 0;
            await foreach (var row in rows.WithCancellation(ct))
            {
                for (var c = 0; c < visible.Length; c++)
                {
                    group[c].Set(n, row[visible[c]]);
                }

                if (++n == ParquetRowGroupSize)
                {
                    await WriteRowGroupAsync(writer, fields, group, n, ct);
                    groups++;
                    n = 0;
                    await chunk.DrainAsync(output, ct);
                }
            }

            if (n > 0 || groups == 0)
            {
                await WriteRowGroupAsync(writer, fields, group, n, ct);
            }
        }

        await chunk.DrainAsync(output, ct);
    }

    private static async Task WriteRowGroupAsync(ParquetWriter writer, DataField[] fields, ParquetColumn[] group, int count, CancellationToken ct)
    {
        using var rowGroup = writer.CreateRowGroup();
        for (var c = 0; c < fields.Length; c++)
        {
            await group[c].WriteAsync(rowGroup, fields[c], count, ct);
            group[c].Clear();
        }

        rowGroup.CompleteValidate();
    }

    private static DataField ParquetField(ResultColumn column) => column.Type switch
    {
        FieldType.Integer => new DataField<int?>(column.Name),
        FieldType.BigInt => new DataField<long?>(column.Name),
        FieldType.Decimal => new DecimalDataField(column.Name, 38, ParquetDecimalScale, isNullable: true),
        FieldType.Double => new DataField<double?>(column.Name),
        FieldType.Boolean => new DataField<bool?>(column.Name),
        FieldType.Date => new DataField<DateOnly?>(column.Name),
        FieldType.Timestamp => new DateTimeDataField(column.Name, DateTimeFormat.Timestamp, isAdjustedToUTC: true, unit: DateTimeTimeUnit.Micros, isNullable: true),
        _ => new DataField<string>(column.Name, nullable: true),
    };

    /// <summary>One row group's values of one column, typed so nothing is boxed on the way to the encoder.</summary>
    private abstract class ParquetColumn
    {
        public static ParquetColumn For(FieldType type, int size) => type switch
        {
            FieldType.Integer => new Values<int>(size, v => Convert.ToInt32(v, CultureInfo.InvariantCulture)),
            FieldType.BigInt => new Values<long>(size, v => Convert.ToInt64(v, CultureInfo.InvariantCulture)),
            FieldType.Decimal => new Values<decimal>(size, v => Math.Round(Convert.ToDecimal(v, CultureInfo.InvariantCulture), ParquetDecimalScale, MidpointRounding.ToEven)),
            FieldType.Double => new Values<double>(size, v => Convert.ToDouble(v, CultureInfo.InvariantCulture)),
            FieldType.Boolean => new Values<bool>(size, v => (bool)v),
            FieldType.Date => new Values<DateOnly>(size, v => (DateOnly)v),
            FieldType.Timestamp => new Values<DateTime>(size, v => v is DateTimeOffset t ? t.UtcDateTime : DateTime.SpecifyKind((DateTime)v, DateTimeKind.Utc)),
            _ => new Texts(size),
        };

        public abstract void Set(int index, object? value);

        public abstract Task WriteAsync(ParquetRowGroupWriter writer, DataField field, int count, CancellationToken ct);

        public abstract void Clear();
    }

    private sealed class Values<T>(int size, Func<object, T> convert) : ParquetColumn
        where T : struct
    {
        private readonly T?[] values = new T?[size];

        public override void Set(int index, object? value) => values[index] = value is null or DBNull ? null : convert(value);

        public override Task WriteAsync(ParquetRowGroupWriter writer, DataField field, int count, CancellationToken ct) =>
            writer.WriteAsync<T>(field, values.AsMemory(0, count), null, null, ct);

        public override void Clear() => Array.Clear(values);
    }

    private sealed class Texts(int size) : ParquetColumn
    {
        private readonly string?[] values = new string?[size];

        public override void Set(int index, object? value) => values[index] = value is null or DBNull ? null : value as string ?? ValueText.Format(value);

        public override Task WriteAsync(ParquetRowGroupWriter writer, DataField field, int count, CancellationToken ct) =>
            writer.WriteAsync(field, new ArraySegment<string?>(values, 0, count), null);

        public override void Clear() => Array.Clear(values);
    }

    // ---- shared ----------------------------------------------------------------------------

    public static int[] VisibleOrdinals(IReadOnlyList<ResultColumn> columns) =>
        columns.Select((c, i) => (c, i)).Where(x => !x.c.Hidden).Select(x => x.i).ToArray();

    private static int IndexOf(IReadOnlyList<ResultColumn> columns, string name)
    {
        for (var i = 0; i < columns.Count; i++)
        {
            if (columns[i].Name == name)
            {
                return i;
            }
        }

        throw new ArgumentException($"The query has no column '{name}'.", nameof(name));
    }
}
