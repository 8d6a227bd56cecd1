using DataOpen.Api.Infrastructure;
using Npgsql;

namespace DataOpen.Api.Community;

/// <summary>A comment as the public sees it: stars, text, the steward's answer; never who wrote it.</summary>
public sealed record RatingComment(long Id, int Stars, string Comment, DateTimeOffset UpdatedAt, string? Answer, DateTimeOffset? AnsweredAt);

/// <summary>A rating as stewards see it: also hidden ones and who hid or answered them (raters stay pseudonymous).</summary>
public sealed record RatingRecord(long Id, string Dataset, int Stars, string? Comment, bool Hidden, string? HiddenBy, string? Answer, string? AnsweredBy,
    DateTimeOffset? AnsweredAt, DateTimeOffset UpdatedAt);

/// <summary>The ratings of one dataset: mean of every rating (hidden comments still count: hiding is about the text), count, and the 1–5 distribution.</summary>
public sealed record RatingSummary(string Dataset, double? Average, int Count, IReadOnlyList<int> Distribution);

/// <summary>Ratings and comments (开放评价) in <c>community.ratings</c>: one per dataset per rater, changed by rating again.</summary>
public sealed class RatingStore(Database database)
{
    public const int MaxComment = 2000;

    private const string Columns = "id, dataset_identifier, stars, comment, hidden, hidden_by, answer, answered_by, answered_at, updated_at";

    /// <summary>Adds or replaces the rater's rating of the dataset; a changed comment is shown again and loses the old answer.</summary>
    public async Task<RatingRecord> RateAsync(string dataset, string rater, int stars, string? comment, CancellationToken ct) =>
        (await CommunitySql.ReadAsync(database,
            $"""
            INSERT INTO community.ratings (dataset_identifier, rater, stars, comment) VALUES ($1, $2, $3, $4)
            ON CONFLICT (dataset_identifier, rater) DO UPDATE SET stars = excluded.stars, comment = excluded.comment, updated_at = now(),
                hidden = CASE WHEN ratings.comment IS DISTINCT FROM excluded.comment THEN false ELSE ratings.hidden END,
                answer = CASE WHEN ratings.comment IS DISTINCT FROM excluded.comment THEN NULL ELSE ratings.answer END,
                answered_by = CASE WHEN ratings.comment IS DISTINCT FROM excluded.comment THEN NULL ELSE ratings.answered_by END,
                answered_at = CASE WHEN ratings.comment IS DISTINCT FROM excluded.comment THEN NULL ELSE ratings.answered_at END
            RETURNING {Columns}
            """, Read, ct, dataset, rater, (short)stars, comment)).Single();

    public async Task<RatingSummary> SummaryAsync(string dataset, CancellationToken ct)
    {
        var counts = new int[5];
        foreach (var (stars, n) in await CommunitySql.ReadAsync(database,
            "SELECT stars, count(*)::int FROM community.ratings WHERE dataset_identifier = $1 GROUP BY stars", r => ((int)r.GetInt16(0), r.GetInt32(1)), ct, dataset))
        {
            counts[stars - 1] = n;
        }

        return Summarise(dataset, counts);
    }

    /// <summary>Every dataset's summary, for the home page's best rated and the quality view.</summary>
    public async Task<Dictionary<string, RatingSummary>> AllSummariesAsync(CancellationToken ct)
    {
        var byDataset = new Dictionary<string, int[]>(StringComparer.Ordinal);
        foreach (var (dataset, stars, n) in await CommunitySql.ReadAsync(database,
            "SELECT dataset_identifier, stars, count(*)::int FROM community.ratings GROUP BY 1, 2", r => (r.GetString(0), (int)r.GetInt16(1), r.GetInt32(2)), ct))
        {
            (byDataset.TryGetValue(dataset, out var c) ? c : byDataset[dataset] = new int[5])[stars - 1] = n;
        }

        return byDataset.ToDictionary(kv => kv.Key, kv => Summarise(kv.Key, kv.Value), StringComparer.Ordinal);
    }

    /// <summary>Visible comments of a dataset, newest first.</summary>
    public Task<List<RatingComment>> CommentsAsync(string dataset, int limit, CancellationToken ct) =>
        CommunitySql.ReadAsync(database,
            """
            SELECT id, stars, comment, updated_at, answer, answered_at FROM community.ratings
            WHERE dataset_identifier = $1 AND comment IS NOT NULL AND NOT hidden ORDER BY updated_at DESC, id DESC LIMIT $2
            """, r => new RatingComment(r.GetInt64(0), r.GetInt16(1), r.GetString(2), r.GetFieldValue<DateTimeOffset>(3), CommunitySql.Str(r, 4), CommunitySql.Time(r, 5)),
            ct, dataset, limit);

    /// <summary>Ratings with comments on the given datasets (null: all, for admins), newest first.</summary>
    public Task<List<RatingRecord>> ForStewardAsync(string? dataset, string[]? datasets, CancellationToken ct) =>
        CommunitySql.ReadAsync(database,
            $"""
            SELECT {Columns} FROM community.ratings
            WHERE comment IS NOT NULL AND ($1::text IS NULL OR dataset_identifier = $1) AND ($2::text[] IS NULL OR dataset_identifier = ANY($2::text[]))
            ORDER BY updated_at DESC LIMIT 500
            """, Read, ct, dataset, datasets);

    /// <summary>Answers and/or hides a comment within the steward's datasets; null when there is none.</summary>
    public async Task<RatingRecord?> ModerateAsync(long id, string? answer, bool? hidden, string steward, string[]? datasets, CancellationToken ct) =>
        (await CommunitySql.ReadAsync(database,
            $"""
            UPDATE community.ratings SET
                answer = coalesce($2, answer),
                answered_by = CASE WHEN $2 IS NULL THEN answered_by ELSE $4 END,
                answered_at = CASE WHEN $2 IS NULL THEN answered_at ELSE now() END,
                hidden = coalesce($3::boolean, hidden),
                hidden_by = CASE WHEN $3::boolean IS NULL THEN hidden_by WHEN $3::boolean THEN $4 ELSE NULL END
            WHERE id = $1 AND comment IS NOT NULL AND ($5::text[] IS NULL OR dataset_identifier = ANY($5::text[])) RETURNING {Columns}
            """, Read, ct, id, answer, hidden, steward, datasets)).FirstOrDefault();

    private static RatingSummary Summarise(string dataset, int[] counts)
    {
        var n = counts.Sum();
        double? mean = n == 0 ? null : Math.Round(counts.Select((c, i) => c * (i + 1)).Sum() / (double)n, 2);
        return new RatingSummary(dataset, mean, n, counts);
    }

    private static RatingRecord Read(NpgsqlDataReader r) => new(
        r.GetInt64(0), r.GetString(1), r.GetInt16(2), CommunitySql.Str(r, 3), r.GetBoolean(4), CommunitySql.Str(r, 5), CommunitySql.Str(r, 6),
        CommunitySql.Str(r, 7), CommunitySql.Time(r, 8), r.GetFieldValue<DateTimeOffset>(9));
}
