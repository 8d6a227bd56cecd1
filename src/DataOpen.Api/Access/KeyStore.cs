using System.Collections.Concurrent;
using System.Diagnostics;
using DataOpen.Api.Infrastructure;
using Microsoft.Extensions.Options;
using Npgsql;

namespace DataOpen.Api.Access;

public sealed record KeyRecord(
    long Id, string PublicId, byte[] Hash, string Name, string? Organisation, string Email, string? IntendedUse,
    string Tier, string Role, string? PublisherId, DateTimeOffset CreatedAt, DateTimeOffset? ExpiresAt, DateTimeOffset? RevokedAt, DateTimeOffset? RotatedAt);

public enum KeyState
{
    Valid,
    Unknown,
    Revoked,
    Expired,
}

/// <summary>
/// API keys in <c>access.keys</c>. Validated keys are cached for <see cref="AccessOptions.KeyCacheSeconds"/>;
/// every change (rotate, revoke, tier, role, expiry) evicts the entry here at once and on other instances
/// through PostgreSQL NOTIFY <c>access_changed</c>, so a revoked or rotated key fails on the next request.
/// </summary>
public sealed class KeyStore(Database database, KeyHasher hasher, IOptions<AccessOptions> options, ILogger<KeyStore> logger)
{
    public const string NotifyChannel = "access_changed";
    private const string Columns = "id, public_id, hash, name, organisation, email, intended_use, tier, role, publisher_id, created_at, expires_at, revoked_at, rotated_at";

    private readonly ConcurrentDictionary<string, (KeyRecord Record, long LoadedAt)> cache = new(StringComparer.Ordinal);

    public async Task<(string Key, KeyRecord Record)> CreateAsync(string name, string? organisation, string email, string? intendedUse,
        string tier, string role, string? publisherId, DateTimeOffset? expiresAt, CancellationToken ct)
    {
        // A public-id collision (62^8 ids) is astronomically rare; retry rather than fail.
        for (var attempt = 0; ; attempt++)
        {
            var publicId = ApiKeyFormat.NewPublicId();
            var key = ApiKeyFormat.NewKey(publicId);
            await using var cmd = database.Writer.CreateCommand(
                $"""
                INSERT INTO access.keys (public_id, hash, name, organisation, email, intended_use, tier, role, publisher_id, expires_at)
                VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) ON CONFLICT (public_id) DO NOTHING RETURNING {Columns}
                """);
            Add(cmd, publicId, hasher.Hash(key), name, organisation, email, intendedUse, tier, role, publisherId, Ts(expiresAt));
            var record = await ReadOneAsync(cmd, ct);
            if (record is not null)
            {
                return (key, record);
            }

            if (attempt > 5)
            {
                throw new InvalidOperationException("Could not allocate a unique key id.");
            }
        }
    }

    /// <summary>Checks a presented key: the record only when the key is in the format, known, matches its hash, and is neither revoked nor expired.</summary>
    public async ValueTask<(KeyState State, KeyRecord? Record)> ValidateAsync(string presented, CancellationToken ct)
    {
        if (!ApiKeyFormat.TryParse(presented, out var publicId))
        {
            return (KeyState.Unknown, null);
        }

        var ttl = options.Value.KeyCacheSeconds;
        KeyRecord? record;
        if (ttl > 0 && cache.TryGetValue(publicId, out var hit) && Stopwatch.GetElapsedTime(hit.LoadedAt).TotalSeconds < ttl)
        {
            record = hit.Record;
        }
        else
        {
            record = await FindAsync("public_id = $1", publicId, ct);
            if (record is null && !string.IsNullOrEmpty(options.Value.BootstrapAdminKeyHash))
            {
                record = await ClaimBootstrapAsync(presented, publicId, ct);
            }

            if (record is not null && ttl > 0)
            {
                cache[publicId] = (record, Stopwatch.GetTimestamp());
            }
        }

        if (record is null || !hasher.Matches(presented, record.Hash))
        {
            return (KeyState.Unknown, null);
        }

        if (record.RevokedAt is not null)
        {
            return (KeyState.Revoked, record);
        }

        return record.ExpiresAt is { } exp && exp <= DateTimeOffset.UtcNow ? (KeyState.Expired, record) : (KeyState.Valid, record);
    }

