using DataOpen.Api.Access;
using DataOpen.Api.Catalog;
using DataOpen.Api.Infrastructure;
using DataOpen.Api.Publishing;
using DataOpen.Core.Query;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace DataOpen.Api.Indexing;

/// <summary>A recorded query shape of a version, summed over instances and doors.</summary>
public sealed record QueryShapeDto(string Shape, string Kind, IReadOnlyList<ShapeFilter> Filters, IReadOnlyList<ShapeOrder> Order, IReadOnlyList<string> Doors,
    long Calls, double MeanMs, double P95Ms, double MaxMs);

/// <summary>A shape an index was built for, with its figures when the version still records them.</summary>
public sealed record ServedShapeDto(string Shape, long? Calls, double? P95Ms);

public sealed record AdaptiveIndexDto(
    string Name, int Version, string Status, string? Reason, IReadOnlyList<IndexColumn> Columns, IReadOnlyList<ServedShapeDto> Shapes,
    long? EstimatedBytes, long? Bytes, double? BuildMs, double? CostBefore, double? CostAfter, long? Scans, int? CarriedFrom,
    DateTimeOffset CreatedAt, DateTimeOffset? BuiltAt, DateTimeOffset? DecidedAt, string? DecidedBy);

/// <summary>
/// A dataset's adaptive indexes (every version's, newest first) and the shapes its current version served.
/// <c>available</c> is false, with the reason, when the server has no hypopg: nothing is built then.
/// </summary>
public sealed record AdaptiveIndexList(string Dataset, int? CurrentVersion, bool Available, string? UnavailableReason, long BudgetBytes, long UsedBytes,
    IReadOnlyList<AdaptiveIndexDto> Indexes, IReadOnlyList<QueryShapeDto> Shapes);

/// <summary>Stewards see, keep and drop the adaptive indexes of their publisher's datasets (admins: of all).</summary>
public static class IndexingEndpoints
{
    public static IEndpointRouteBuilder MapAdaptiveIndexes(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/v1/admin/datasets/{id}/indexes").WithTags("Admin").AddEndpointFilter(AccessFilters.Steward).WithStrictQuery()
            .ProducesProblem(StatusCodes.Status401Unauthorized).ProducesProblem(StatusCodes.Status403Forbidden).ProducesProblem(StatusCodes.Status404NotFound);
        group.MapGet("", List).WithName("AdminListAdaptiveIndexes")
            .WithSummary("The dataset's adaptive indexes (built, kept, dropped, or refused and why) with the query shapes they serve, and the shapes of its current version.");
        group.MapPost("/{index}/keep", Keep).WithName("AdminKeepAdaptiveIndex")
            .WithSummary("Keep an adaptive index: the next publish of the dataset builds it on the new version when its fields still exist.")
            .ProducesProblem(StatusCodes.Status409Conflict);
        group.MapDelete("/{index}", Drop).WithName("AdminDropAdaptiveIndex")
            .WithSummary("Drop an adaptive index (DROP INDEX CONCURRENTLY); it is not built again for this version.")
            .ProducesProblem(StatusCodes.Status409Conflict);
        return app;
    }

    private static async Task<Results<Ok<AdaptiveIndexList>, ProblemHttpResult>> List(string id, HttpContext http, CatalogStore catalog, AdaptiveIndexStore store, HypoPg hypo,
        IOptions<IndexingOptions> options, CancellationToken ct)
    {
        if (Stewarded(http, catalog, id) is { } problem)
        {
            return problem;
        }

        var entry = catalog.Current.Find(id)!;
        var available = await hypo.CheckAsync(ct);
        var shapes = await store.ShapesAsync(entry.Id, ct);
        var byKey = shapes.ToDictionary(s => s.Shape, StringComparer.Ordinal);
        var scans = await store.ScansAsync(ct);
        var rows = await store.IndexesAsync(null, entry.Id, null, ct);
        var current = entry.Current?.Version;
        var used = rows.Where(r => r.Version == current && r.Live).Sum(r => r.Bytes ?? r.EstimatedBytes ?? 0);
        var indexes = rows.OrderByDescending(r => r.Version).ThenBy(r => r.Id).Select(r => new AdaptiveIndexDto(
            r.Name, r.Version, r.Status, r.Reason, r.Columns,
            r.Shapes.Select(s => r.Version == current && byKey.TryGetValue(s, out var st) ? new ServedShapeDto(s, st.Calls, st.P95Ms) : new ServedShapeDto(s, null, null)).ToList(),
            r.EstimatedBytes, r.Bytes, r.BuildMs, r.CostBefore, r.CostAfter, scans.TryGetValue(r.Name, out var n) ? n : null, r.CarriedFrom,
            r.CreatedAt, r.BuiltAt, r.DecidedAt, r.DecidedBy)).ToList();
        var shapeDtos = shapes.OrderByDescending(s => s.TotalMs).Take(100)
            .Select(s => new QueryShapeDto(s.Shape, s.Kind, s.Filters, s.Orders, s.Doors, s.Calls, Math.Round(s.MeanMs, 3), s.P95Ms, Math.Round(s.MaxMs, 3))).ToList();
        return TypedResults.Ok(new AdaptiveIndexList(entry.Identifier, current, available, hypo.UnavailableReason, options.Value.BudgetFor(entry.Identifier), used, indexes, shapeDtos));
    }

