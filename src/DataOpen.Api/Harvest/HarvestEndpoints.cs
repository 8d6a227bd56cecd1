using DataOpen.Api.Catalog;
using DataOpen.Api.Infrastructure;
using DataOpen.Api.Publishing;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Net.Http.Headers;

namespace DataOpen.Api.Harvest;

/// <summary>
/// The harvest door: the catalogue as DCAT-AP 3.0 (Turtle, JSON-LD, RDF/XML; /catalog by content negotiation,
/// paged with Hydra), each dataset as DCAT-AP, the theme schemes as SKOS, and Frictionless Data Packages. It reads
/// the catalog snapshot only: not-open, retired and unpublished datasets are in none of them.
/// </summary>
public static class HarvestEndpoints
{
    public static IEndpointRouteBuilder Map(IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("").WithTags("Harvest").WithStrictQuery();
        // Outside /api/, so marked for the OpenAPI document: each route with the media types it answers in.
        var rdf = app.MapGroup("").WithTags("Harvest").WithStrictQuery().WithMetadata(InOpenApiDocument.Instance);
        rdf.MapGet("/catalog", (HttpContext http, CatalogStore catalog, DistributionDigests digests, int? page, [FromQuery(Name = "page_size")] int? pageSize, CancellationToken ct) =>
                Negotiated(http, f => Catalogue(http, catalog.Current, digests, f, "/catalog", page, pageSize, ct)))
            .WithName("GetDcatCatalog")
            .WithSummary("The catalogue as DCAT-AP 3.0 by content negotiation (text/turtle, application/ld+json, application/rdf+xml; Turtle by default), paged with Hydra.")
            .WithDescription(PagingText + " The Accept header picks the serialisation (q-values respected; none, */* or text/* is Turtle); " +
                "nothing acceptable is 406. The response varies on Accept.")
            .Produces<string>(StatusCodes.Status200OK, "text/turtle", "application/ld+json", "application/rdf+xml")
            .Produces(StatusCodes.Status304NotModified)
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status406NotAcceptable);
        rdf.MapGet("/catalog/themes", (HttpContext http, CatalogStore catalog) => Negotiated(http, f => Task.FromResult(Themes(http, catalog.Current, f))))
            .WithName("GetThemeSchemes")
            .WithSummary("The theme schemes (资源分类) as SKOS concept schemes, by content negotiation (text/turtle, application/ld+json, application/rdf+xml).")
            .Produces<string>(StatusCodes.Status200OK, "text/turtle", "application/ld+json", "application/rdf+xml")
            .Produces(StatusCodes.Status304NotModified)
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status406NotAcceptable);
        foreach (var format in RdfFormat.All)
        {
            var ext = format.Extension;
            rdf.MapGet($"/catalog.{ext}", (HttpContext http, CatalogStore catalog, DistributionDigests digests, int? page, [FromQuery(Name = "page_size")] int? pageSize, CancellationToken ct) =>
                    Catalogue(http, catalog.Current, digests, format, $"/catalog.{ext}", page, pageSize, ct))
                .WithName("GetDcatCatalog" + Suffix(ext)).WithSummary($"The catalogue as DCAT-AP 3.0 in {format.MediaType}, paged with Hydra (page, page_size).")
                .WithDescription(PagingText)
                .Produces<string>(StatusCodes.Status200OK, format.MediaType)
                .Produces(StatusCodes.Status304NotModified)
                .ProducesProblem(StatusCodes.Status400BadRequest);
            rdf.MapGet($"/catalog/themes.{ext}", (HttpContext http, CatalogStore catalog) => Themes(http, catalog.Current, format))
                .WithName("GetThemeSchemes" + Suffix(ext)).WithSummary($"The theme schemes as SKOS concept schemes in {format.MediaType}.")
                .Produces<string>(StatusCodes.Status200OK, format.MediaType)
                .Produces(StatusCodes.Status304NotModified)
                .ProducesProblem(StatusCodes.Status400BadRequest);
            rdf.MapGet($"/datasets/{{id}}.{ext}", (string id, HttpContext http, CatalogStore catalog, DistributionDigests digests, CancellationToken ct) => Dataset(http, catalog.Current, digests, id, format, ct))
                .WithName("GetDcatDataset" + Suffix(ext)).WithSummary($"One dataset as DCAT-AP 3.0 in {format.MediaType}: distributions, publisher, themes, data services.")
                .WithDescription("Not-open, retired and unpublished datasets are 404, as at every door.")
                .Produces<string>(StatusCodes.Status200OK, format.MediaType)
                .Produces(StatusCodes.Status304NotModified)
                .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status404NotFound);
        }

        group.MapGet("/api/v1/datasets/{id}/datapackage.json", (string id, HttpContext http, CatalogStore catalog, DistributionDigests digests, CancellationToken ct) => DatasetPackage(http, catalog.Current, digests, id, ct))
            .WithName("GetDataPackage").WithSummary("The Frictionless Data Package of a dataset: a resource per download format with its path and Table Schema, licences, sources.")
            .Produces(StatusCodes.Status200OK, contentType: "application/json").ProducesProblem(StatusCodes.Status404NotFound);
        group.MapGet("/api/v1/datapackage.json", (HttpContext http, CatalogStore catalog, DistributionDigests digests, CancellationToken ct) => CataloguePackage(http, catalog.Current, digests, ct))
            .WithName("GetCatalogueDataPackage").WithSummary("One Frictionless Data Package for the whole open catalogue: every served dataset's resources.")
            .Produces(StatusCodes.Status200OK, contentType: "application/json");
        return app;
    }

    private const string PagingText =
        "page (from 1) and page_size (1 to 1000, default 100) select a page of datasets; every page carries a hydra:PartialCollectionView " +
        "with hydra:totalItems, first, last, next and previous. A page or size out of range is 400.";

    private static readonly Dictionary<string, object?> Header = new() { ["header"] = "Accept" };

    private static string Suffix(string ext) => ext switch { "ttl" => "Turtle", "jsonld" => "JsonLd", _ => "RdfXml" };

    private static DcatIris Iris(HttpContext http) => new(CatalogEndpoints.BaseUrl(http.Request));

    /// <summary>Picks the serialisation from Accept (q-values respected; none, */* or text/* → Turtle); nothing acceptable → 406.</summary>
    private static async Task<IResult> Negotiated(HttpContext http, Func<RdfFormat, Task<IResult>> answer)
    {
        http.Response.Headers.Vary = "Accept";
        var accept = http.Request.Headers.Accept.ToString();
        if (string.IsNullOrWhiteSpace(accept))
        {
            return await answer(RdfFormat.Turtle);
        }

        if (!MediaTypeHeaderValue.TryParseList(accept.Split(','), out var ranges))
        {
            return Problems.Create(StatusCodes.Status400BadRequest, "bad-accept", "Bad request", $"The Accept header '{accept}' could not be parsed.", Header);
        }

        RdfFormat? best = null;
        var bestQ = 0.0;
        foreach (var range in ranges.OrderByDescending(r => r.Quality ?? 1))
        {
            var q = range.Quality ?? 1;
            var match = RdfFormat.All.FirstOrDefault(f => new MediaTypeHeaderValue(f.MediaType).IsSubsetOf(range))
                ?? (range.MediaType.Value is "application/json" ? RdfFormat.JsonLd : range.MediaType.Value is "application/xml" or "text/xml" ? RdfFormat.RdfXml : null);
            if (match is not null && q > bestQ)
            {
                best = match;
                bestQ = q;
            }
        }

        return best is null
            ? Problems.Create(StatusCodes.Status406NotAcceptable, "not-acceptable", "Not acceptable",
                $"The catalogue is served as {string.Join(", ", RdfFormat.All.Select(f => f.MediaType))}; Accept asked for '{accept}'. The .ttl, .jsonld and .rdf URLs need no header.", Header)
            : await answer(best);
    }

    private static async Task<IResult> Catalogue(HttpContext http, CatalogSnapshot snapshot, DistributionDigests digests, RdfFormat format, string path, int? page, int? pageSize, CancellationToken ct)
    {
        var size = pageSize ?? DcatCatalog.DefaultPageSize;
        if (size is < 1 or > DcatCatalog.MaxPageSize)
        {
            return Problems.BadRequest("page-size-out-of-range", $"page_size must be between 1 and {DcatCatalog.MaxPageSize}; it was {size}.", "page_size");
        }

        var number = page ?? 1;
        var result = DcatCatalog.Page(snapshot, Math.Max(number, 1), size);
        if (number < 1 || number > result.Last)
        {
            return Problems.BadRequest("page-out-of-range", $"page must be between 1 and {result.Last} (page_size {size}); it was {number}.", "page");
        }

        var iris = Iris(http);
        var known = await FactsAsync(http, digests, result.Datasets, scores: true, ct);
        return Rdf(http, format, DcatCatalog.Build(snapshot, result, iris, iris.BaseUrl + path, known), "catalog", snapshot.CatalogVersion.ToString(System.Globalization.CultureInfo.InvariantCulture),
            number.ToString(System.Globalization.CultureInfo.InvariantCulture), size.ToString(System.Globalization.CultureInfo.InvariantCulture), known.Fingerprint(result.Datasets));
    }

    private static IResult Themes(HttpContext http, CatalogSnapshot snapshot, RdfFormat format) =>
        Rdf(http, format, DcatThemes.Build(snapshot, Iris(http)), "themes", snapshot.CatalogVersion.ToString(System.Globalization.CultureInfo.InvariantCulture));

    private static async Task<IResult> Dataset(HttpContext http, CatalogSnapshot snapshot, DistributionDigests digests, string id, RdfFormat format, CancellationToken ct)
    {
        var d = Served(snapshot, id);
        if (d is null)
        {
            return NotFound(id);
        }

        var known = await FactsAsync(http, digests, [d], scores: true, ct);
        return Rdf(http, format, DcatCatalog.BuildDataset(snapshot, d, Iris(http), known), "dcat-dataset", d.Identifier, d.Modified.ToString("O"), d.Current!.Sha256,
            snapshot.CatalogVersion.ToString(System.Globalization.CultureInfo.InvariantCulture), known.Fingerprint([d]));
    }

    private static async Task<IResult> DatasetPackage(HttpContext http, CatalogSnapshot snapshot, DistributionDigests digests, string id, CancellationToken ct)
    {
        var d = Served(snapshot, id);
        if (d is null)
        {
            return NotFound(id);
        }

        var known = await FactsAsync(http, digests, [d], scores: false, ct);
        return HttpCaching.NotModified(http, HttpCaching.Etag("datapackage", d.Identifier, d.Modified.ToString("O"), d.Current!.Sha256, snapshot.CatalogVersion.ToString(System.Globalization.CultureInfo.InvariantCulture), known.Fingerprint([d])), "public, max-age=60")
            ? Results.StatusCode(StatusCodes.Status304NotModified)
            : Results.Json(DataPackages.ForDataset(snapshot, d, Iris(http), known), DataPackages.Json, "application/json");
    }

    private static async Task<IResult> CataloguePackage(HttpContext http, CatalogSnapshot snapshot, DistributionDigests digests, CancellationToken ct)
    {
        var known = await FactsAsync(http, digests, DcatCatalog.Harvestable(snapshot), scores: false, ct);
        return HttpCaching.NotModified(http, HttpCaching.Etag("datapackage-catalogue", snapshot.CatalogVersion.ToString(System.Globalization.CultureInfo.InvariantCulture), known.Fingerprint([])), "public, max-age=60")
            ? Results.StatusCode(StatusCodes.Status304NotModified)
            : Results.Json(DataPackages.ForCatalogue(snapshot, Iris(http), known), DataPackages.Json, "application/json");
    }

    /// <summary>The digests of these datasets' current versions and, for DCAT (Data Packages have no quality property), the quality scores.</summary>
    private static async Task<VersionFacts> FactsAsync(HttpContext http, DistributionDigests digests, IReadOnlyList<DatasetEntry> datasets, bool scores, CancellationToken ct) =>
        new(await digests.ForAsync(datasets, ct),
            scores ? await http.RequestServices.GetRequiredService<Quality.QualityService>().CurrentScoresAsync(ct) : new Dictionary<string, double>());

    private static DatasetEntry? Served(CatalogSnapshot snapshot, string id) =>
        snapshot.FindServed(id) is { IsRetired: false, Current: not null } d ? d : null;

    private static Microsoft.AspNetCore.Http.HttpResults.ProblemHttpResult NotFound(string id) => Problems.NotFound($"No dataset '{id}' is published.");

    private static IResult Rdf(HttpContext http, RdfFormat format, RdfGraph graph, params string?[] etagParts)
    {
        if (HttpCaching.NotModified(http, HttpCaching.Etag([.. etagParts, format.Extension, CatalogEndpoints.BaseUrl(http.Request)]), "public, max-age=60"))
        {
            return Results.StatusCode(StatusCodes.Status304NotModified);
        }

        return Results.Text(format.Write(graph), format.MediaType + "; charset=utf-8", System.Text.Encoding.UTF8);
    }
}