    public Task<KeyRecord?> FindByIdAsync(long id, CancellationToken ct) => FindAsync("id = $1", id, ct);

    public Task<KeyRecord?> FindByPublicIdAsync(string publicId, CancellationToken ct) => FindAsync("public_id = $1", publicId, ct);

    /// <summary>New public id and secret for the same key row (grants and usage follow); the old key fails at once.</summary>
    public async Task<(string Key, KeyRecord Record)?> RotateAsync(KeyRecord current, CancellationToken ct)
    {
        var publicId = ApiKeyFormat.NewPublicId();
        var key = ApiKeyFormat.NewKey(publicId);
        await using var cmd = database.Writer.CreateCommand(
            $"UPDATE access.keys SET public_id = $2, hash = $3, rotated_at = now() WHERE id = $1 AND revoked_at IS NULL RETURNING {Columns}");
        Add(cmd, current.Id, publicId, hasher.Hash(key));
        var record = await ReadOneAsync(cmd, ct);
        await EvictEverywhereAsync(current.PublicId, ct);
        return record is null ? null : (key, record);
    }

    public async Task<bool> RevokeAsync(KeyRecord current, CancellationToken ct)
    {
        await using var cmd = database.Writer.CreateCommand("UPDATE access.keys SET revoked_at = now() WHERE id = $1 AND revoked_at IS NULL");
        Add(cmd, current.Id);
        var n = await cmd.ExecuteNonQueryAsync(ct);
        await EvictEverywhereAsync(current.PublicId, ct);
        return n > 0;
    }

    /// <summary>Admin change of tier, role, steward publisher or expiry (null leaves a value unchanged; <paramref name="clearExpiry"/> removes the expiry).</summary>
    public async Task<KeyRecord?> UpdateAsync(string publicId, string? tier, string? role, string? publisherId, DateTimeOffset? expiresAt, bool clearExpiry, CancellationToken ct)
    {
        await using var cmd = database.Writer.CreateCommand(
            $"""
            UPDATE access.keys SET tier = coalesce($2, tier), role = coalesce($3, role),
              publisher_id = CASE WHEN coalesce($3, role) = 'steward' THEN coalesce($4, publisher_id) WHEN $3 IS NULL THEN publisher_id ELSE NULL END,
              expires_at = CASE WHEN $6 THEN NULL ELSE coalesce($5, expires_at) END
            WHERE public_id = $1 RETURNING {Columns}
            """);
        Add(cmd, publicId, tier, role, publisherId, Ts(expiresAt), clearExpiry);
        var record = await ReadOneAsync(cmd, ct);
        await EvictEverywhereAsync(publicId, ct);
        return record;
    }

    public async Task<bool> AnyAdminAsync(CancellationToken ct)
    {
        await using var cmd = database.Writer.CreateCommand("SELECT EXISTS (SELECT 1 FROM access.keys WHERE role = 'admin' AND revoked_at IS NULL)");
        return (bool)(await cmd.ExecuteScalarAsync(ct))!;
    }

    /// <summary>Checked in the database: publishers are reference records loaded at any time, not only with a catalog change.</summary>
    public async Task<bool> PublisherExistsAsync(string publisherId, CancellationToken ct)
    {
        await using var cmd = database.Writer.CreateCommand("SELECT EXISTS (SELECT 1 FROM catalog.publishers WHERE id = $1)");
        Add(cmd, publisherId);
        return (bool)(await cmd.ExecuteScalarAsync(ct))!;
    }

    public void Evict(string publicId) => cache.TryRemove(publicId, out _);

    /// <summary>After the change listener reconnects: changes may have been missed meanwhile.</summary>
    public void EvictAll() => cache.Clear();

    private async Task EvictEverywhereAsync(string publicId, CancellationToken ct)
    {
        Evict(publicId);
        await using var cmd = database.Writer.CreateCommand($"SELECT pg_notify('{NotifyChannel}', $1)");
        Add(cmd, publicId);
        await cmd.ExecuteNonQueryAsync(ct);
    }

