using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using DataOpen.Api.Infrastructure;
using DataOpen.Core.Catalog;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace DataOpen.Api.Catalog;

/// <summary>The catalog door: search with facets, dataset detail, versions, Table Schema, publishers and themes.</summary>
public static class CatalogEndpoints
{
    public static IEndpointRouteBuilder MapCatalog(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/v1").WithTags("Catalog").WithStrictQuery();
        group.MapGet("/datasets", Search).WithName("SearchDatasets")
            .WithSummary("Search the catalog (Chinese and English full text) with facets, filters, sorting and a stable cursor.")
            .ProducesProblem(StatusCodes.Status400BadRequest);
        group.MapGet("/datasets/{id}", Detail).WithName("GetDataset")
            .WithSummary("Full catalogue metadata of one dataset: fields, distributions, current version, counters.")
            .ProducesProblem(StatusCodes.Status404NotFound);
        group.MapGet("/datasets/{id}/versions", Versions).WithName("ListVersions")
            .WithSummary("Every published, immutable version of a dataset.").ProducesProblem(StatusCodes.Status404NotFound);
        group.MapGet("/datasets/{id}/versions/{version:int}", Version).WithName("GetVersion")
            .WithSummary("One published version with its fields.").ProducesProblem(StatusCodes.Status404NotFound);
        group.MapGet("/datasets/{id}/schema", Schema).WithName("GetTableSchema")
            .WithSummary("The Frictionless Table Schema of the current (or ?version=N) version.").ProducesProblem(StatusCodes.Status404NotFound);
        group.MapGet("/publishers", Publishers).WithName("ListPublishers").WithSummary("The providing departments (数据提供方) and their dataset counts.");
        group.MapGet("/themes", Themes).WithName("ListThemes").WithSummary("Theme schemes (资源分类 axes) with their themes and dataset counts.");
        group.MapGet("/schemas/dataset.json", () => Results.Text(MetadataValidator.SchemaText, "application/schema+json"))
            .WithName("GetDatasetMetadataSchema").WithSummary("The JSON Schema that every dataset.json must satisfy.");
        return app;
    }

    private static async Task<Results<Ok<SearchResponse>, ProblemHttpResult>> Search(
        HttpContext http,
        CatalogStore catalog,
        CatalogSearch search,
        [FromQuery] string? q,
        [FromQuery] string[]? theme,
        [FromQuery] string? publisher,
        [FromQuery(Name = "open_class")] string? openClass,
        [FromQuery] string? format,
        [FromQuery(Name = "update_frequency")] string? updateFrequency,
        [FromQuery] string? license,
        [FromQuery] string? sort,
        [FromQuery] int? limit,
        [FromQuery] string? cursor,
        CancellationToken ct)
    {
        var size = limit ?? 20;
        if (size is < 1 or > CatalogSearch.MaxLimit)
        {
            return Problems.BadRequest("limit-out-of-range", $"limit must be between 1 and {CatalogSearch.MaxLimit}; it was {size}.", "limit");
        }

        var order = sort ?? (string.IsNullOrWhiteSpace(q) ? "modified" : "relevance");
        if (!CatalogSearch.Sorts.Contains(order))
        {
            return Problems.BadRequest("unknown-sort", $"sort must be one of {string.Join(", ", CatalogSearch.Sorts)}; it was '{order}'.", "sort");
        }

        if (openClass is not null && openClass is not (OpenClasses.Unconditional or OpenClasses.Conditional))
        {
            return Problems.BadRequest("unknown-open-class", $"open_class must be unconditional or conditional; it was '{openClass}'.", "open_class");
        }

        if (q is { Length: > 200 })
        {
            return Problems.BadRequest("query-too-long", "q may be at most 200 characters.", "q");
        }

        var snapshot = catalog.Current;
        try
        {
            var request = new SearchRequest(q, theme ?? [], publisher, openClass, format, updateFrequency, license, order, size, cursor);
            var result = await search.SearchAsync(snapshot, request, ct);
            var baseUrl = BaseUrl(http.Request);
            var items = result.Page.Select(h => Summary(snapshot, h, baseUrl)).ToList();
            string? next = null;
            if (result.NextCursor is not null)
            {
                var query = QueryString.Create(http.Request.Query.Where(kv => kv.Key != "cursor").SelectMany(kv => kv.Value.Select(v => new KeyValuePair<string, string?>(kv.Key, v)))
                    .Append(new("cursor", result.NextCursor)));
                next = $"{baseUrl}/api/v1/datasets{query}";
            }

            return TypedResults.Ok(new SearchResponse(result.Total, items, CatalogSearch.BuildFacets(snapshot, result.All), next, snapshot.CatalogVersion));
        }
        catch (SearchException ex)
        {
            return Problems.BadRequest("bad-search-parameter", ex.Message, ex.Parameter);
        }
    }

