using DataOpen.Api.Infrastructure;
using Npgsql;

namespace DataOpen.Api.Community;

public static class ReuseKinds
{
    public static readonly string[] All = ["application", "analysis", "visualisation", "news", "research", "other"];

    public static readonly string[] Statuses = ["pending", "published", "rejected"];
}

/// <summary>A reuse (应用成果) as the public sees it once published: no contact, no submitter identity.</summary>
public sealed record Reuse(long Id, string Title, string Description, string Kind, string Url, string? ImageUrl, IReadOnlyList<string> Datasets,
    string Submitter, DateTimeOffset SubmittedAt)
{
    /// <summary>The reuse naming only datasets still open in <paramref name="snapshot"/> (one later withdrawn is not named).</summary>
    public Reuse ServedIn(Catalog.CatalogSnapshot snapshot) => this with { Datasets = Datasets.Where(d => snapshot.FindServed(d) is not null).ToList() };
}

/// <summary>A reuse as stewards moderate it, with the private contact and the moderation record.</summary>
public sealed record ReuseRecord(long Id, string Title, string Description, string Kind, string Url, string? ImageUrl, IReadOnlyList<string> Datasets,
    string Submitter, string Contact, string Status, string? Reason, string? ModeratedBy, DateTimeOffset? ModeratedAt, DateTimeOffset SubmittedAt)
{
    public Reuse ToPublic() => new(Id, Title, Description, Kind, Url, ImageUrl, Datasets, Submitter, SubmittedAt);
}

public sealed record NewReuse(string Title, string Description, string Kind, string Url, string? ImageUrl, string[] Datasets, string Submitter, string Contact, string SubmittedBy);

/// <summary>Reuses in <c>community.reuses</c>: submitted by anyone, published or rejected by stewards.</summary>
public sealed class ReuseStore(Database database)
{
    /// <summary>Pending submissions one submitter (key or visitor) may have at once: bounds spam beyond the rate limits.</summary>
    public const int MaxPendingPerSubmitter = 5;

    private const string Columns = "id, title, description, kind, url, image_url, datasets, submitter, contact, status, reason, moderated_by, moderated_at, created_at";

    /// <summary>Adds a pending reuse; null when the submitter already has <see cref="MaxPendingPerSubmitter"/> pending.</summary>
    public async Task<long?> AddAsync(NewReuse r, CancellationToken ct)
    {
        // One submitter's submissions queue on an advisory lock, so parallel ones cannot pass the bound together.
        await using var conn = await database.Writer.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        await using (var lk = new NpgsqlCommand("SELECT pg_advisory_xact_lock(hashtextextended('reuse:' || $1, 0))", conn, tx) { Parameters = { new() { Value = r.SubmittedBy } } })
        {
            await lk.ExecuteNonQueryAsync(ct);
        }

        await using var insert = new NpgsqlCommand(
            """
            INSERT INTO community.reuses (title, description, kind, url, image_url, datasets, submitter, contact, submitted_by)
            SELECT $1, $2, $3, $4, $5, $6, $7, $8, $9
            WHERE (SELECT count(*) FROM community.reuses WHERE submitted_by = $9 AND status = 'pending') < $10
            RETURNING id
            """, conn, tx);
        CommunitySql.AddParameters(insert, r.Title, r.Description, r.Kind, r.Url, r.ImageUrl, r.Datasets, r.Submitter, r.Contact, r.SubmittedBy, MaxPendingPerSubmitter);
        var id = await insert.ExecuteScalarAsync(ct);
        await tx.CommitAsync(ct);
        return id as long?;
    }

    /// <summary>Published reuses, newest first; <paramref name="dataset"/> keeps those that use it; <paramref name="before"/> is the keyset cursor (an id).</summary>
    public async Task<List<Reuse>> PublishedAsync(string? dataset, string? kind, long? before, int limit, CancellationToken ct) =>
        (await CommunitySql.ReadAsync(database,
            $"""
            SELECT {Columns} FROM community.reuses
            WHERE status = 'published' AND ($1::text IS NULL OR datasets @> ARRAY[$1]) AND ($2::text IS NULL OR kind = $2) AND ($3::bigint IS NULL OR id < $3::bigint)
            ORDER BY id DESC LIMIT $4
            """, Read, ct, dataset, kind, before ?? (object?)null, limit)).Select(r => r.ToPublic()).ToList();

    public async Task<Reuse?> FindPublishedAsync(long id, CancellationToken ct) =>
        (await CommunitySql.ReadAsync(database, $"SELECT {Columns} FROM community.reuses WHERE id = $1 AND status = 'published'", Read, ct, id))
            .FirstOrDefault()?.ToPublic();

    /// <summary>Published reuses per dataset, for the counters.</summary>
    public async Task<Dictionary<string, int>> CountsAsync(CancellationToken ct) =>
        (await CommunitySql.ReadAsync(database,
            "SELECT d, count(*)::int FROM community.reuses, unnest(datasets) d WHERE status = 'published' GROUP BY d",
            r => (r.GetString(0), r.GetInt32(1)), ct)).ToDictionary(x => x.Item1, x => x.Item2, StringComparer.Ordinal);

    /// <summary>
    /// Reuses for moderation, oldest pending first. <paramref name="publisherDatasets"/> (null: all, for admins) keeps those that use at
    /// least one of the steward's datasets.
    /// </summary>
    public Task<List<ReuseRecord>> ForModerationAsync(string? status, string[]? publisherDatasets, CancellationToken ct) =>
        CommunitySql.ReadAsync(database,
            $"""
            SELECT {Columns} FROM community.reuses
            WHERE ($1::text IS NULL OR status = $1) AND ($2::text[] IS NULL OR datasets && $2::text[])
            ORDER BY status <> 'pending', created_at LIMIT 500
            """, Read, ct, status, publisherDatasets);

    /// <summary>Publishes or rejects a reuse within the steward's scope; null when there is none.</summary>
    public async Task<ReuseRecord?> ModerateAsync(long id, string status, string? reason, string steward, string[]? publisherDatasets, CancellationToken ct) =>
        (await CommunitySql.ReadAsync(database,
            $"""
            UPDATE community.reuses SET status = $2, reason = $3, moderated_by = $4, moderated_at = now()
            WHERE id = $1 AND ($5::text[] IS NULL OR datasets && $5::text[]) RETURNING {Columns}
            """, Read, ct, id, status, reason, steward, publisherDatasets)).FirstOrDefault();

    private static ReuseRecord Read(NpgsqlDataReader r) => new(
        r.GetInt64(0), r.GetString(1), r.GetString(2), r.GetString(3), r.GetString(4), CommunitySql.Str(r, 5), r.GetFieldValue<string[]>(6),
        r.GetString(7), r.GetString(8), r.GetString(9), CommunitySql.Str(r, 10), CommunitySql.Str(r, 11), CommunitySql.Time(r, 12), r.GetFieldValue<DateTimeOffset>(13));
}