    /// <summary>
    /// The operator's bootstrap admin key (its SHA-256 in settings) becomes an ordinary admin key row on
    /// first use; once claimed it is never claimed again, so revoking it sticks.
    /// </summary>
    private async Task<KeyRecord?> ClaimBootstrapAsync(string presented, string publicId, CancellationToken ct)
    {
        var sha = KeyHasher.Sha256Hex(presented);
        if (!string.Equals(sha, options.Value.BootstrapAdminKeyHash!.Trim(), StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        await using var conn = await database.Writer.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        await using (var check = new NpgsqlCommand("SELECT 1 FROM access.bootstrap_claims WHERE sha256 = $1 FOR UPDATE", conn, tx))
        {
            Add(check, sha);
            if (await check.ExecuteScalarAsync(ct) is not null)
            {
                return null;
            }
        }

        KeyRecord? record;
        await using (var cmd = new NpgsqlCommand(
            $"""
            INSERT INTO access.keys (public_id, hash, name, organisation, email, intended_use, tier, role)
            VALUES ($1, $2, 'Bootstrap administrator', NULL, 'admin@localhost', 'platform administration', 'admin', 'admin')
            ON CONFLICT (public_id) DO NOTHING RETURNING {Columns}
            """, conn, tx))
        {
            Add(cmd, publicId, hasher.Hash(presented));
            record = await ReadOneAsync(cmd, ct);
        }

        if (record is null)
        {
            return null;
        }

        await using (var claim = new NpgsqlCommand("INSERT INTO access.bootstrap_claims (sha256, key_id) VALUES ($1, $2) ON CONFLICT DO NOTHING", conn, tx))
        {
            Add(claim, sha, record.Id);
            await claim.ExecuteNonQueryAsync(ct);
        }

        await tx.CommitAsync(ct);
        logger.LogWarning("The bootstrap admin key {PublicId} was claimed (DataOpen:Access:BootstrapAdminKeyHash)", publicId);
        return record;
    }

    private async Task<KeyRecord?> FindAsync(string where, object value, CancellationToken ct)
    {
        await using var cmd = database.Writer.CreateCommand($"SELECT {Columns} FROM access.keys WHERE {where}");
        Add(cmd, value);
        return await ReadOneAsync(cmd, ct);
    }

    private static async Task<KeyRecord?> ReadOneAsync(NpgsqlCommand cmd, CancellationToken ct)
    {
        await using var r = await cmd.ExecuteReaderAsync(ct);
        if (!await r.ReadAsync(ct))
        {
            return null;
        }

        return new KeyRecord(r.GetInt64(0), r.GetString(1), r.GetFieldValue<byte[]>(2), r.GetString(3), Str(r, 4), r.GetString(5), Str(r, 6),
            r.GetString(7), r.GetString(8), Str(r, 9), r.GetFieldValue<DateTimeOffset>(10), Time(r, 11), Time(r, 12), Time(r, 13));
    }

    /// <summary>A timestamptz parameter that may be null (an untyped null would be taken as text).</summary>
    internal static NpgsqlParameter Ts(DateTimeOffset? value) =>
        new() { Value = value is { } v ? v.ToUniversalTime() : DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.TimestampTz };

    private static string? Str(NpgsqlDataReader r, int i) => r.IsDBNull(i) ? null : r.GetString(i);

    private static DateTimeOffset? Time(NpgsqlDataReader r, int i) => r.IsDBNull(i) ? null : r.GetFieldValue<DateTimeOffset>(i);

    internal static void Add(NpgsqlCommand cmd, params object?[] values)
    {
        foreach (var v in values)
        {
            cmd.Parameters.Add(v switch
            {
                NpgsqlParameter p => p,
                null => new NpgsqlParameter { Value = DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text },
                _ => new NpgsqlParameter { Value = v },
            });
        }
    }
}

/// <summary>Evicts cached keys changed by other instances (NOTIFY access_changed).</summary>
public sealed class AccessChangeListener(Database database, KeyStore keys, ILogger<AccessChangeListener> logger)
    : PostgresListener(database, KeyStore.NotifyChannel, logger)
{
    protected override void OnNotification(string payload) => keys.Evict(payload);

    protected override Task OnListeningAsync(CancellationToken ct)
    {
        keys.EvictAll();
        return Task.CompletedTask;
    }
}
