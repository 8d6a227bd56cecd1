using System.Globalization;
using DataOpen.Core.Catalog;
using MiniExcelLibs;
using MiniExcelLibs.OpenXml;

namespace DataOpen.Core.Ingest;

/// <summary>
/// The first (or the named) sheet of an XLSX workbook, streamed with MiniExcel; row 1 holds the
/// column names. Cells become invariant text: numbers as Excel shows them (15 significant digits,
/// no thousands separators), dates as ISO 8601, booleans as true/false.
/// </summary>
internal sealed class XlsxRowSource : IRowSource
{
    private readonly IEnumerator<IDictionary<string, object?>> rows;
    private readonly string[] headers;
    private readonly string[] values;
    private readonly int maxFieldBytes;
    private long dataRows;

    private XlsxRowSource(IEnumerator<IDictionary<string, object?>> rows, int maxFieldBytes)
    {
        this.rows = rows;
        this.maxFieldBytes = maxFieldBytes;
        try
        {
            if (!rows.MoveNext())
            {
                throw new IngestException(IngestProblem.EmptyFile, "The sheet is empty; it needs a header row with the column names.");
            }

            var raw = new List<string>();
            foreach (var cell in rows.Current.Values)
            {
                raw.Add(ToText(cell));
            }

            // Formatting often stretches a sheet's used range past the data: drop empty trailing header cells.
            int width = raw.Count;
            while (width > 0 && string.IsNullOrWhiteSpace(raw[width - 1]))
            {
                width--;
            }

            if (width == 0)
            {
                throw new IngestException(IngestProblem.NoHeader, "The first row is empty; it must hold the column names.", 1);
            }

            headers = RowSource.CheckHeaders(raw.GetRange(0, width));
            values = new string[width];
        }
        catch
        {
            rows.Dispose();
            throw;
        }
    }

    public string Format => "xlsx";

    public string Encoding => SourceEncoding.Utf8;

    public IReadOnlyList<string> Headers => headers;

    public long RowNumber { get; private set; } = 1;

    public long DataRowIndex => dataRows;

    public static XlsxRowSource Open(string path, SourceSpec spec, IngestOptions options)
    {
        IEnumerator<IDictionary<string, object?>> rows;
        try
        {
            string? sheet = null;
            if (spec.Sheet is { Length: > 0 } wanted)
            {
                var names = MiniExcel.GetSheetNames(path);
                sheet = names.Contains(wanted)
                    ? wanted
                    : throw new IngestException(IngestProblem.SheetNotFound, $"The workbook has no sheet \"{wanted}\"; its sheets are: {string.Join(", ", names)}.");
            }

            var configuration = new OpenXmlConfiguration { FillMergedCells = false, IgnoreEmptyRows = false };
            rows = MiniExcel.Query(path, useHeaderRow: false, sheetName: sheet, excelType: ExcelType.XLSX, configuration: configuration)
                .Cast<IDictionary<string, object?>>()
                .GetEnumerator();
        }
        catch (Exception e) when (e is not IngestException)
        {
            throw new IngestException(IngestProblem.UnsupportedFormat, $"The file cannot be read as an XLSX workbook: {e.Message}", inner: e);
        }

        return new XlsxRowSource(rows, options.MaxFieldBytes);
    }

    public bool Read()
    {
        while (Next())
        {
            int column = 0;
            bool any = false;
            foreach (var cell in rows.Current.Values)
            {
                string text = ToText(cell);
                if (column < values.Length)
                {
                    // A cell is already in memory once unzipped; this keeps the limit the same for every format.
                    if (text.Length > maxFieldBytes / 3 && System.Text.Encoding.UTF8.GetByteCount(text) > maxFieldBytes)
                    {
                        throw new IngestException(IngestProblem.FieldTooLarge, $"A cell is larger than {maxFieldBytes} bytes (the MaxFieldBytes limit).", RowNumber, headers[column]);
                    }

                    values[column] = text;
                }
                else if (text.Length > 0)
                {
                    throw new IngestException(IngestProblem.RaggedRow, $"a value in column {column + 1}, which has no name in the header row.", RowNumber);
                }

                any |= text.Length > 0;
                column++;
            }

            for (int i = column; i < values.Length; i++)
            {
                values[i] = string.Empty;
            }

            if (any)
            {
                dataRows++;
                return true;
            }
        }

        return false;
    }

    public ReadOnlySpan<char> GetValue(int column) => values[column];

    public void Dispose() => rows.Dispose();

    private bool Next()
    {
        bool more;
        try
        {
            more = rows.MoveNext();
        }
        catch (Exception e) when (e is not IngestException)
        {
            throw new IngestException(IngestProblem.UnsupportedFormat, $"The workbook cannot be read past row {RowNumber}: {e.Message}", RowNumber, inner: e);
        }

        if (more)
        {
            RowNumber++;
        }

        return more;
    }

    internal static string ToText(object? cell) => cell switch
    {
        null => string.Empty,
        string s => s,
        double d => FormatDouble(d),
        float f => FormatDouble(f),
        DateTime dt => dt.TimeOfDay == TimeSpan.Zero
            ? dt.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)
            : dt.ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFFF", CultureInfo.InvariantCulture),
        DateTimeOffset dto => dto.ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFFFzzz", CultureInfo.InvariantCulture),
        DateOnly d => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        bool b => b ? "true" : "false",
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => cell.ToString() ?? string.Empty,
    };

    private static string FormatDouble(double d)
    {
        // Excel keeps 15 significant digits; whole numbers within that print without an exponent so they infer as integers.
        if (Math.Abs(d) < 1e15 && d == Math.Floor(d))
        {
            return ((long)d).ToString(CultureInfo.InvariantCulture);
        }

        return d.ToString("G15", CultureInfo.InvariantCulture);
    }
}
