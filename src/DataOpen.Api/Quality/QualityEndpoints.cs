using DataOpen.Api.Access;
using DataOpen.Api.Catalog;
using DataOpen.Api.Community;
using DataOpen.Api.Infrastructure;
using Microsoft.AspNetCore.Http.HttpResults;

namespace DataOpen.Api.Quality;

/// <summary>One line of the stewards' quality view: a dataset of their department with its current score and its ratings.</summary>
public sealed record QualityRow(string Dataset, string Title, int? Version, double? Score, double? Rating, int Ratings, IReadOnlyList<string> Failing);

public static class QualityEndpoints
{
    public static IEndpointRouteBuilder MapQuality(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/v1/datasets/{id}/quality", Report).WithTags("Catalog").WithStrictQuery().WithName("GetQuality")
            .WithSummary("The data quality report (数据质量) of the current version, or of version=N: the score from 0 to 100 and every check with its result and how to fix it.")
            .ProducesProblem(StatusCodes.Status404NotFound);
        app.MapGet("/api/v1/steward/quality", StewardView).WithTags("Steward").WithStrictQuery().WithName("StewardQuality").AddEndpointFilter(AccessFilters.Steward)
            .WithSummary("The steward's datasets (admins: all) by quality score, lowest first, with their ratings and failing checks.")
            .ProducesProblem(StatusCodes.Status401Unauthorized).ProducesProblem(StatusCodes.Status403Forbidden);
        return app;
    }

    private static async Task<Results<Ok<QualityReport>, ProblemHttpResult>> Report(string id, int? version, CatalogStore catalog, QualityService quality, CancellationToken ct)
    {
        if (catalog.Current.FindServed(id) is not { Current: not null } dataset)
        {
            return Problems.NotFound($"No open dataset '{id}'.");
        }

        var v = version ?? dataset.Current.Version;
        if (dataset.FindVersion(v) is null)
        {
            return Problems.NotFound($"Dataset '{id}' has no version {v}.");
        }

        return await quality.FindAsync(dataset, v, ct) is { } report
            ? TypedResults.Ok(report)
            : Problems.NotFound($"Version {v} of '{id}' has not been scored yet; its report is computed within seconds of publishing.");
    }

    private static async Task<Ok<List<QualityRow>>> StewardView(HttpContext http, CatalogStore catalog, QualityService quality, RatingStore ratings, CancellationToken ct)
    {
        var caller = http.GetCaller();
        var scores = await quality.CurrentScoresAsync(ct);
        var rated = await ratings.AllSummariesAsync(ct);
        var rows = new List<QualityRow>();
        foreach (var d in catalog.Current.Datasets.Where(d => d.Current is not null && !d.IsRetired && (caller.IsAdmin || d.Metadata.Publisher == caller.PublisherId)))
        {
            var report = await quality.FindAsync(d, d.Current!.Version, ct);
            var r = rated.GetValueOrDefault(d.Identifier);
            rows.Add(new QualityRow(d.Identifier, d.Metadata.Title.Zh, d.Current.Version, scores.TryGetValue(d.Identifier, out var s) ? s : null, r?.Average, r?.Count ?? 0,
                report?.Checks.Where(c => c.Score is < 1).Select(c => c.Id).ToList() ?? []));
        }

        return TypedResults.Ok(rows.OrderBy(r => r.Score ?? -1).ThenBy(r => r.Dataset, StringComparer.Ordinal).ToList());
    }
}
