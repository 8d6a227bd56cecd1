using System.Globalization;
using System.Text;
using DataOpen.Core.Catalog;
using nietras.SeparatedValues;

namespace DataOpen.Core.Ingest;

/// <summary>CSV (RFC 4180 quoting) read with Sep, through a <see cref="FieldGuardStream"/>.</summary>
internal sealed class CsvRowSource : IRowSource
{
    private readonly FieldGuardStream guard;
    private readonly SepReader reader;
    private readonly string[] headers;
    private long dataRows;

    private CsvRowSource(FieldGuardStream guard, SepReader reader, string encodingName)
    {
        this.guard = guard;
        this.reader = reader;
        Encoding = encodingName;
        try
        {
            if (!Advance())
            {
                throw new IngestException(IngestProblem.EmptyFile, "The file is empty; it needs a header row with the column names.");
            }

            var row = reader.Current;
            if (row.ColCount == 1 && row[0].Span.Trim().IsEmpty)
            {
                throw new IngestException(IngestProblem.NoHeader, "The first row is empty; it must hold the column names.", 1);
            }

            var raw = new string[row.ColCount];
            for (int i = 0; i < raw.Length; i++)
            {
                raw[i] = row[i].ToString();
            }

            headers = RowSource.CheckHeaders(raw);
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    public string Format => "csv";

    public string Encoding { get; }

    public IReadOnlyList<string> Headers => headers;

    public long RowNumber { get; private set; } = 1;

    public long DataRowIndex => dataRows;

    public static CsvRowSource Open(string path, SourceSpec spec, IngestOptions options)
    {
        char delimiter = spec.Delimiter is { Length: 1 } d ? d[0]
            : spec.Delimiter is null ? ','
            : throw new IngestException(IngestProblem.InvalidDelimiter, $"The delimiter must be one character, not \"{spec.Delimiter}\".");
        var (stream, encoding) = RowSource.OpenText(path, spec, options);
        FieldGuardStream guard;
        try
        {
            guard = FieldGuardStream.ForCsv(stream, delimiter, encoding, options);
        }
        catch
        {
            stream.Dispose();
            throw;
        }

        var text = new StreamReader(guard, encoding.Encoding, detectEncodingFromByteOrderMarks: false, bufferSize: 64 * 1024, leaveOpen: false);
        SepReader reader;
        try
        {
            reader = Sep.New(delimiter).Reader(o => o with
            {
                HasHeader = false,
                Unescape = true,
                DisableColCountCheck = true,
                CultureInfo = CultureInfo.InvariantCulture,
            }).From(text);
        }
        catch (DecoderFallbackException e)
        {
            text.Dispose();
            throw Translate(e, guard);
        }
        catch
        {
            text.Dispose();
            throw;
        }

        return new CsvRowSource(guard, reader, encoding.Name);
    }

    public bool Read()
    {
        while (Advance())
        {
            var row = reader.Current;
            int count = row.ColCount;
            if (count != headers.Length)
            {
                if (count == 1 && row[0].Span.IsEmpty)
                {
                    continue;
                }

                throw new IngestException(IngestProblem.RaggedRow, $"{count} fields, expected {headers.Length} (the number of columns in the header row).", RowNumber);
            }

            dataRows++;
            return true;
        }

        return false;
    }

    public ReadOnlySpan<char> GetValue(int column) => reader.Current[column].Span;

    public void Dispose()
    {
        reader.Dispose();
        guard.Dispose();
    }

    private bool Advance()
    {
        bool more;
        try
        {
            more = reader.MoveNext();
        }
        catch (DecoderFallbackException e)
        {
            throw Translate(e, guard);
        }

        if (more)
        {
            RowNumber = reader.Current.RowIndex + 1;
        }

        return more;
    }

    // The guard validates byte structure first; this catches the rare sequence that is well-formed but unmapped.
    private static IngestException Translate(DecoderFallbackException e, FieldGuardStream guard) => new(
        IngestProblem.InvalidEncoding,
        "The file has bytes that are not valid in its encoding; declare source.encoding (utf-8, gbk or gb18030) in dataset.json or re-save the file as UTF-8.",
        guard.Record,
        inner: e);
}
