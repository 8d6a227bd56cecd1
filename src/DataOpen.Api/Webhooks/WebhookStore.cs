using System.Security.Cryptography;
using DataOpen.Api.Infrastructure;
using Npgsql;

namespace DataOpen.Api.Webhooks;

/// <summary>A subscription as its key holder sees it (never the secret, which is shown once at creation).</summary>
public sealed record WebhookDto(long Id, string Dataset, string Url, string Status, int ConsecutiveFailures, DateTimeOffset? DisabledAt, string? DisabledReason, DateTimeOffset CreatedAt);

/// <summary>A new subscription: the signing secret (Standard Webhooks' <c>whsec_</c> + base64) appears here and nowhere else.</summary>
public sealed record CreatedWebhook(long Id, string Dataset, string Url, string Status, string Secret, DateTimeOffset CreatedAt, string Deliveries);

public sealed record WebhookRequest(string? Dataset, string? Url);

/// <summary>One try of one delivery.</summary>
public sealed record AttemptDto(int Attempt, DateTimeOffset At, int? StatusCode, string? Error, int DurationMs);

/// <summary>One delivery (a new version of the dataset) and its attempts.</summary>
public sealed record DeliveryDto(long Id, string MessageId, int Version, string Status, int Attempts, DateTimeOffset NextAttemptAt, DateTimeOffset CreatedAt,
    DateTimeOffset? FinishedAt, int? LastStatusCode, string? LastError, IReadOnlyList<AttemptDto> Log);

/// <summary>Subscriptions and the delivery log, on the owner role (the webhooks schema is out of the reader's reach).</summary>
public sealed class WebhookStore(Database database)
{
    private const string Columns = "s.id, d.identifier, s.url, s.status, s.consecutive_failures, s.disabled_at, s.disabled_reason, s.created_at";

    public static string EncodeSecret(byte[] secret) => "whsec_" + Convert.ToBase64String(secret);

    public async Task<(WebhookDto? Created, string? Secret, string? Conflict)> CreateAsync(long keyId, long datasetId, string url, string baseUrl, int maxPerKey, CancellationToken ct)
    {
        var secret = RandomNumberGenerator.GetBytes(32);
        await using var conn = await database.Writer.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        await using (var lockKey = new NpgsqlCommand("SELECT id FROM access.keys WHERE id = $1 FOR UPDATE", conn, tx))
        {
            // One subscription at a time per key, so the count below cannot be raced past.
            lockKey.Parameters.Add(new() { Value = keyId });
            await lockKey.ExecuteScalarAsync(ct);
        }

        await using (var count = new NpgsqlCommand("SELECT count(*) FROM webhooks.subscriptions WHERE key_id = $1 AND status <> 'deleted'", conn, tx))
        {
            count.Parameters.Add(new() { Value = keyId });
            if ((long)(await count.ExecuteScalarAsync(ct))! >= maxPerKey)
            {
                return (null, null, $"This key already holds {maxPerKey} subscriptions, the most allowed; delete one first.");
            }
        }

        await using var cmd = new NpgsqlCommand(
            $"""
            WITH s AS (
                INSERT INTO webhooks.subscriptions (key_id, dataset_id, url, base_url, secret) VALUES ($1, $2, $3, $4, $5)
                ON CONFLICT (key_id, dataset_id, url) WHERE status <> 'deleted' DO NOTHING RETURNING *)
            SELECT {Columns} FROM s JOIN catalog.datasets d ON d.id = s.dataset_id
            """, conn, tx);
        cmd.Parameters.Add(new() { Value = keyId });
        cmd.Parameters.Add(new() { Value = datasetId });
        cmd.Parameters.Add(new() { Value = url });
        cmd.Parameters.Add(new() { Value = baseUrl });
        cmd.Parameters.Add(new() { Value = secret });
        WebhookDto? created = null;
        await using (var r = await cmd.ExecuteReaderAsync(ct))
        {
            if (await r.ReadAsync(ct))
            {
                created = Read(r);
            }
        }

        await tx.CommitAsync(ct);
        return created is null ? (null, null, "This key already has a subscription of that URL to that dataset.") : (created, EncodeSecret(secret), null);
    }