    internal static DatasetSummary Summary(CatalogSnapshot snapshot, SearchHit hit, string baseUrl)
    {
        var d = hit.Dataset;
        var m = d.Metadata;
        return new DatasetSummary(
            d.Identifier, new(m.Title.Zh, m.Title.En), new(m.Description.Zh, m.Description.En), m.Publisher,
            snapshot.PublishersById.GetValueOrDefault(m.Publisher)?.NameZh, m.OpenClass, OpenClasses.ToAccessRights(m.OpenClass),
            m.UpdateFrequency, m.License, m.Themes, [.. m.Keywords.Zh, .. m.Keywords.En ?? []], d.Modified, d.Current?.Version, d.Current?.RowCount,
            d.Counters, hit.Score, $"{baseUrl}/api/v1/datasets/{d.Identifier}");
    }

    private static async Task<Results<Ok<DatasetDetail>, StatusCodeHttpResult, ProblemHttpResult>> Detail(string id, HttpContext http, CatalogStore catalog, Quality.QualityService quality, CancellationToken ct)
    {
        var snapshot = catalog.Current;
        var d = snapshot.FindServed(id);
        if (d is null || d.IsRetired)
        {
            return NotFound(id);
        }

        var detail = BuildDetail(snapshot, d, BaseUrl(http.Request));
        Quality.QualityReport? report = null;
        try
        {
            report = d.Current is null ? null : await quality.FindAsync(d, d.Current.Version, ct);
        }
        catch (Exception ex) when (Infrastructure.DatabaseFaults.IsUnavailable(ex))
        {
            // Metadata keeps serving from the snapshot while the database is down; the quality summary is left out.
            report = null;
        }
        if (report is not null)
        {
            detail = detail with { Quality = new QualitySummary(report.Score, report.Version, report.ComputedAt, report.Checks.Where(c => c.Score is < 1).Select(c => c.Id).ToList(), detail.Links["quality"]) };
        }

        return HttpCaching.NotModified(http, HttpCaching.Etag("dataset", d.Identifier, d.Modified.ToString("O"), d.Current?.Sha256, d.Counters.ToString(), snapshot.CatalogVersion.ToString(System.Globalization.CultureInfo.InvariantCulture), report?.ComputedAt.ToString("O")), "public, max-age=60")
            ? TypedResults.StatusCode(StatusCodes.Status304NotModified)
            : TypedResults.Ok(detail);
    }

    public static DatasetDetail BuildDetail(CatalogSnapshot snapshot, DatasetEntry d, string baseUrl)
    {
        var m = d.Metadata;
        var themeLookup = snapshot.Themes.ToDictionary(t => (t.SchemeId, t.Code));
        var themes = m.Themes.ToDictionary(kv => kv.Key, kv => (IReadOnlyList<ThemeInfo>)kv.Value.Select(c => themeLookup.GetValueOrDefault((kv.Key, c)) ?? new ThemeInfo(kv.Key, c, c, null, null)).ToList());
        var self = $"{baseUrl}/api/v1/datasets/{d.Identifier}";
        var distributions = CatalogSearch.DistributionFormats(d)
            .Select(f => new DistributionDto(f, MediaTypes.For(f), $"{self}/download?format={f}", $"{m.Title.Zh} ({f.ToUpperInvariant()})"))
            .ToList();
        var links = new Dictionary<string, string>
        {
            ["self"] = self,
            ["rows"] = $"{self}/rows",
            ["schema"] = $"{self}/schema",
            ["versions"] = $"{self}/versions",
            ["quality"] = $"{self}/quality",
            ["odata"] = $"{baseUrl}/odata/{ODataNames.EntitySet(d.Identifier)}",
            ["graphql"] = $"{baseUrl}/graphql",
            ["page"] = $"{baseUrl}/datasets/{d.Identifier}",
        };
        return new DatasetDetail(
            d.Identifier, new(m.Title.Zh, m.Title.En), new(m.Description.Zh, m.Description.En),
            snapshot.PublishersById.GetValueOrDefault(m.Publisher), snapshot.ContactOf(m), themes,
            new LocalizedKeywords(m.Keywords.Zh, m.Keywords.En), m.OpenClass, OpenClasses.ToAccessRights(m.OpenClass),
            m.OpenConditions is null ? null : new(m.OpenConditions.Zh, m.OpenConditions.En), m.UpdateFrequency, m.Issued, d.Modified,
            snapshot.LicensesById.GetValueOrDefault(m.License), m.TemporalCoverage, m.SpatialCoverage is null ? null : new(m.SpatialCoverage.Zh, m.SpatialCoverage.En),
            m.SecurityGrade, d.Status, d.Current is null ? null : VersionOf(d, d.Current, self),
            d.Current?.Shape.Fields.Select(FieldOf).ToList() ?? [], distributions, d.Counters, m.Geo, links);
    }

