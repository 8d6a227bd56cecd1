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
}
