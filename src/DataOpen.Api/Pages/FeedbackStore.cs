using DataOpen.Api.Infrastructure;
using Npgsql;

namespace DataOpen.Api.Pages;

public static class FeedbackKinds
{
    public static readonly string[] All = ["error", "question"];
    public static readonly string[] ReportStatuses = ["new", "in-progress", "answered", "closed"];
    public static readonly string[] RequestStatuses = ["new", "under-review", "planned", "opened", "declined"];
}

/// <summary>An error report or question on a dataset. <see cref="Publisher"/> is the dataset's publisher now. <see cref="Contact"/> is never shown publicly.</summary>
public sealed record FeedbackReport(long Id, string Dataset, string Publisher, string Kind, string Message, string? Field, string? Contact,
    string Status, string? Answer, string? AnsweredBy, DateTimeOffset? AnsweredAt, bool Public, DateTimeOffset CreatedAt);

/// <summary>A request for data to be opened; <see cref="Publisher"/>, when the requester chose one, routes it to that department's stewards.</summary>
public sealed record DataRequest(long Id, string Title, string Description, string? Publisher, string? Purpose, string? Contact,
    string Status, string? Answer, string? AnsweredBy, DateTimeOffset? AnsweredAt, bool Public, DateTimeOffset CreatedAt);

/// <summary>Stores feedback and data requests in the <c>feedback</c> schema (owner role; the reader role has no access).</summary>
public sealed class FeedbackStore(Database database)
{
    public const int MaxMessage = 4000;
    public const int MaxTitle = 200;
    public const int MaxContact = 200;

    /// <summary>
    /// The publisher whose stewards handle a report: the dataset's publisher now (as for applications), or the one
    /// recorded at submission if the dataset is gone from the catalog.
    /// </summary>
    private const string ReportPublisher = "coalesce((SELECT d.publisher_id FROM catalog.datasets d WHERE d.identifier = reports.dataset_identifier), reports.publisher_id)";

    private const string ReportColumns = $"id, dataset_identifier, {ReportPublisher}, kind, message, field_name, contact, status, answer, answered_by, answered_at, public, created_at";
    private const string RequestColumns = "id, title, description, publisher_id, purpose, contact, status, answer, answered_by, answered_at, public, created_at";

    public async Task<long> AddReportAsync(string dataset, string publisher, string kind, string message, string? field, string? contact, CancellationToken ct)
    {
        await using var cmd = database.Writer.CreateCommand(
            "INSERT INTO feedback.reports (dataset_identifier, publisher_id, kind, message, field_name, contact) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id");
        AddParameters(cmd, dataset, publisher, kind, message, field, contact);
        return (long)(await cmd.ExecuteScalarAsync(ct))!;
    }

    public async Task<long> AddRequestAsync(string title, string description, string? publisher, string? purpose, string? contact, CancellationToken ct)
    {
        await using var cmd = database.Writer.CreateCommand(
            "INSERT INTO feedback.data_requests (title, description, publisher_id, purpose, contact) VALUES ($1, $2, $3, $4, $5) RETURNING id");
        AddParameters(cmd, title, description, publisher, purpose, contact);
        return (long)(await cmd.ExecuteScalarAsync(ct))!;
    }

    /// <summary>Answered reports a steward marked public, newest first, for the dataset page.</summary>
    public Task<List<FeedbackReport>> PublicReportsAsync(string dataset, CancellationToken ct) =>
        ReadAsync($"SELECT {ReportColumns} FROM feedback.reports WHERE dataset_identifier = $1 AND public AND answer IS NOT NULL ORDER BY created_at DESC LIMIT 20",
            ReadReport, ct, dataset);

    public Task<List<DataRequest>> PublicRequestsAsync(CancellationToken ct) =>
        ReadAsync($"SELECT {RequestColumns} FROM feedback.data_requests WHERE public ORDER BY created_at DESC LIMIT 50", ReadRequest, ct);

    /// <summary>Reports newest first; <paramref name="publisher"/> limits them to that publisher's datasets (null: all, for admins).</summary>
    public Task<List<FeedbackReport>> ReportsAsync(string? status, string? dataset, string? publisher, CancellationToken ct) =>
        ReadAsync(
            $"""
            SELECT {ReportColumns} FROM feedback.reports
            WHERE ($1::text IS NULL OR status = $1) AND ($2::text IS NULL OR dataset_identifier = $2) AND ($3::text IS NULL OR {ReportPublisher} = $3)
            ORDER BY created_at DESC LIMIT 500
            """, ReadReport, ct, status, dataset, publisher);