    /// <summary>Table Schema's <c>rdfType</c> for the declared coordinate fields (W3C WGS84 vocabulary), so clients know which fields place a row on a map.</summary>
    internal static string? RdfTypeOf(GeoSpec? geo, string field) =>
        geo is null ? null
        : field == geo.Longitude ? "http://www.w3.org/2003/01/geo/wgs84_pos#long"
        : field == geo.Latitude ? "http://www.w3.org/2003/01/geo/wgs84_pos#lat"
        : null;

    internal static FieldDto FieldOf(FieldInfo f) =>
        new(f.Name, f.Type.ToName(), f.TitleZh is null ? null : new(f.TitleZh, f.TitleEn), f.Description, f.Unit, f.ValueDomain, f.Sensitivity);

    private static VersionDto VersionOf(DatasetEntry d, VersionInfo v, string self) =>
        new(v.Version, v.RowCount, v.ByteSize, v.Sha256, v.SourceFormat, v.SourceEncoding, v.PublishedAt, v.PublishedBy, d.Current?.Version == v.Version, $"{self}/versions/{v.Version}");

    private static Results<Ok<IReadOnlyList<VersionDto>>, ProblemHttpResult> Versions(string id, HttpContext http, CatalogStore catalog)
    {
        var d = catalog.Current.FindServed(id);
        if (d is null)
        {
            return NotFound(id);
        }

        var self = $"{BaseUrl(http.Request)}/api/v1/datasets/{d.Identifier}";
        return TypedResults.Ok<IReadOnlyList<VersionDto>>(d.Versions.OrderByDescending(v => v.Version).Select(v => VersionOf(d, v, self)).ToList());
    }

    public sealed record VersionDetail(VersionDto Version, IReadOnlyList<FieldDto> Fields);

    private static Results<Ok<VersionDetail>, StatusCodeHttpResult, ProblemHttpResult> Version(string id, int version, HttpContext http, CatalogStore catalog)
    {
        var d = catalog.Current.FindServed(id);
        var v = d?.FindVersion(version);
        if (d is null || v is null)
        {
            return d is null ? NotFound(id) : Problems.NotFound($"Dataset '{id}' has no version {version}.");
        }

        // A published version never changes: its ETag is its sha256 and it may be cached for long.
        if (HttpCaching.NotModified(http, HttpCaching.Etag("version", d.Identifier, v.Version.ToString(System.Globalization.CultureInfo.InvariantCulture), v.Sha256), "public, max-age=86400, immutable"))
        {
            return TypedResults.StatusCode(StatusCodes.Status304NotModified);
        }

        var self = $"{BaseUrl(http.Request)}/api/v1/datasets/{d.Identifier}";
        return TypedResults.Ok(new VersionDetail(VersionOf(d, v, self), v.Shape.Fields.Select(FieldOf).ToList()));
    }

    private static Results<JsonHttpResult<TableSchemaDto>, StatusCodeHttpResult, ProblemHttpResult> Schema(string id, int? version, HttpContext http, CatalogStore catalog)
    {
        var d = catalog.Current.FindServed(id);
        if (d is null)
        {
            return NotFound(id);
        }

        var v = version is int n ? d.FindVersion(n) : d.Current;
        if (v is null)
        {
            return Problems.NotFound(version is null ? $"Dataset '{id}' has no published version." : $"Dataset '{id}' has no version {version}.");
        }

        if (HttpCaching.NotModified(http, HttpCaching.Etag("schema", d.Identifier, v.Sha256), "public, max-age=300"))
        {
            return TypedResults.StatusCode(StatusCodes.Status304NotModified);
        }

        return TypedResults.Json(TableSchemaOf(d, v), contentType: "application/json");
    }

