using DataOpen.Api.Access;
using DataOpen.Api.Catalog;
using DataOpen.Api.Infrastructure;
using Microsoft.AspNetCore.Http.HttpResults;

namespace DataOpen.Api.Community;

public static partial class CommunityEndpoints
{
    private static async Task<Results<Ok<List<ReuseRecord>>, ProblemHttpResult>> StewardReuses(HttpContext http, ReuseStore store, CatalogStore catalog, string? status, CancellationToken ct)
    {
        if (status is not null && !ReuseKinds.Statuses.Contains(status))
        {
            return Problems.BadRequest("bad-value", $"status must be one of {string.Join(", ", ReuseKinds.Statuses)}; it was '{Shorten(status)}'.", "status");
        }

        return TypedResults.Ok(await store.ForModerationAsync(status, Scope(http, catalog), ct));
    }

    private static async Task<Results<Ok<ReuseRecord>, ProblemHttpResult>> PublishReuse(long id, HttpContext http, ReuseStore store, CatalogStore catalog, CancellationToken ct) =>
        await store.ModerateAsync(id, "published", null, http.GetCaller().Actor, Scope(http, catalog), ct) is { } r
            ? await CountedAsync(r, catalog, ct)
            : Problems.NotFound($"No reuse {id} of a dataset you steward.");

    private static async Task<Results<Ok<ReuseRecord>, ProblemHttpResult>> RejectReuse(long id, HttpContext http, RejectRequest? body, ReuseStore store, CatalogStore catalog, CancellationToken ct)
    {
        if (Text(body?.Reason, "reason", 2000) is { } problem)
        {
            return problem;
        }

        return await store.ModerateAsync(id, "rejected", body!.Reason!.Trim(), http.GetCaller().Actor, Scope(http, catalog), ct) is { } r
            ? await CountedAsync(r, catalog, ct)
            : Problems.NotFound($"No reuse {id} of a dataset you steward.");
    }

    private static async Task<Ok<List<RatingRecord>>> StewardRatings(HttpContext http, RatingStore store, CatalogStore catalog, string? dataset, CancellationToken ct) =>
        TypedResults.Ok(await store.ForStewardAsync(dataset, Scope(http, catalog), ct));

    private static async Task<Results<Ok<RatingRecord>, ProblemHttpResult>> ModerateRating(long id, HttpContext http, RatingModeration? body, RatingStore store, CatalogStore catalog, CancellationToken ct)
    {
        var answer = string.IsNullOrWhiteSpace(body?.Answer) ? null : body.Answer.Trim();
        if (answer is null && body?.Hidden is null)
        {
            return Problems.BadRequest("missing-value", "Send answer (text), hidden (true or false), or both.", "answer");
        }

        if (answer is { Length: > RatingStore.MaxComment })
        {
            return Problems.BadRequest("too-long", $"answer is longer than {RatingStore.MaxComment} characters.", "answer");
        }

        return await store.ModerateAsync(id, answer, body!.Hidden, http.GetCaller().Actor, Scope(http, catalog), ct) is { } r
            ? TypedResults.Ok(r)
            : Problems.NotFound($"No comment {id} on a dataset you steward.");
    }

    /// <summary>The datasets' public counters include published reuses: refreshed at once here, on other instances at their next refresh.</summary>
    private static async Task<Ok<ReuseRecord>> CountedAsync(ReuseRecord r, CatalogStore catalog, CancellationToken ct)
    {
        await catalog.RefreshCountersAsync(ct);
        return TypedResults.Ok(r);
    }

    /// <summary>The datasets a steward moderates: their publisher's (null for admins: all).</summary>
    private static string[]? Scope(HttpContext http, CatalogStore catalog)
    {
        var caller = http.GetCaller();
        return caller.IsAdmin ? null : catalog.Current.Datasets.Where(d => d.Metadata.Publisher == caller.PublisherId).Select(d => d.Identifier).ToArray();
    }
}
