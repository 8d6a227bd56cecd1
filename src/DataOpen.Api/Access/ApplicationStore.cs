using System.Collections.Frozen;
using DataOpen.Api.Infrastructure;
using Npgsql;

namespace DataOpen.Api.Access;

public sealed record ApplicationRecord(
    long Id, string KeyPublicId, string KeyName, long DatasetId, string Dataset, string PublisherId, IReadOnlyList<string> Fields, string Purpose, string Scenario,
    DateOnly PeriodStart, DateOnly PeriodEnd, string Organisation, string SecurityMeasures, bool PledgeAccepted, string Status,
    DateTimeOffset SubmittedAt, DateOnly FormalCheckDue, DateOnly DecisionDue, DateTimeOffset? DecidedAt, string? DecidedBy, string? Reason, long? GrantId,
    IReadOnlyList<string>? GrantedFields);

/// <summary>
/// A grant; <see cref="Fields"/> are those the steward granted, else those its application named; empty when it covers every field.
/// </summary>
public sealed record GrantRecord(
    long Id, long? ApplicationId, string KeyPublicId, string KeyName, long DatasetId, string Dataset, string PublisherId, IReadOnlyList<string> Fields,
    DateTimeOffset ValidFrom, DateTimeOffset ValidUntil, DateTimeOffset GrantedAt, string GrantedBy, DateTimeOffset? RevokedAt, string? RevokedBy, string? RevokeReason)
{
    public string State(DateTimeOffset now) => RevokedAt is not null ? "revoked" : ValidUntil <= now ? "expired" : ValidFrom > now ? "future" : "live";
}

/// <summary>A key's live grants on one dataset: every field, or only <see cref="Fields"/>.</summary>
public sealed record LiveGrant(bool AllFields, IReadOnlySet<string>? Fields);

public sealed record NewApplication(long KeyId, long DatasetId, IReadOnlyList<string> Fields, string Purpose, string Scenario, DateOnly PeriodStart, DateOnly PeriodEnd,
    string Organisation, string SecurityMeasures);

/// <summary>Conditional-access applications and the grants that approvals create (<c>access.applications</c>, <c>access.grants</c>).</summary>
public sealed class ApplicationStore(Database database)
{
    private const string ApplicationColumns =
        """
        a.id, k.public_id, k.name, a.dataset_id, d.identifier, d.publisher_id, a.fields, a.purpose, a.scenario, a.period_start, a.period_end,
        a.organisation, a.security_measures, a.pledge_accepted, a.status, a.submitted_at, a.formal_check_due, a.decision_due,
        a.decided_at, a.decided_by_name, a.reason, g.id, coalesce(g.fields, a.fields)
        FROM access.applications a
        LEFT JOIN LATERAL (SELECT g.id, g.fields FROM access.grants g WHERE g.application_id = a.id ORDER BY g.id DESC LIMIT 1) g ON true JOIN access.keys k ON k.id = a.key_id JOIN catalog.datasets d ON d.id = a.dataset_id
        """;

    private const string GrantColumns =
        """
        g.id, g.application_id, k.public_id, k.name, g.dataset_id, d.identifier, d.publisher_id, coalesce(g.fields, a.fields, '{}'), g.valid_from, g.valid_until,
        g.granted_at, g.granted_by, g.revoked_at, g.revoked_by, g.revoke_reason
        FROM access.grants g JOIN access.keys k ON k.id = g.key_id JOIN catalog.datasets d ON d.id = g.dataset_id
        LEFT JOIN access.applications a ON a.id = g.application_id
        """;

    /// <summary>
    /// The per-request grant check: one indexed lookup, never cached, so revocation is effective on the next request.
    /// Null without a live grant. A grant covers the fields the steward granted, else those its application named; one naming none
    /// (or that has no application) covers every field, and several live grants cover the union of theirs.
    /// </summary>
    public async Task<LiveGrant?> LiveGrantAsync(long keyId, long datasetId, CancellationToken ct)
    {
        await using var cmd = database.Writer.CreateCommand(
            """
            SELECT coalesce(g.fields, a.fields, '{}') FROM access.grants g LEFT JOIN access.applications a ON a.id = g.application_id
            WHERE g.key_id = $1 AND g.dataset_id = $2 AND g.revoked_at IS NULL AND g.valid_from <= now() AND g.valid_until > now()
            """);
        cmd.Parameters.Add(new() { Value = keyId });
        cmd.Parameters.Add(new() { Value = datasetId });
        await using var r = await cmd.ExecuteReaderAsync(ct);
        HashSet<string>? fields = null;
        var all = false;
        while (await r.ReadAsync(ct))
        {
            var named = r.GetFieldValue<string[]>(0);
            all |= named.Length == 0;
            (fields ??= new HashSet<string>(StringComparer.Ordinal)).UnionWith(named);
        }

        return fields is null ? null : new LiveGrant(all, all ? null : fields.ToFrozenSet(StringComparer.Ordinal));
    }

