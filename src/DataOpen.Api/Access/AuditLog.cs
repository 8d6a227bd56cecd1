using System.Text.Json;
using DataOpen.Api.Infrastructure;
using Npgsql;

namespace DataOpen.Api.Access;

public sealed record AccessLogEntry(long Id, DateTimeOffset At, string? Key, string Dataset, int? Version, string Door, string? Query, long Rows);

/// <summary>The append-only audit schema: accesses to conditional data and admin actions. Writes are synchronous: an audit record is never lost to a batch.</summary>
public sealed class AuditLog(Database database)
{
    public async Task AccessAsync(Caller caller, DatasetEntryRef dataset, int? version, string door, string? query, long rows, CancellationToken ct)
    {
        await using var cmd = database.Writer.CreateCommand(
            "INSERT INTO audit.access_log (key_id, key_public_id, dataset_id, dataset, version, door, query, rows) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)");
        cmd.Parameters.Add(new() { Value = (object?)caller.KeyId ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Bigint });
        cmd.Parameters.Add(new() { Value = caller.Actor });
        cmd.Parameters.Add(new() { Value = dataset.Id });
        cmd.Parameters.Add(new() { Value = dataset.Identifier });
        cmd.Parameters.Add(new() { Value = (object?)version ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Integer });
        cmd.Parameters.Add(new() { Value = door });
        cmd.Parameters.Add(new() { Value = (object?)query ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text });
        cmd.Parameters.Add(new() { Value = rows });
        await cmd.ExecuteNonQueryAsync(ct);
    }

    /// <summary>Records an admin action (publish, retire, grant, revoke, tier or role change) with its actor.</summary>
    public async Task AdminAsync(Caller actor, string action, string target, object? details, CancellationToken ct)
    {
        await using var cmd = database.Writer.CreateCommand(
            "INSERT INTO audit.admin_log (actor_key_id, actor, action, target, details) VALUES ($1, $2, $3, $4, $5::jsonb)");
        cmd.Parameters.Add(new() { Value = (object?)actor.KeyId ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Bigint });
        cmd.Parameters.Add(new() { Value = actor.Actor });
        cmd.Parameters.Add(new() { Value = action });
        cmd.Parameters.Add(new() { Value = target });
        cmd.Parameters.Add(new() { Value = details is null ? DBNull.Value : JsonSerializer.Serialize(details), NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text });
        await cmd.ExecuteNonQueryAsync(ct);
    }

    /// <summary>The access log of one dataset, newest first, optionally within [from, to).</summary>
    public async Task<List<AccessLogEntry>> ReadAccessAsync(long datasetId, DateTimeOffset? from, DateTimeOffset? to, int limit, CancellationToken ct)
    {
        await using var cmd = database.Writer.CreateCommand(
            """
            SELECT id, at, key_public_id, dataset, version, door, query, rows FROM audit.access_log
            WHERE dataset_id = $1 AND ($2::timestamptz IS NULL OR at >= $2) AND ($3::timestamptz IS NULL OR at < $3)
            ORDER BY at DESC, id DESC LIMIT $4
            """);
        cmd.Parameters.Add(new() { Value = datasetId });
        cmd.Parameters.Add(KeyStore.Ts(from));
        cmd.Parameters.Add(KeyStore.Ts(to));
        cmd.Parameters.Add(new() { Value = limit });
        await using var r = await cmd.ExecuteReaderAsync(ct);
        var list = new List<AccessLogEntry>();
        while (await r.ReadAsync(ct))
        {
            list.Add(new AccessLogEntry(r.GetInt64(0), r.GetFieldValue<DateTimeOffset>(1), r.IsDBNull(2) ? null : r.GetString(2), r.GetString(3),
                r.IsDBNull(4) ? null : r.GetInt32(4), r.GetString(5), r.IsDBNull(6) ? null : r.GetString(6), r.GetInt64(7)));
        }

        return list;
    }
}

/// <summary>The identity of a dataset as audit records keep it.</summary>
public readonly record struct DatasetEntryRef(long Id, string Identifier);
