using System.Net.Mail;
using DataOpen.Api.Access;
using DataOpen.Api.Catalog;
using DataOpen.Api.Infrastructure;
using Microsoft.AspNetCore.Http.HttpResults;

namespace DataOpen.Api.Community;

/// <summary>A reuse submission: what it is, where it lives, which datasets it uses, and a private contact for the stewards.</summary>
public sealed record ReuseSubmission(string? Title, string? Description, string? Kind, string? Url, string? ImageUrl, IReadOnlyList<string>? Datasets,
    string? Submitter, string? Contact);

public sealed record ReuseAccepted(long Id, string Status, string Note);

public sealed record ReusePage(IReadOnlyList<Reuse> Items, string? Next);

public sealed record RatingInput(int? Stars, string? Comment);

public sealed record DatasetRatings(RatingSummary Summary, IReadOnlyList<RatingComment> Comments);

public sealed record RatingSaved(RatingSummary Summary, int Stars, string? Comment);

/// <summary>
/// Reuses (应用成果) and ratings (开放评价): anyone may submit a reuse or rate a dataset (bounded by the caller's rate limits and, for
/// reuses, <see cref="ReuseStore.MaxPendingPerSubmitter"/> pending at once); published reuses and visible comments are public.
/// </summary>
public static partial class CommunityEndpoints
{
    public const int DefaultLimit = 20;
    public const int MaxLimit = 100;

    public static IEndpointRouteBuilder MapCommunity(this IEndpointRouteBuilder app)
    {
        var reuses = app.MapGroup("/api/v1/reuses").WithTags("Reuses").WithStrictQuery();
        reuses.MapGet("", ListReuses).WithName("ListReuses")
            .WithSummary("Published reuses (应用成果), newest first; dataset= keeps those using one dataset, kind= one kind; paged by cursor.")
            .ProducesProblem(StatusCodes.Status400BadRequest);
        reuses.MapGet("/{id:long}", GetReuse).WithName("GetReuse").WithSummary("One published reuse.").ProducesProblem(StatusCodes.Status404NotFound);
        reuses.MapPost("", SubmitReuse).WithName("SubmitReuse")
            .WithSummary("Submit an application, analysis, visualisation, news story or research that uses datasets; published once a steward approves it.")
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status429TooManyRequests);