    public async Task<IReadOnlyList<WebhookDto>> ListAsync(long keyId, long? id, CancellationToken ct)
    {
        await using var cmd = database.Writer.CreateCommand(
            $"SELECT {Columns} FROM webhooks.subscriptions s JOIN catalog.datasets d ON d.id = s.dataset_id WHERE s.key_id = $1 AND s.status <> 'deleted' AND ($2::bigint IS NULL OR s.id = $2) ORDER BY s.id");
        cmd.Parameters.Add(new() { Value = keyId });
        cmd.Parameters.Add(new() { Value = (object?)id ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Bigint });
        var list = new List<WebhookDto>();
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct))
        {
            list.Add(Read(r));
        }

        return list;
    }

    /// <summary>Deleted: no more deliveries; pending ones are cancelled. False when the key has no such subscription.</summary>
    public async Task<bool> DeleteAsync(long keyId, long id, CancellationToken ct) =>
        await ExecuteAsync(
            """
            WITH s AS (UPDATE webhooks.subscriptions SET status = 'deleted' WHERE id = $2 AND key_id = $1 AND status <> 'deleted' RETURNING id),
                 c AS (UPDATE webhooks.deliveries SET status = 'cancelled', finished_at = now(), last_error = 'subscription deleted'
                       WHERE subscription_id IN (SELECT id FROM s) AND status = 'pending')
            SELECT count(*) FROM s
            """, keyId, id, ct) > 0;

    /// <summary>Active again after being disabled: the failure count starts from zero.</summary>
    public async Task<bool> EnableAsync(long keyId, long id, CancellationToken ct) =>
        await ExecuteAsync(
            """
            WITH s AS (UPDATE webhooks.subscriptions SET status = 'active', consecutive_failures = 0, disabled_at = NULL, disabled_reason = NULL
                       WHERE id = $2 AND key_id = $1 AND status <> 'deleted' RETURNING id)
            SELECT count(*) FROM s
            """, keyId, id, ct) > 0;

    private async Task<long> ExecuteAsync(string sql, long keyId, long id, CancellationToken ct)
    {
        await using var cmd = database.Writer.CreateCommand(sql);
        cmd.Parameters.Add(new() { Value = keyId });
        cmd.Parameters.Add(new() { Value = id });
        return (long)(await cmd.ExecuteScalarAsync(ct))!;
    }

    /// <summary>The newest deliveries of a subscription with every attempt.</summary>
    public async Task<IReadOnlyList<DeliveryDto>> DeliveriesAsync(long subscriptionId, int limit, CancellationToken ct)
    {
        await using var cmd = database.Writer.CreateCommand(
            """
            SELECT d.id, d.message_id, d.version, d.status, d.attempts, d.next_attempt_at, d.created_at, d.finished_at, d.last_status_code, d.last_error,
                   coalesce((SELECT json_agg(json_build_object('attempt', a.attempt, 'at', a.at, 'statusCode', a.status_code, 'error', a.error, 'durationMs', a.duration_ms) ORDER BY a.attempt)
                             FROM webhooks.attempts a WHERE a.delivery_id = d.id), '[]')::text
            FROM webhooks.deliveries d WHERE d.subscription_id = $1 ORDER BY d.id DESC LIMIT $2
            """);
        cmd.Parameters.Add(new() { Value = subscriptionId });
        cmd.Parameters.Add(new() { Value = limit });
        var list = new List<DeliveryDto>();
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct))
        {
            var log = System.Text.Json.JsonSerializer.Deserialize<List<AttemptDto>>(r.GetString(10), System.Text.Json.JsonSerializerOptions.Web)!;
            list.Add(new DeliveryDto(r.GetInt64(0), r.GetString(1), r.GetInt32(2), r.GetString(3), r.GetInt32(4), r.GetFieldValue<DateTimeOffset>(5),
                r.GetFieldValue<DateTimeOffset>(6), r.IsDBNull(7) ? null : r.GetFieldValue<DateTimeOffset>(7), r.IsDBNull(8) ? null : r.GetInt32(8),
                r.IsDBNull(9) ? null : r.GetString(9), log));
        }

        return list;
    }

    private static WebhookDto Read(NpgsqlDataReader r) => new(
        r.GetInt64(0), r.GetString(1), r.GetString(2), r.GetString(3), r.GetInt32(4),
        r.IsDBNull(5) ? null : r.GetFieldValue<DateTimeOffset>(5), r.IsDBNull(6) ? null : r.GetString(6), r.GetFieldValue<DateTimeOffset>(7));
}
