using DataOpen.Api.Access;
using DataOpen.Api.Catalog;
using DataOpen.Api.Infrastructure;
using Microsoft.AspNetCore.Http.HttpResults;

namespace DataOpen.Api.Community;

public static partial class CommunityEndpoints
{
    public const int CommentsShown = 50;

    private static async Task<Results<Ok<DatasetRatings>, ProblemHttpResult>> GetRatings(string id, RatingStore store, CatalogStore catalog, CancellationToken ct)
    {
        if (catalog.Current.FindServed(id) is null)
        {
            return Problems.NotFound($"No open dataset '{id}'.");
        }

        return TypedResults.Ok(new DatasetRatings(await store.SummaryAsync(id, ct), await store.CommentsAsync(id, CommentsShown, ct)));
    }

    private static async Task<Results<Ok<RatingSaved>, ProblemHttpResult>> Rate(string id, HttpContext http, RatingInput? body, RatingStore store,
        CatalogStore catalog, KeyHasher hasher, CancellationToken ct)
    {
        if (catalog.Current.FindServed(id) is null)
        {
            return Problems.NotFound($"No open dataset '{id}'.");
        }

        if (body?.Stars is not (>= 1 and <= 5))
        {
            return Problems.BadRequest("bad-value", "stars must be a whole number from 1 to 5.", "stars");
        }

        var comment = string.IsNullOrWhiteSpace(body.Comment) ? null : body.Comment.Trim();
        if (comment is { Length: > RatingStore.MaxComment })
        {
            return Problems.BadRequest("too-long", $"comment is longer than {RatingStore.MaxComment} characters.", "comment");
        }

        var saved = await store.RateAsync(id, Who(http.GetCaller(), hasher), body.Stars.Value, comment, ct);
        return TypedResults.Ok(new RatingSaved(await store.SummaryAsync(id, ct), saved.Stars, saved.Comment));
    }

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
            ? TypedResults.Ok(r)
            : Problems.NotFound($"No reuse {id} of a dataset you steward.");

    private static async Task<Results<Ok<ReuseRecord>, ProblemHttpResult>> RejectReuse(long id, HttpContext http, RejectRequest? body, ReuseStore store, CatalogStore catalog, CancellationToken ct)
    {
        if (Text(body?.Reason, "reason", 2000) is { } problem)
        {
            return problem;
        }

        return await store.ModerateAsync(id, "rejected", body!.Reason!.Trim(), http.GetCaller().Actor, Scope(http, catalog), ct) is { } r
            ? TypedResults.Ok(r)
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

    /// <summary>The datasets a steward moderates: their publisher's (null for admins: all).</summary>
    private static string[]? Scope(HttpContext http, CatalogStore catalog)
    {
        var caller = http.GetCaller();
        return caller.IsAdmin ? null : catalog.Current.Datasets.Where(d => d.Metadata.Publisher == caller.PublisherId).Select(d => d.Identifier).ToArray();
    }
}

/// <summary>A steward's action on a comment: an answer shown under it, and/or hiding it from the page (the stars still count).</summary>
public sealed record RatingModeration(string? Answer, bool? Hidden);