        var ratings = app.MapGroup("/api/v1/datasets/{id}/ratings").WithTags("Ratings").WithStrictQuery();
        ratings.MapGet("", GetRatings).WithName("GetRatings")
            .WithSummary("A dataset's rating (开放评价): average, count, 1–5 distribution, and the visible comments with stewards' answers.")
            .ProducesProblem(StatusCodes.Status404NotFound);
        ratings.MapPost("", Rate).WithName("RateDataset")
            .WithSummary("Rate a dataset 1–5 with an optional comment; one rating per key (or per visitor without a key), replaced by rating again.")
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status404NotFound);

        var steward = app.MapGroup("/api/v1/steward").WithTags("Steward").AddEndpointFilter(AccessFilters.Steward).WithStrictQuery()
            .ProducesProblem(StatusCodes.Status401Unauthorized).ProducesProblem(StatusCodes.Status403Forbidden);
        steward.MapGet("/reuses", StewardReuses).WithName("StewardReuses")
            .WithSummary("Reuses that use the steward's datasets (admins: all), pending first; status=pending|published|rejected.");
        steward.MapPost("/reuses/{id:long}/publish", PublishReuse).WithName("PublishReuse").WithSummary("Publish a pending or rejected reuse.");
        steward.MapPost("/reuses/{id:long}/reject", RejectReuse).WithName("RejectReuse").WithSummary("Reject (or unpublish) a reuse, with a reason.");
        steward.MapGet("/ratings", StewardRatings).WithName("StewardRatings")
            .WithSummary("Comments on the steward's datasets (admins: all), hidden ones included; dataset= keeps one dataset.");
        steward.MapPost("/ratings/{id:long}", ModerateRating).WithName("ModerateRating")
            .WithSummary("Answer a comment (answer) and/or hide or show it again (hidden).")
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status404NotFound);
        return app;
    }

    private static async Task<Results<Ok<ReusePage>, ProblemHttpResult>> ListReuses(ReuseStore store, CatalogStore catalog, string? dataset, string? kind, int? limit, string? cursor, CancellationToken ct)
    {
        if (kind is not null && !ReuseKinds.All.Contains(kind))
        {
            return Problems.BadRequest("bad-value", $"kind must be one of {string.Join(", ", ReuseKinds.All)}; it was '{Shorten(kind)}'.", "kind");
        }

        if (limit is < 1 or > MaxLimit)
        {
            return Problems.BadRequest("bad-value", $"limit must be between 1 and {MaxLimit}.", "limit");
        }

        long? before = null;
        if (cursor is not null)
        {
            if (!long.TryParse(cursor, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var c))
            {
                return Problems.BadRequest("bad-cursor", "cursor is not one this endpoint returned.", "cursor");
            }

            before = c;
        }

        var n = limit ?? DefaultLimit;
        var items = await store.PublishedAsync(dataset, kind, before, n + 1, ct);
        var served = Visible(items.Take(n), catalog.Current);
        var next = items.Count > n ? items[n - 1].Id.ToString(System.Globalization.CultureInfo.InvariantCulture) : null;
        return TypedResults.Ok(new ReusePage(served, next));
    }

    private static async Task<Results<Ok<Reuse>, ProblemHttpResult>> GetReuse(long id, ReuseStore store, CatalogStore catalog, CancellationToken ct) =>
        await store.FindPublishedAsync(id, ct) is { } r
            ? TypedResults.Ok(Visible([r], catalog.Current)[0])
            : Problems.NotFound($"No published reuse {id}.");

    /// <summary>Datasets later withdrawn from the catalog (not open) are not named by a published reuse.</summary>
    private static List<Reuse> Visible(IEnumerable<Reuse> reuses, CatalogSnapshot snapshot) => reuses.Select(r => r.ServedIn(snapshot)).ToList();

    private static async Task<Results<Accepted<ReuseAccepted>, ProblemHttpResult>> SubmitReuse(HttpContext http, ReuseSubmission? body, ReuseStore store,
        CatalogStore catalog, KeyHasher hasher, CancellationToken ct)
    {
        if (ValidateReuse(body, catalog.Current) is { } problem)
        {
            return problem;
        }

        var submission = new NewReuse(body!.Title!.Trim(), body.Description!.Trim(), body.Kind!, body.Url!.Trim(), Empty(body.ImageUrl)?.Trim(),
            body.Datasets!.Distinct(StringComparer.Ordinal).ToArray(), body.Submitter!.Trim(), body.Contact!.Trim(), Who(http.GetCaller(), hasher));
        if (await store.AddAsync(submission, ct) is not { } id)
        {
            return Problems.Create(StatusCodes.Status429TooManyRequests, "too-many-pending", "Too many pending reuses",
                $"You already have {ReuseStore.MaxPendingPerSubmitter} reuses waiting for review; submit more once the stewards have reviewed them.");
        }

        return TypedResults.Accepted($"/api/v1/reuses/{id}", new ReuseAccepted(id, "pending",
            "Thank you. A steward of the datasets' publisher reviews it; it appears on the datasets' pages once published. Your contact is never shown."));
    }

    private static ProblemHttpResult? ValidateReuse(ReuseSubmission? body, CatalogSnapshot snapshot)
    {
        if (body is null)
        {
            return Problems.BadRequest("missing-body", "Send a JSON body: {\"title\":…, \"description\":…, \"kind\":…, \"url\":…, \"datasets\":[…], \"submitter\":…, \"contact\":…}.");
        }

        var problem = Text(body.Title, "title", 200) ?? Text(body.Description, "description", 4000) ?? Text(body.Submitter, "submitter", 200) ?? Text(body.Contact, "contact", 200);
        if (problem is not null)
        {
            return problem;
        }

        if (body.Kind is null || !ReuseKinds.All.Contains(body.Kind))
        {
            return Problems.BadRequest("bad-value", $"kind must be one of {string.Join(", ", ReuseKinds.All)}; it was '{Shorten(body.Kind)}'.", "kind");
        }

        var badUrl = WebUrl(body.Url, "url") ?? (Empty(body.ImageUrl) is null ? null : WebUrl(body.ImageUrl, "imageUrl"));
        if (badUrl is { } bad)
        {
            return bad;
        }

        var contact = body.Contact!.Trim();
        if (contact.Contains('@', StringComparison.Ordinal) && !MailAddress.TryCreate(contact, out _))
        {
            return Problems.BadRequest("bad-value", $"contact '{Shorten(contact)}' looks like an email address but is not one.", "contact");
        }

        if (body.Datasets is not { Count: > 0 } datasets || datasets.Count > 20)
        {
            return Problems.BadRequest("bad-value", "datasets must name between 1 and 20 datasets the reuse uses.", "datasets");
        }

        var unknown = datasets.FirstOrDefault(d => d is null || snapshot.FindServed(d) is null);
        return unknown is null && datasets.All(d => d is not null) ? null
            : Problems.BadRequest("unknown-dataset", $"datasets: no open dataset '{Shorten(unknown)}' in the catalogue.", "datasets");
    }

    private static ProblemHttpResult? Text(string? value, string name, int max) =>
        string.IsNullOrWhiteSpace(value) ? Problems.BadRequest("missing-value", $"{name} is required.", name)
        : value.Trim().Length > max ? Problems.BadRequest("too-long", $"{name} is longer than {max} characters.", name)
        : null;

    private static ProblemHttpResult? WebUrl(string? value, string name) =>
        Uri.TryCreate(value?.Trim(), UriKind.Absolute, out var uri) && uri.Scheme is "https" or "http" && value!.Trim().Length <= 2000 && !string.IsNullOrEmpty(uri.Host)
            ? null
            : Problems.BadRequest("bad-value", $"{name} must be an absolute http or https URL of at most 2000 characters; it was '{Shorten(value)}'.", name);

    /// <summary>Who submits or rates, pseudonymously: the key's public id, or a keyed hash of the visitor's address (never the address itself).</summary>
    internal static string Who(Caller caller, KeyHasher hasher) =>
        caller.PublicId is { } id ? "key:" + id
        : caller.IsAdmin ? "admin"
        : "visitor:" + Convert.ToHexStringLower(hasher.Hash("community:" + caller.Partition))[..32];

    private static string? Empty(string? s) => string.IsNullOrWhiteSpace(s) ? null : s;

    private static string Shorten(string? s) => s is null ? "" : s.Length <= 60 ? s : s[..60] + "…";
}
