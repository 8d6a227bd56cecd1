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
}

/// <summary>A steward's action on a comment: an answer shown under it, and/or hiding it from the page (the stars still count).</summary>
public sealed record RatingModeration(string? Answer, bool? Hidden);
