using System.Globalization;
using System.IO.Compression;
using System.Text;
using DataOpen.Core.Query;

namespace DataOpen.Api.Rows.Downloads;

/// <summary>The XLSX download, streamed without a spreadsheet library.</summary>
public static class XlsxDownload
{
    /// <summary>Excel's limit per sheet is 1,048,576 rows including the header; longer downloads continue on the next sheet.</summary>
    public const int RowsPerSheet = 1_048_575;


    /// <summary>
    /// A minimal Office Open XML workbook written as a stream: one sheet part per 1,048,575 rows with
    /// inline strings (no shared-string table to hold in memory), numbers as numbers, dates and
    /// timestamps as Excel dates in Asia/Shanghai local time, a bold frozen header row. The workbook,
    /// relationships and content types are written after the sheets (ZIP part order is free in OPC).
    /// </summary>
    public static async Task WriteAsync(IReadOnlyList<ResultColumn> columns, IAsyncEnumerable<object?[]> rows, Stream output, CancellationToken ct)
    {
        var visible = DownloadFormats.VisibleOrdinals(columns);
        var letters = visible.Select((_, i) => ColumnLetters(i)).ToArray();
        await using var chunk = new ChunkStream();
        var sheets = 0;
        using (var zip = new ZipArchive(chunk, ZipArchiveMode.Create, leaveOpen: true))
        {
            StreamWriter? sheet = null;
            var rowNumber = 0;
            await foreach (var row in rows.WithCancellation(ct))
            {
                if (sheet is null || rowNumber > RowsPerSheet)
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
        var entry = Entry(zip, $"xl/worksheets/sheet{number}.xml");
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

    /// <summary>
    /// ZIP parts stamped with the DOS epoch, not the clock: the same version is the same bytes on every download,
    /// as its strong ETag promises and the sha256 stated in DCAT and the Data Package needs.
    /// </summary>
    private static readonly DateTimeOffset PartTime = new(1980, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private static ZipArchiveEntry Entry(ZipArchive zip, string name)
    {
        var entry = zip.CreateEntry(name, CompressionLevel.Fastest);
        entry.LastWriteTime = PartTime;
        return entry;
    }

    private static void WritePart(ZipArchive zip, string name, string content)
    {
        using var stream = Entry(zip, name).Open();
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
}