    public async Task<ApplicationRecord> SubmitAsync(NewApplication a, DateOnly formalCheckDue, DateOnly decisionDue, CancellationToken ct)
    {
        await using var cmd = database.Writer.CreateCommand(
            $"""
            WITH a AS (
              INSERT INTO access.applications (key_id, dataset_id, fields, purpose, scenario, period_start, period_end, organisation, security_measures,
                pledge_accepted, formal_check_due, decision_due)
              VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, true, $10, $11) RETURNING *)
            SELECT {ApplicationColumns.Replace("access.applications a", "a", StringComparison.Ordinal)}
            """);
        KeyStore.Add(cmd, a.KeyId, a.DatasetId, a.Fields.ToArray(), a.Purpose, a.Scenario, a.PeriodStart, a.PeriodEnd, a.Organisation, a.SecurityMeasures,
            formalCheckDue, decisionDue);
        return (await ReadApplicationsAsync(cmd, ct))[0];
    }

    public async Task<List<ApplicationRecord>> ApplicationsOfKeyAsync(long keyId, CancellationToken ct)
    {
        await using var cmd = database.Writer.CreateCommand($"SELECT {ApplicationColumns} WHERE a.key_id = $1 ORDER BY a.submitted_at DESC, a.id DESC");
        KeyStore.Add(cmd, keyId);
        return await ReadApplicationsAsync(cmd, ct);
    }

    /// <summary>Applications for datasets of <paramref name="publisherId"/> (all publishers when null), oldest due first.</summary>
    public async Task<List<ApplicationRecord>> ApplicationsForStewardAsync(string? publisherId, string? status, CancellationToken ct)
    {
        await using var cmd = database.Writer.CreateCommand(
            $"SELECT {ApplicationColumns} WHERE ($1::text IS NULL OR d.publisher_id = $1) AND ($2::text IS NULL OR a.status = $2) ORDER BY a.decision_due, a.id");
        KeyStore.Add(cmd, publisherId, status);
        return await ReadApplicationsAsync(cmd, ct);
    }

    public async Task<ApplicationRecord?> ApplicationAsync(long id, CancellationToken ct)
    {
        await using var cmd = database.Writer.CreateCommand($"SELECT {ApplicationColumns} WHERE a.id = $1");
        KeyStore.Add(cmd, id);
        var list = await ReadApplicationsAsync(cmd, ct);
        return list.Count == 0 ? null : list[0];
    }

    /// <summary>
    /// Approves a pending application and creates its grant in one transaction; null when it is no longer pending.
    /// <paramref name="fields"/>: those granted when fewer than applied for; null grants what the application named.
    /// </summary>
    public async Task<long?> ApproveAsync(long applicationId, DateTimeOffset until, string? reason, IReadOnlyList<string>? fields, Caller steward, CancellationToken ct)
    {
        await using var conn = await database.Writer.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        await using (var cmd = new NpgsqlCommand(
            "UPDATE access.applications SET status = 'approved', decided_at = now(), decided_by = $2, decided_by_name = $3, reason = $4 WHERE id = $1 AND status = 'pending'", conn, tx))
        {
            KeyStore.Add(cmd, applicationId, new NpgsqlParameter { Value = (object?)steward.KeyId ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Bigint }, steward.Actor, reason);
            if (await cmd.ExecuteNonQueryAsync(ct) == 0)
            {
                return null;
            }
        }

        long grantId;
        await using (var cmd = new NpgsqlCommand(
            "INSERT INTO access.grants (application_id, key_id, dataset_id, valid_until, granted_by, fields) SELECT id, key_id, dataset_id, $2, $3, $4 FROM access.applications WHERE id = $1 RETURNING id", conn, tx))
        {
            KeyStore.Add(cmd, applicationId, KeyStore.Ts(until), steward.Actor,
                new NpgsqlParameter { Value = (object?)fields?.ToArray() ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Array | NpgsqlTypes.NpgsqlDbType.Text });
            grantId = (long)(await cmd.ExecuteScalarAsync(ct))!;
        }

        await tx.CommitAsync(ct);
        return grantId;
    }