    /// <summary>The Frictionless Table Schema of one version (the schema endpoint, DCAT's dct:conformsTo, Data Packages).</summary>
    public static TableSchemaDto TableSchemaOf(DatasetEntry d, VersionInfo v)
    {
        // The key this version was published with (publishing enforced it: unique, no nulls).
        IReadOnlyList<string> key = v.PrimaryKey ?? [];
        var required = (d.Metadata.Fields ?? []).Where(f => f.Required == true).Select(f => f.Name).ToHashSet(StringComparer.Ordinal);
        return new TableSchemaDto(
            v.Shape.Fields.Select(f => new TableSchemaField(f.Name, f.Type.ToTableSchemaType(), f.TitleZh, f.Description, f.Unit, f.Type.ToName(),
                required.Contains(f.Name) || key.Contains(f.Name) ? new TableSchemaConstraints(true) : null, RdfTypeOf(d.Metadata.Geo, f.Name))).ToList(),
            [""], v.Version, key.Count > 0 ? key : null);
    }

    private static Ok<IReadOnlyList<PublisherDto>> Publishers(CatalogStore catalog)
    {
        var snapshot = catalog.Current;
        var counts = snapshot.Served.Where(d => !d.IsRetired).GroupBy(d => d.Metadata.Publisher).ToDictionary(g => g.Key, g => g.Count());
        return TypedResults.Ok<IReadOnlyList<PublisherDto>>(snapshot.Publishers.Select(p => new PublisherDto(
            p.Id, new(p.NameZh, p.NameEn), p.DescriptionZh is null ? null : new(p.DescriptionZh, p.DescriptionEn), p.Email, p.Phone, p.Website,
            counts.GetValueOrDefault(p.Id))).ToList());
    }

    private static Ok<IReadOnlyList<ThemeSchemeDto>> Themes(CatalogStore catalog)
    {
        var snapshot = catalog.Current;
        var served = snapshot.Served.ToList();
        return TypedResults.Ok<IReadOnlyList<ThemeSchemeDto>>(snapshot.ThemeSchemes.Select(s => new ThemeSchemeDto(
            s.Id, new(s.NameZh, s.NameEn),
            snapshot.Themes.Where(t => t.SchemeId == s.Id).Select(t => new ThemeDto(t.Code, new(t.LabelZh, t.LabelEn), t.ParentCode,
                served.Count(d => d.Metadata.Themes.TryGetValue(s.Id, out var codes) && codes.Contains(t.Code)))).ToList())).ToList());
    }

    private static ProblemHttpResult NotFound(string id) => Problems.NotFound($"No dataset '{id}' is published.");

    /// <summary>Absolute base URL of this request (scheme://host[/pathbase]), for links in responses.</summary>
    public static string BaseUrl(HttpRequest request) => $"{request.Scheme}://{request.Host}{request.PathBase}";
}

public static class MediaTypes
{
    public static string For(string format) => format switch
    {
        "csv" => "text/csv",
        "json" => "application/json",
        "jsonl" => "application/x-ndjson",
        "xlsx" => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "parquet" => "application/vnd.apache.parquet",
        "geojson" => "application/geo+json",
        _ => "application/octet-stream",
    };
}

/// <summary>Names the OData door gives each dataset's entity set: ASCII, stable, derived from the identifier.</summary>
public static class ODataNames
{
    public static string EntitySet(string identifier)
    {
        var sb = new StringBuilder();
        var upper = true;
        foreach (var c in identifier)
        {
            if (c == '-')
            {
                upper = true;
                continue;
            }

            sb.Append(upper ? char.ToUpperInvariant(c) : c);
            upper = false;
        }

        return sb.ToString();
    }
}

/// <summary>Strong ETags and conditional GET.</summary>
public static class HttpCaching
{
    public static string Etag(params string?[] parts)
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(string.Join('\u001f', parts)));
        return "\"" + Convert.ToHexStringLower(hash.AsSpan(0, 16)) + "\"";
    }

    /// <summary>Sets ETag and Cache-Control; true when the request's If-None-Match matches (answer 304).</summary>
    public static bool NotModified(HttpContext http, string etag, string cacheControl)
    {
        http.Response.Headers.ETag = etag;
        http.Response.Headers.CacheControl = cacheControl;
        var inm = http.Request.Headers.IfNoneMatch.ToString();
        return inm.Length > 0 && (inm.Trim() == "*" || inm.Split(',').Any(t => t.Trim() == etag));
    }
}
