using System.ComponentModel.DataAnnotations;

namespace DataOpen.Api.OData;

/// <summary>Settings under <c>DataOpen:OData</c> (environment: <c>DataOpen__OData__PageSize</c>).</summary>
public sealed class ODataOptions
{
    public const string Section = "DataOpen:OData";

    /// <summary>Rows per page of server-driven paging; a client may ask for fewer with <c>Prefer: odata.maxpagesize</c>.</summary>
    [Range(1, 10_000)]
    public int PageSize { get; set; } = 1000;

    /// <summary>Largest <c>$top</c> accepted; larger values are refused with 400 (follow nextLinks to read everything).</summary>
    [Range(1, int.MaxValue)]
    public int MaxTop { get; set; } = 1_000_000;

    /// <summary>
    /// Rows of next pages read ahead and held in memory, in all (0 turns read-ahead off). While a client
    /// reads a page of a published version, the service reads the page its nextLink names.
    /// </summary>
    [Range(0, 10_000_000)]
    public int ReadAheadRows { get; set; } = 100_000;

    /// <summary>Seconds a page read ahead waits for its request before it is dropped.</summary>
    [Range(1, 600)]
    public int ReadAheadSeconds { get; set; } = 10;
}