    public async Task<bool> RejectAsync(long applicationId, string reason, Caller steward, CancellationToken ct)
    {
        await using var cmd = database.Writer.CreateCommand(
            "UPDATE access.applications SET status = 'rejected', decided_at = now(), decided_by = $2, decided_by_name = $3, reason = $4 WHERE id = $1 AND status = 'pending'");
        KeyStore.Add(cmd, applicationId, new NpgsqlParameter { Value = (object?)steward.KeyId ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Bigint }, steward.Actor, reason);
        return await cmd.ExecuteNonQueryAsync(ct) > 0;
    }

    public async Task<List<GrantRecord>> GrantsAsync(string? publisherId, long? keyId, CancellationToken ct)
    {
        await using var cmd = database.Writer.CreateCommand(
            $"SELECT {GrantColumns} WHERE ($1::text IS NULL OR d.publisher_id = $1) AND ($2::bigint IS NULL OR g.key_id = $2) ORDER BY g.granted_at DESC, g.id DESC");
        KeyStore.Add(cmd, publisherId, new NpgsqlParameter { Value = (object?)keyId ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Bigint });
        return await ReadGrantsAsync(cmd, ct);
    }

    public async Task<GrantRecord?> GrantAsync(long id, CancellationToken ct)
    {
        await using var cmd = database.Writer.CreateCommand($"SELECT {GrantColumns} WHERE g.id = $1");
        KeyStore.Add(cmd, id);
        var list = await ReadGrantsAsync(cmd, ct);
        return list.Count == 0 ? null : list[0];
    }

    public async Task<bool> RevokeGrantAsync(long id, string? reason, Caller steward, CancellationToken ct)
    {
        await using var cmd = database.Writer.CreateCommand(
            "UPDATE access.grants SET revoked_at = now(), revoked_by = $2, revoke_reason = $3 WHERE id = $1 AND revoked_at IS NULL");
        KeyStore.Add(cmd, id, steward.Actor, reason);
        return await cmd.ExecuteNonQueryAsync(ct) > 0;
    }

    private static async Task<List<ApplicationRecord>> ReadApplicationsAsync(NpgsqlCommand cmd, CancellationToken ct)
    {
        await using var r = await cmd.ExecuteReaderAsync(ct);
        var list = new List<ApplicationRecord>();
        while (await r.ReadAsync(ct))
        {
            list.Add(new ApplicationRecord(r.GetInt64(0), r.GetString(1), r.GetString(2), r.GetInt64(3), r.GetString(4), r.GetString(5), r.GetFieldValue<string[]>(6),
                r.GetString(7), r.GetString(8), r.GetFieldValue<DateOnly>(9), r.GetFieldValue<DateOnly>(10), r.GetString(11), r.GetString(12), r.GetBoolean(13),
                r.GetString(14), r.GetFieldValue<DateTimeOffset>(15), r.GetFieldValue<DateOnly>(16), r.GetFieldValue<DateOnly>(17),
                r.IsDBNull(18) ? null : r.GetFieldValue<DateTimeOffset>(18), r.IsDBNull(19) ? null : r.GetString(19), r.IsDBNull(20) ? null : r.GetString(20),
                r.IsDBNull(21) ? null : r.GetInt64(21), r.IsDBNull(21) ? null : r.GetFieldValue<string[]>(22)));
        }

        return list;
    }

    private static async Task<List<GrantRecord>> ReadGrantsAsync(NpgsqlCommand cmd, CancellationToken ct)
    {
        await using var r = await cmd.ExecuteReaderAsync(ct);
        var list = new List<GrantRecord>();
        while (await r.ReadAsync(ct))
        {
            list.Add(new GrantRecord(r.GetInt64(0), r.IsDBNull(1) ? null : r.GetInt64(1), r.GetString(2), r.GetString(3), r.GetInt64(4), r.GetString(5), r.GetString(6),
                r.GetFieldValue<string[]>(7), r.GetFieldValue<DateTimeOffset>(8), r.GetFieldValue<DateTimeOffset>(9), r.GetFieldValue<DateTimeOffset>(10), r.GetString(11),
                r.IsDBNull(12) ? null : r.GetFieldValue<DateTimeOffset>(12), r.IsDBNull(13) ? null : r.GetString(13), r.IsDBNull(14) ? null : r.GetString(14)));
        }

        return list;
    }
}
