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

    public static string MediaType(string format) => format switch
    {
        "csv" => "text/csv; charset=utf-8",
        "json" => "application/json; charset=utf-8",
        "jsonl" => "application/x-ndjson; charset=utf-8",
        "geojson" => "application/geo+json; charset=utf-8",
        _ => DataOpen.Api.Catalog.MediaTypes.For(format),
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