    /// <summary>Requests newest first; <paramref name="publisher"/> limits them to those routed to it and those routed to no one (null: all).</summary>
    public Task<List<DataRequest>> RequestsAsync(string? status, string? publisher, CancellationToken ct) =>
        ReadAsync(
            $"""
            SELECT {RequestColumns} FROM feedback.data_requests
            WHERE ($1::text IS NULL OR status = $1) AND ($2::text IS NULL OR publisher_id IS NULL OR publisher_id = $2)
            ORDER BY created_at DESC LIMIT 500
            """, ReadRequest, ct, status, publisher);

    /// <summary>Answers a report on a dataset of <paramref name="publisher"/> (null: any); null when there is no such report.</summary>
    public async Task<FeedbackReport?> AnswerReportAsync(long id, string status, string? answer, bool isPublic, string steward, string? publisher, CancellationToken ct) =>
        (await ReadAsync(
            $"""
            UPDATE feedback.reports SET status = $2, answer = coalesce($3, answer), public = $4,
                answered_by = CASE WHEN $3 IS NULL THEN answered_by ELSE $5 END,
                answered_at = CASE WHEN $3 IS NULL THEN answered_at ELSE now() END
            WHERE id = $1 AND ($6::text IS NULL OR {ReportPublisher} = $6) RETURNING {ReportColumns}
            """, ReadReport, ct, id, status, answer, isPublic, steward, publisher)).FirstOrDefault();

    /// <summary>Answers a request routed to <paramref name="publisher"/> or to no one (null: any); null when there is no such request.</summary>
    public async Task<DataRequest?> AnswerRequestAsync(long id, string status, string? answer, bool isPublic, string steward, string? publisher, CancellationToken ct) =>
        (await ReadAsync(
            $"""
            UPDATE feedback.data_requests SET status = $2, answer = coalesce($3, answer), public = $4,
                answered_by = CASE WHEN $3 IS NULL THEN answered_by ELSE $5 END,
                answered_at = CASE WHEN $3 IS NULL THEN answered_at ELSE now() END
            WHERE id = $1 AND ($6::text IS NULL OR publisher_id IS NULL OR publisher_id = $6) RETURNING {RequestColumns}
            """, ReadRequest, ct, id, status, answer, isPublic, steward, publisher)).FirstOrDefault();

    private static FeedbackReport ReadReport(NpgsqlDataReader r) => new(
        r.GetInt64(0), r.GetString(1), r.GetString(2), r.GetString(3), r.GetString(4), Str(r, 5), Str(r, 6), r.GetString(7), Str(r, 8), Str(r, 9),
        r.IsDBNull(10) ? null : r.GetFieldValue<DateTimeOffset>(10), r.GetBoolean(11), r.GetFieldValue<DateTimeOffset>(12));

    private static DataRequest ReadRequest(NpgsqlDataReader r) => new(
        r.GetInt64(0), r.GetString(1), r.GetString(2), Str(r, 3), Str(r, 4), Str(r, 5), r.GetString(6), Str(r, 7), Str(r, 8),
        r.IsDBNull(9) ? null : r.GetFieldValue<DateTimeOffset>(9), r.GetBoolean(10), r.GetFieldValue<DateTimeOffset>(11));

    private static string? Str(NpgsqlDataReader r, int i) => r.IsDBNull(i) ? null : r.GetString(i);

    private static void AddParameters(NpgsqlCommand cmd, params object?[] values)
    {
        foreach (var v in values)
        {
            cmd.Parameters.Add(v is null ? new NpgsqlParameter { Value = DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text } : new NpgsqlParameter { Value = v });
        }
    }

    private async Task<List<T>> ReadAsync<T>(string sql, Func<NpgsqlDataReader, T> map, CancellationToken ct, params object?[] values)
    {
        await using var cmd = database.Writer.CreateCommand(sql);
        AddParameters(cmd, values);
        await using var r = await cmd.ExecuteReaderAsync(ct);
        var list = new List<T>();
        while (await r.ReadAsync(ct))
        {
            list.Add(map(r));
        }

        return list;
    }
}
