using DataOpen.Core.Catalog;

namespace DataOpen.Core.Ingest;

/// <summary>Opens a source file as an <see cref="IRowSource"/> according to dataset.json <c>source</c>.</summary>
public static class RowSource
{
    public static IRowSource Open(string path, SourceSpec spec, IngestOptions? options = null)
    {
        options ??= IngestOptions.Default;
        if (!File.Exists(path))
        {
            throw new IngestException(IngestProblem.FileNotFound, $"Source file not found: {path}");
        }

        return spec.EffectiveFormat switch
        {
            "csv" => CsvRowSource.Open(path, spec, options),
            "xlsx" => XlsxRowSource.Open(path, spec, options),
            "jsonl" => JsonLinesRowSource.Open(path, spec, options),
            var other => throw new IngestException(IngestProblem.UnsupportedFormat, $"Unsupported source format \"{other}\"; use csv, xlsx or jsonl."),
        };
    }

    /// <summary>Opens the file, detects (or takes) its encoding, skips a byte order mark, and decodes it strictly.</summary>
    internal static (FileStream Stream, SourceEncoding Encoding) OpenText(string path, SourceSpec spec, IngestOptions options)
    {
        var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.SequentialScan);
        try
        {
            var detected = SourceEncoding.Detect(stream, options.EncodingProbeBytes);
            var encoding = SourceEncoding.ForName(spec.Encoding, () => detected);
            // A UTF-8 BOM is dropped even when the encoding is declared rather than detected.
            stream.Position = detected.Name == SourceEncoding.Utf8Bom && encoding.Encoding.CodePage == 65001 ? 3 : 0;
            return (stream, encoding);
        }
        catch
        {
            stream.Dispose();
            throw;
        }
    }

    /// <summary>Checks header names: present, non-empty, unique. Returns them trimmed.</summary>
    internal static string[] CheckHeaders(IReadOnlyList<string> raw)
    {
        var headers = new string[raw.Count];
        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int i = 0; i < raw.Count; i++)
        {
            string name = raw[i].Trim().TrimStart('\uFEFF').Trim();
            if (name.Length == 0)
            {
                throw new IngestException(IngestProblem.EmptyHeader, $"Column {i + 1} has no name in the header row; every column needs one.", 1);
            }

            if (!seen.TryAdd(name, i))
            {
                throw new IngestException(IngestProblem.DuplicateHeader, $"Columns {seen[name] + 1} and {i + 1} are both named \"{name}\"; column names must be unique.", 1, name);
            }

            headers[i] = name;
        }

        if (headers.All(LooksLikeData))
        {
            throw new IngestException(IngestProblem.NoHeader, "The first row holds only numbers or dates; it must hold the column names.", 1);
        }

        return headers;
    }

    private static bool LooksLikeData(string header) =>
        ValueParser.ClassifyNumber(header) != NumberKind.None || ValueParser.ParseDate(header, out _) != ParseStatus.BadShape;
}
