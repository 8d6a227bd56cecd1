using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using DataOpen.Api.Access;
using DataOpen.Api.Catalog;
using DataOpen.Api.Infrastructure;
using DataOpen.Core.Catalog;
using Microsoft.Extensions.Options;
using Npgsql;
using StandardWebhooks;

namespace DataOpen.Api.Webhooks;

/// <summary>
/// Delivers due webhook messages, one per transaction: the delivery and its subscription are locked with
/// <c>FOR UPDATE SKIP LOCKED</c> (another instance takes the next one), the message is signed as Standard Webhooks
/// specifies (<c>webhook-id</c>, <c>webhook-timestamp</c>, <c>webhook-signature: v1,base64(HMAC-SHA256(secret,
/// id.timestamp.body))</c>) and POSTed, and the outcome is written before the lock is released. A failed attempt is
/// retried with exponential backoff; after <see cref="WebhookOptions.MaxAttempts"/> the delivery has failed, and after
/// <see cref="WebhookOptions.DisableAfterFailures"/> failures in a row the subscription is disabled. Before sending,
/// the key is checked again: a revoked or expired key, a dataset no longer served, or conditional data without a
/// live grant means the message is skipped, never sent.
/// </summary>
public sealed class WebhookDispatcher(
    Database database, CatalogStore catalog, KeyStore keys, ApplicationStore applications, WebhookSignal signal, IOptions<WebhookOptions> options, ILogger<WebhookDispatcher> logger)
    : BackgroundService
{
    private readonly HttpClient http = new(new WebhookUrlPolicy(options.Value).Handler()) { Timeout = TimeSpan.FromSeconds(options.Value.TimeoutSeconds) };

    public override void Dispose()
    {
        http.Dispose();
        base.Dispose();
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.Value.Enabled)
        {
            return;
        }

        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                if (database.IsReady)
                {
                    while (!stoppingToken.IsCancellationRequested && await DeliverOneAsync(stoppingToken))
                    {
                    }
                }

                await signal.WaitAsync(TimeSpan.FromSeconds(database.IsReady ? options.Value.PollSeconds : 1), stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
            {
                // Whatever failed (the database went away mid-delivery, a reload, a bug in one message), the worker
                // lives on: the delivery's transaction rolled back, so the message is still pending and is tried again.
                logger.LogWarning(ex, "Webhook dispatch failed; retrying");
                try
                {
                    await Task.Delay(TimeSpan.FromSeconds(1), stoppingToken);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }

    private sealed record Due(long Id, string MessageId, int Attempts, long DatasetId, int Version, long SubscriptionId, string Url, string BaseUrl, byte[] Secret, long KeyId, int Failures);

    /// <summary>Takes one due delivery, sends it (or skips it) and records the outcome; false when none is due.</summary>
    public async Task<bool> DeliverOneAsync(CancellationToken ct)
    {
        await using var conn = await database.Writer.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        Due? due = null;
        await using (var cmd = new NpgsqlCommand(
            """
            SELECT d.id, d.message_id, d.attempts, d.dataset_id, d.version, s.id, s.url, s.base_url, s.secret, s.key_id, s.consecutive_failures, s.status
            FROM webhooks.deliveries d JOIN webhooks.subscriptions s ON s.id = d.subscription_id
            WHERE d.status = 'pending' AND d.next_attempt_at <= now()
            ORDER BY d.next_attempt_at, d.id LIMIT 1
            FOR UPDATE OF d, s SKIP LOCKED
            """, conn, tx))
        await using (var r = await cmd.ExecuteReaderAsync(ct))
        {
            if (await r.ReadAsync(ct))
            {
                due = new Due(r.GetInt64(0), r.GetString(1), r.GetInt32(2), r.GetInt64(3), r.GetInt32(4), r.GetInt64(5), r.GetString(6), r.GetString(7),
                    r.GetFieldValue<byte[]>(8), r.GetInt64(9), r.GetInt32(10));
                if (r.GetString(11) != "active")
                {
                    due = due with { Id = -due.Id };
                }
            }
        }

        if (due is null)
        {
            await tx.RollbackAsync(ct);
            return false;
        }

        if (due.Id < 0)
        {
            await FinishAsync(conn, tx, -due.Id, "cancelled", null, "subscription not active", ct);
            await tx.CommitAsync(ct);
            return true;
        }

        var dataset = catalog.Current.Datasets.FirstOrDefault(d => d.Id == due.DatasetId);
        if (dataset?.FindVersion(due.Version) is null)
        {
            // The NOTIFY can arrive before this instance swapped in the snapshot with the new version.
            dataset = (await catalog.ReloadAsync(ct)).Datasets.FirstOrDefault(d => d.Id == due.DatasetId);
        }

        if (await RefusalAsync(due, dataset, ct) is { } refusal)
        {
            await FinishAsync(conn, tx, due.Id, "skipped", null, refusal, ct);
            await tx.CommitAsync(ct);
            logger.LogInformation("Webhook {Message} skipped: {Reason}", due.MessageId, refusal);
            return true;
        }

        var body = Payload(due, dataset!);
        var (status, error, elapsed) = await SendAsync(due, body, ct);
        var attempt = due.Attempts + 1;
        await using (var log = new NpgsqlCommand("INSERT INTO webhooks.attempts (delivery_id, attempt, status_code, error, duration_ms) VALUES ($1, $2, $3, $4, $5)", conn, tx))
        {
            log.Parameters.Add(new() { Value = due.Id });
            log.Parameters.Add(new() { Value = attempt });
            log.Parameters.Add(new() { Value = (object?)status ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Integer });
            log.Parameters.Add(new() { Value = (object?)error ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text });
            log.Parameters.Add(new() { Value = elapsed });
            await log.ExecuteNonQueryAsync(ct);
        }

        var o = options.Value;
        if (error is null)
        {
            await UpdateAsync(conn, tx, "UPDATE webhooks.deliveries SET status = 'delivered', attempts = $2, finished_at = now(), last_status_code = $3::integer, last_error = NULL WHERE id = $1", ct, due.Id, attempt, status);
            await UpdateAsync(conn, tx, "UPDATE webhooks.subscriptions SET consecutive_failures = 0 WHERE id = $1", ct, due.SubscriptionId);
        }
        else if (due.Failures + 1 >= o.DisableAfterFailures)
        {
            var reason = $"disabled after {due.Failures + 1} failed attempts in a row; the last: {error}";
            await UpdateAsync(conn, tx, "UPDATE webhooks.deliveries SET status = 'failed', attempts = $2, finished_at = now(), last_status_code = $3::integer, last_error = $4 WHERE id = $1", ct, due.Id, attempt, status, error);
            await UpdateAsync(conn, tx, "UPDATE webhooks.subscriptions SET status = 'disabled', consecutive_failures = consecutive_failures + 1, disabled_at = now(), disabled_reason = $2 WHERE id = $1", ct, due.SubscriptionId, reason);
            await UpdateAsync(conn, tx, "UPDATE webhooks.deliveries SET status = 'cancelled', finished_at = now(), last_error = 'subscription disabled' WHERE subscription_id = $1 AND status = 'pending'", ct, due.SubscriptionId);
            logger.LogWarning("Webhook subscription {Subscription} disabled: {Reason}", due.SubscriptionId, reason);
        }
        else
        {
            var finalAttempt = attempt >= o.MaxAttempts;
            var delay = Math.Min(o.MaxRetrySeconds, o.InitialRetrySeconds * Math.Pow(2, attempt - 1));
            // The backoff counts from now, after the attempt: now() is the transaction's start, before the send.
            await UpdateAsync(conn, tx,
                "UPDATE webhooks.deliveries SET status = $5, attempts = $2, last_status_code = $3::integer, last_error = $4, next_attempt_at = clock_timestamp() + make_interval(secs => $6), finished_at = CASE WHEN $5 = 'failed' THEN now() END WHERE id = $1",
                ct, due.Id, attempt, status, error, finalAttempt ? "failed" : "pending", delay);
            await UpdateAsync(conn, tx, "UPDATE webhooks.subscriptions SET consecutive_failures = consecutive_failures + 1 WHERE id = $1", ct, due.SubscriptionId);
        }

        await tx.CommitAsync(ct);
        return true;
    }

    /// <summary>Why this message must not go out, or null: the data must be readable by the key right now.</summary>
    private async Task<string?> RefusalAsync(Due due, DatasetEntry? dataset, CancellationToken ct)
    {
        if (dataset is null || !dataset.IsServed || dataset.IsRetired || dataset.FindVersion(due.Version) is null)
        {
            return "the dataset or version is no longer served";
        }

        var key = await keys.FindByIdAsync(due.KeyId, ct);
        if (key is null || key.RevokedAt is not null || key.ExpiresAt <= DateTimeOffset.UtcNow)
        {
            return "the subscribing key is revoked or expired";
        }

        if (dataset.OpenClass == OpenClasses.Conditional
            && !(key.Role == Roles.Admin || (key.Role == Roles.Steward && key.PublisherId == dataset.Metadata.Publisher))
            && await applications.LiveGrantAsync(key.Id, dataset.Id, ct) is null)
        {
            return "the dataset is conditionally open and the key holds no live grant for it";
        }

        return null;
    }

    private static string Payload(Due due, DatasetEntry d)
    {
        var v = d.FindVersion(due.Version)!;
        var self = $"{due.BaseUrl}/api/v1/datasets/{Uri.EscapeDataString(d.Identifier)}";
        var n = v.Version.ToString(CultureInfo.InvariantCulture);
        return JsonSerializer.Serialize(new
        {
            type = "dataset.version.published",
            timestamp = DateTimeOffset.UtcNow,
            data = new
            {
                dataset = d.Identifier,
                title = new { zh = d.Metadata.Title.Zh, en = d.Metadata.Title.En },
                version = v.Version,
                rowCount = v.RowCount,
                sha256 = v.Sha256,
                publishedAt = v.PublishedAt,
                openClass = d.OpenClass,
                links = new { version = $"{self}/versions/{n}", rows = $"{self}/rows?version={n}", download = $"{self}/download?format=csv&version={n}", dataset = self },
            },
        }, JsonSerializerOptions.Web);
    }

    private async Task<(int? Status, string? Error, int ElapsedMs)> SendAsync(Due due, string body, CancellationToken ct)
    {
        var started = Stopwatch.GetTimestamp();
        var timestamp = DateTimeOffset.UtcNow;
        using var request = new HttpRequestMessage(HttpMethod.Post, due.Url) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        request.Headers.TryAddWithoutValidation("webhook-id", due.MessageId);
        request.Headers.TryAddWithoutValidation("webhook-timestamp", timestamp.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture));
        request.Headers.TryAddWithoutValidation("webhook-signature", new StandardWebhook(due.Secret).Sign(due.MessageId, timestamp, body));
        request.Headers.UserAgent.ParseAdd("DataOpen-Webhooks/1.0");
        try
        {
            using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct);
            var status = (int)response.StatusCode;
            return (status, status is >= 200 and < 300 ? null : $"HTTP {status}", Elapsed(started));
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException && !ct.IsCancellationRequested)
        {
            var message = ex is TaskCanceledException ? $"no answer within {options.Value.TimeoutSeconds} s" : ex.GetBaseException().Message;
            return (null, message.Length > 500 ? message[..500] : message, Elapsed(started));
        }
    }

    private static int Elapsed(long started) => (int)Stopwatch.GetElapsedTime(started).TotalMilliseconds;

    private static Task FinishAsync(NpgsqlConnection conn, NpgsqlTransaction tx, long id, string status, int? code, string reason, CancellationToken ct) =>
        UpdateAsync(conn, tx, "UPDATE webhooks.deliveries SET status = $2, finished_at = now(), last_status_code = $3::integer, last_error = $4 WHERE id = $1", ct, id, status, code, reason);

    private static async Task UpdateAsync(NpgsqlConnection conn, NpgsqlTransaction tx, string sql, CancellationToken ct, params object?[] values)
    {
        await using var cmd = new NpgsqlCommand(sql, conn, tx);
        foreach (var value in values)
        {
            cmd.Parameters.Add(value is null ? new NpgsqlParameter { Value = DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text } : new NpgsqlParameter { Value = value });
        }

        await cmd.ExecuteNonQueryAsync(ct);
    }
}

/// <summary>Wakes the dispatcher: a NOTIFY from a publish (any instance), or this instance's own request.</summary>
public sealed class WebhookSignal : IDisposable
{
    private readonly SemaphoreSlim semaphore = new(0);

    public void Release() => semaphore.Release();

    public Task WaitAsync(TimeSpan timeout, CancellationToken ct) => semaphore.WaitAsync(timeout, ct);

    public void Dispose() => semaphore.Dispose();
}

/// <summary>LISTEN webhook_deliveries: the trigger on catalog.versions notifies when a publish queued deliveries.</summary>
public sealed class WebhookListener(Database database, WebhookSignal signal, ILogger<WebhookListener> logger)
    : PostgresListener(database, NotifyChannel, logger)
{
    public const string NotifyChannel = "webhook_deliveries";

    protected override void OnNotification(string payload) => signal.Release();

    protected override Task OnListeningAsync(CancellationToken ct)
    {
        signal.Release();
        return Task.CompletedTask;
    }
}
