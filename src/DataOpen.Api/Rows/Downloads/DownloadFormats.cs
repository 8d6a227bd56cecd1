using DataOpen.Core.Catalog;
using DataOpen.Core.Query;

namespace DataOpen.Api.Rows.Downloads;

/// <summary>
/// The download formats. Each format has its own writer in this folder; each reads rows one at a time
/// and hands bytes to the response every ~64 KB (Parquet: every row group), so memory does not depend
/// on the number of rows.
/// </summary>
public static class DownloadFormats
{
    public static readonly IReadOnlyList<string> All = ["csv", "json", "jsonl", "xlsx", "parquet", "geojson"];

    /// <summary>
    /// "No row cap" for downloads: the compiler needs some LIMIT, so the largest it can take. No
    /// table reaches two billion rows; the parameter exists only so one compiler serves every door.
    /// </summary>
    public const int Unbounded = int.MaxValue - 1;

    /// <summary>The limits of a download (and of the whole-version writes behind the distribution digests): no row cap.</summary>
    public static readonly QueryLimits Limits = QueryLimits.Default with { DefaultLimit = Unbounded, MaxLimit = Unbounded };

    public static readonly QueryCompiler Compiler = new(Limits);

    public static string MediaType(string format) => format switch
    {
        "csv" => "text/csv; charset=utf-8",
        "json" => "application/json; charset=utf-8",
        "jsonl" => "application/x-ndjson; charset=utf-8",
        "geojson" => "application/geo+json; charset=utf-8",
        _ => DataOpen.Api.Catalog.MediaTypes.For(format),
    };

    /// <summary>
    /// Writes <paramref name="rows"/> (values in <paramref name="columns"/> order) as <paramref name="format"/> to
    /// <paramref name="output"/>: the one writer per format that the download door and the distribution digests share,
    /// so a digest is of the very bytes a download serves. GeoJSON needs the dataset's <paramref name="geo"/> fields.
    /// </summary>
    public static Task WriteAsync(string format, IReadOnlyList<ResultColumn> columns, IAsyncEnumerable<object?[]> rows, Stream output, GeoSpec? geo, CancellationToken ct) => format switch
    {
        "csv" => CsvDownload.WriteAsync(columns, rows, output, ct),
        "json" => JsonDownload.WriteAsync(columns, rows, output, lines: false, ct),
        "jsonl" => JsonDownload.WriteAsync(columns, rows, output, lines: true, ct),
        "xlsx" => XlsxDownload.WriteAsync(columns, rows, output, ct),
        "parquet" => ParquetDownload.WriteAsync(columns, rows, output, ct),
        "geojson" => GeoJsonDownload.WriteAsync(columns, rows, output, geo ?? throw new ArgumentException("GeoJSON needs the dataset's coordinate fields.", nameof(geo)), ct),
        _ => throw new ArgumentException($"No download format '{format}'.", nameof(format)),
    };

    public static int[] VisibleOrdinals(IReadOnlyList<ResultColumn> columns) =>
        columns.Select((c, i) => (c, i)).Where(x => !x.c.Hidden).Select(x => x.i).ToArray();

    internal static int IndexOf(IReadOnlyList<ResultColumn> columns, string name)
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