    private static async Task<Results<Ok<AdaptiveIndexDto>, ProblemHttpResult>> Keep(string id, string index, HttpContext http, CatalogStore catalog, AdaptiveIndexStore store,
        AuditLog audit, HypoPg hypo, IOptions<IndexingOptions> options, CancellationToken ct)
    {
        if (await Find(http, catalog, store, id, index, ct) is var (row, problem) && problem is not null)
        {
            return problem;
        }

        if (!await store.SetStatusAsync(null, index, AdaptiveStatus.Kept, null, http.GetCaller().Actor, [AdaptiveStatus.Ready, AdaptiveStatus.Kept], ct))
        {
            return Problems.Conflict($"Index '{index}' is {row!.Status}: only a built index (ready) can be kept.");
        }

        await audit.AdminAsync(http.GetCaller(), "keep-index", id, new { index }, ct);
        return TypedResults.Ok(await DtoAsync(store, row!.DatasetId, index, ct));
    }

    private static async Task<Results<Ok<AdaptiveIndexDto>, ProblemHttpResult>> Drop(string id, string index, HttpContext http, CatalogStore catalog, AdaptiveIndexStore store,
        AuditLog audit, Database database, CancellationToken ct)
    {
        if (await Find(http, catalog, store, id, index, ct) is var (row, problem) && problem is not null)
        {
            return problem;
        }

        if (row!.Status is AdaptiveStatus.Building)
        {
            return Problems.Conflict($"Index '{index}' is being built; drop it once it is ready.");
        }

        if (row.Status is AdaptiveStatus.Dropped)
        {
            return TypedResults.Ok(await DtoAsync(store, row.DatasetId, index, ct));
        }

        await using (var conn = await database.Writer.OpenConnectionAsync(ct))
        {
            await AdaptiveIndexBuilder.DropAsync(conn, index, ct);
        }

        await store.SetStatusAsync(null, index, AdaptiveStatus.Dropped, "Dropped by a steward; not built again for this version.", http.GetCaller().Actor,
            [AdaptiveStatus.Ready, AdaptiveStatus.Kept, AdaptiveStatus.Rejected, AdaptiveStatus.OverBudget, AdaptiveStatus.Failed], ct);
        await audit.AdminAsync(http.GetCaller(), "drop-index", id, new { index }, ct);
        return TypedResults.Ok(await DtoAsync(store, row.DatasetId, index, ct));
    }

    private static ProblemHttpResult? Stewarded(HttpContext http, CatalogStore catalog, string id)
    {
        var caller = http.GetCaller();
        var entry = catalog.Current.Find(id);
        if (entry is null)
        {
            return Problems.NotFound($"No dataset '{Shorten(id)}' is registered.");
        }

        return caller.Stewards(entry.Metadata.Publisher)
            ? null
            : Problems.Forbidden("forbidden", $"The key {caller.Actor} stewards '{caller.PublisherId}'; dataset '{id}' belongs to another publisher.");
    }

    private static async Task<(AdaptiveIndexRow? Row, ProblemHttpResult? Problem)> Find(HttpContext http, CatalogStore catalog, AdaptiveIndexStore store, string id, string index, CancellationToken ct)
    {
        if (Stewarded(http, catalog, id) is { } problem)
        {
            return (null, problem);
        }

        var entry = catalog.Current.Find(id)!;
        var row = (await store.IndexesAsync(null, entry.Id, null, ct)).FirstOrDefault(r => r.Name == index);
        return row is null ? (null, Problems.NotFound($"Dataset '{id}' has no adaptive index '{Shorten(index)}'; GET /api/v1/admin/datasets/{id}/indexes lists them.")) : (row, null);
    }

    private static async Task<AdaptiveIndexDto> DtoAsync(AdaptiveIndexStore store, long datasetId, string index, CancellationToken ct)
    {
        var r = (await store.IndexesAsync(null, datasetId, null, ct)).First(x => x.Name == index);
        var scans = await store.ScansAsync(ct);
        return new AdaptiveIndexDto(r.Name, r.Version, r.Status, r.Reason, r.Columns, r.Shapes.Select(s => new ServedShapeDto(s, null, null)).ToList(),
            r.EstimatedBytes, r.Bytes, r.BuildMs, r.CostBefore, r.CostAfter, scans.TryGetValue(r.Name, out var n) ? n : null, r.CarriedFrom,
            r.CreatedAt, r.BuiltAt, r.DecidedAt, r.DecidedBy);
    }

    private static string Shorten(string s) => s.Length <= 80 ? s : s[..80] + "…";
}
