using System.Text.Json;
using DataOpen.Core.Catalog;

namespace DataOpen.Core.Ingest;

/// <summary>
/// JSON Lines: one object per line. The keys of the first object are the column names; a later
/// object may omit keys (null) but not add new ones. Values must be strings, numbers, booleans or null;
/// numbers keep their exact text.
/// </summary>
internal sealed class JsonLinesRowSource : IRowSource
{
    private static readonly JsonDocumentOptions DocumentOptions = new() { MaxDepth = 4 };

    private readonly FieldGuardStream guard;
    private readonly StreamReader reader;
    private readonly string[] headers;
    private readonly Dictionary<string, int> index;
    private readonly string[] values;
    private readonly bool[] seen;
    private long dataRows;
    private string? pending;

    private JsonLinesRowSource(FieldGuardStream guard, StreamReader reader, string encodingName)
    {
        this.guard = guard;
        this.reader = reader;
        Encoding = encodingName;
        try
        {
            string? line;
            while ((line = NextLine()) is not null && string.IsNullOrWhiteSpace(line))
            {
            }

            if (line is null)
            {
                throw new IngestException(IngestProblem.EmptyFile, "The file is empty; it needs at least one JSON object.");
            }

            using var first = Parse(line);
            var names = new List<string>();
            foreach (var property in first.RootElement.EnumerateObject())
            {
                names.Add(property.Name);
            }

            if (names.Count == 0)
            {
                throw new IngestException(IngestProblem.NoHeader, "The first object has no keys; its keys are the column names.", RowNumber);
            }

            headers = RowSource.CheckHeaders(names);
            index = new Dictionary<string, int>(StringComparer.Ordinal);
            for (int i = 0; i < names.Count; i++)
            {
                index[names[i]] = i;
            }

            values = new string[headers.Length];
            seen = new bool[headers.Length];
            pending = line;
        }
        catch
        {
            reader.Dispose();
            throw;
        }
    }

    public string Format => "jsonl";

    public string Encoding { get; }

    public IReadOnlyList<string> Headers => headers;

    public long RowNumber { get; private set; }

    public long DataRowIndex => dataRows;

    public static JsonLinesRowSource Open(string path, SourceSpec spec, IngestOptions options)
    {
        var (stream, encoding) = RowSource.OpenText(path, spec, options);
        var guard = FieldGuardStream.ForJsonLines(stream, encoding, options);
        var reader = new StreamReader(guard, encoding.Encoding, detectEncodingFromByteOrderMarks: false, bufferSize: 64 * 1024, leaveOpen: false);
        return new JsonLinesRowSource(guard, reader, encoding.Name);
    }

    public bool Read()
    {
        string? line;
        if (pending is not null)
        {
            line = pending;
            pending = null;
        }
        else
        {
            while ((line = NextLine()) is not null && string.IsNullOrWhiteSpace(line))
            {
            }

            if (line is null)
            {
                return false;
            }
        }

        using var document = Parse(line);
        Array.Clear(seen);
        foreach (var property in document.RootElement.EnumerateObject())
        {
            if (!index.TryGetValue(property.Name, out int column))
            {
                throw new IngestException(IngestProblem.UnknownKey, $"Key \"{property.Name}\" is not in the first object; every line must use the keys of the first line.", RowNumber, property.Name);
            }

            if (seen[column])
            {
                throw new IngestException(IngestProblem.InvalidJson, $"Key \"{property.Name}\" appears twice in one object.", RowNumber, property.Name);
            }

            seen[column] = true;
            values[column] = property.Value.ValueKind switch
            {
                JsonValueKind.String => property.Value.GetString() ?? string.Empty,
                JsonValueKind.Number => property.Value.GetRawText(),
                JsonValueKind.True => "true",
                JsonValueKind.False => "false",
                JsonValueKind.Null => string.Empty,
                _ => throw new IngestException(IngestProblem.InvalidJson, $"Nested {property.Value.ValueKind.ToString().ToLowerInvariant()} values are not supported; use a string, number, boolean or null.", RowNumber, property.Name),
            };
        }

        for (int i = 0; i < seen.Length; i++)
        {
            if (!seen[i])
            {
                values[i] = string.Empty;
            }
        }

        dataRows++;
        return true;
    }

    public ReadOnlySpan<char> GetValue(int column) => values[column];

    public void Dispose() => reader.Dispose();

    private string? NextLine()
    {
        try
        {
            string? line = reader.ReadLine();
            if (line is not null)
            {
                RowNumber++;
            }

            return line;
        }
        catch (System.Text.DecoderFallbackException e)
        {
            throw new IngestException(IngestProblem.InvalidEncoding, "The file has bytes that are not valid in its encoding; JSON Lines files should be UTF-8.", guard.Record, inner: e);
        }
    }

    private JsonDocument Parse(string line)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(line, DocumentOptions);
        }
        catch (JsonException e)
        {
            throw new IngestException(IngestProblem.InvalidJson, $"Not valid JSON: {e.Message}", RowNumber, inner: e);
        }

        if (document.RootElement.ValueKind != JsonValueKind.Object)
        {
            document.Dispose();
            throw new IngestException(IngestProblem.InvalidJson, "Each line must be one JSON object.", RowNumber);
        }

        return document;
    }
}
