using System.Text.Json;
using DataOpen.Api.Infrastructure;
using DataOpen.Api.Publishing;
using DataOpen.Api.Rows;
using DataOpen.Core.Query;
using Npgsql;

namespace DataOpen.Api.Indexing;

/// <summary>A recorded shape of one version, summed over every instance and door.</summary>
public sealed record ShapeStats(
    string Table, long DatasetId, string Identifier, int Version, string Shape, string Kind, IReadOnlyList<ShapeFilter> Filters, IReadOnlyList<ShapeOrder> Orders,
    long Calls, double TotalMs, double MaxMs, long[] Buckets, IReadOnlyList<string> Doors, string? SampleSql, string? SampleParams)
{
    /// <summary>The 95th percentile to its time bucket: the bucket's upper bound (the slowest call for the open-ended last bucket).</summary>
    public double P95Ms
    {
        get
        {
            var rank = Math.Ceiling(Calls * 0.95);
            long seen = 0;
            for (var i = 0; i < Buckets.Length; i++)
            {
                seen += Buckets[i];
                if (seen >= rank && Buckets[i] > 0)
                {
                    return Math.Min(QueryShapeRecorder.BucketBoundsMs[Math.Min(i, QueryShapeRecorder.BucketBoundsMs.Length - 1)], MaxMs);
                }
            }

            return MaxMs;
        }
    }

    public double MeanMs => Calls == 0 ? 0 : TotalMs / Calls;
}

/// <summary>One index the builder considered for a version (built or not, and why), as stored in indexing.adaptive_indexes.</summary>
public sealed record AdaptiveIndexRow(
    long Id, long DatasetId, int Version, string Table, string Name, IReadOnlyList<IndexColumn> Columns, string ColumnKey, IReadOnlyList<string> Shapes,
    string Status, string? Reason, double? CostBefore, double? CostAfter, long? EstimatedBytes, long? Bytes, double? BuildMs, int? CarriedFrom,
    DateTimeOffset CreatedAt, DateTimeOffset? BuiltAt, DateTimeOffset? DecidedAt, string? DecidedBy)
{
    /// <summary>Indexes that exist (or are being built) and so count against the budget.</summary>
    public bool Live => Status is AdaptiveStatus.Building or AdaptiveStatus.Ready or AdaptiveStatus.Kept;
}

public static class AdaptiveStatus
{
    public const string Building = "building";
    public const string Ready = "ready";
    public const string Kept = "kept";
    public const string Dropped = "dropped";
    public const string Rejected = "rejected";
    public const string OverBudget = "over-budget";
    public const string Failed = "failed";
}

/// <summary>The tables of adaptive indexes: recorded shapes and considered indexes (all SQL of the feature but the builds).</summary>
public sealed class AdaptiveIndexStore(Database database)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>Shapes of current versions (of one dataset, or of all), merged over doors.</summary>
    public async Task<List<ShapeStats>> ShapesAsync(long? datasetId, CancellationToken ct)
    {
        await using var cmd = database.Writer.CreateCommand(
            """
            SELECT s.table_name, v.dataset_id, d.identifier, v.version, s.shape, s.kind, s.filters::text, s.orders::text,
                   s.calls, s.total_ms, s.max_ms, s.buckets, s.door, s.sample_sql, s.sample_params::text
            FROM indexing.query_shapes s
            JOIN catalog.versions v ON v.table_name = s.table_name
            JOIN catalog.datasets d ON d.id = v.dataset_id AND d.current_version = v.version AND d.status = 'active'
            WHERE $1::bigint IS NULL OR v.dataset_id = $1
            ORDER BY s.table_name, s.shape, s.max_ms DESC
            """);
        cmd.Parameters.Add(new() { Value = (object?)datasetId ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Bigint });
        var merged = new List<ShapeStats>();
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct))
        {
            var row = new ShapeStats(r.GetString(0), r.GetInt64(1), r.GetString(2), r.GetInt32(3), r.GetString(4), r.GetString(5),
                JsonSerializer.Deserialize<List<ShapeFilter>>(r.GetString(6), Json)!, JsonSerializer.Deserialize<List<ShapeOrder>>(r.GetString(7), Json)!,
                r.GetInt64(8), r.GetDouble(9), r.GetDouble(10), r.GetFieldValue<long[]>(11), [r.GetString(12)],
                r.IsDBNull(13) ? null : r.GetString(13), r.IsDBNull(14) ? null : r.GetString(14));
            if (merged.Count > 0 && merged[^1] is { } last && last.Table == row.Table && last.Shape == row.Shape)
            {
                // Rows come slowest door first: the merged sample is the slowest one.
                merged[^1] = last with
                {
                    Calls = last.Calls + row.Calls,
                    TotalMs = last.TotalMs + row.TotalMs,
                    MaxMs = Math.Max(last.MaxMs, row.MaxMs),
                    Buckets = last.Buckets.Zip(row.Buckets, (a, b) => a + b).ToArray(),
                    Doors = [.. last.Doors, .. row.Doors],
                    SampleSql = last.SampleSql ?? row.SampleSql,
                    SampleParams = last.SampleSql is null ? row.SampleParams : last.SampleParams,
                };
            }
            else
            {
                merged.Add(row);
            }
        }

        return merged;
    }

    public async Task<List<AdaptiveIndexRow>> IndexesAsync(NpgsqlConnection? conn, long? datasetId, int? version, CancellationToken ct)
    {
        const string sql =
            """
            SELECT id, dataset_id, version, table_name, index_name, columns::text, column_key, shapes::text, status, reason, cost_before, cost_after,
                   estimated_bytes, bytes, build_ms, carried_from, created_at, built_at, decided_at, decided_by
            FROM indexing.adaptive_indexes
            WHERE ($1::bigint IS NULL OR dataset_id = $1) AND ($2::int IS NULL OR version = $2)
            ORDER BY dataset_id, version, id
            """;
        await using var cmd = conn is null ? database.Writer.CreateCommand(sql) : new NpgsqlCommand(sql, conn);
        cmd.Parameters.Add(new() { Value = (object?)datasetId ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Bigint });
        cmd.Parameters.Add(new() { Value = (object?)version ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Integer });
        var list = new List<AdaptiveIndexRow>();
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct))
        {
            double? D(int i) => r.IsDBNull(i) ? null : r.GetDouble(i);
            long? L(int i) => r.IsDBNull(i) ? null : r.GetInt64(i);
            DateTimeOffset? T(int i) => r.IsDBNull(i) ? null : r.GetFieldValue<DateTimeOffset>(i);
            list.Add(new AdaptiveIndexRow(r.GetInt64(0), r.GetInt64(1), r.GetInt32(2), r.GetString(3), r.GetString(4),
                JsonSerializer.Deserialize<List<IndexColumn>>(r.GetString(5), Json)!, r.GetString(6), JsonSerializer.Deserialize<List<string>>(r.GetString(7), Json)!,
                r.GetString(8), r.IsDBNull(9) ? null : r.GetString(9), D(10), D(11), L(12), L(13), D(14), r.IsDBNull(15) ? null : r.GetInt32(15),
                r.GetFieldValue<DateTimeOffset>(16), T(17), T(18), r.IsDBNull(19) ? null : r.GetString(19)));
        }

        return list;
    }

    /// <summary>Records a decision on a candidate (new, or re-decided when it was rejected or over budget before).</summary>
    public async Task UpsertAsync(NpgsqlConnection conn, ShapeStats shape, string name, IReadOnlyList<IndexColumn> columns, string status, string? reason,
        double costBefore, double? costAfter, long? estimatedBytes, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand(
            """
            INSERT INTO indexing.adaptive_indexes (dataset_id, version, table_name, index_name, columns, column_key, shapes, status, reason, cost_before, cost_after, estimated_bytes)
            VALUES ($1, $2, $3, $4, $5::jsonb, $6, jsonb_build_array($7::text), $8, $9, $10, $11, $12)
            ON CONFLICT (table_name, column_key) DO UPDATE SET status = EXCLUDED.status, reason = EXCLUDED.reason, cost_before = EXCLUDED.cost_before,
              cost_after = EXCLUDED.cost_after, estimated_bytes = EXCLUDED.estimated_bytes,
              shapes = CASE WHEN indexing.adaptive_indexes.shapes ? $7 THEN indexing.adaptive_indexes.shapes ELSE indexing.adaptive_indexes.shapes || jsonb_build_array($7::text) END
            """, conn);
        cmd.Parameters.Add(new() { Value = shape.DatasetId });
        cmd.Parameters.Add(new() { Value = shape.Version });
        cmd.Parameters.Add(new() { Value = shape.Table });
        cmd.Parameters.Add(new() { Value = name });
        cmd.Parameters.Add(new() { Value = JsonSerializer.Serialize(columns, Json) });
        cmd.Parameters.Add(new() { Value = IndexCandidates.Key(columns) });
        cmd.Parameters.Add(new() { Value = shape.Shape });
        cmd.Parameters.Add(new() { Value = status });
        cmd.Parameters.Add(new() { Value = (object?)reason ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text });
        cmd.Parameters.Add(new() { Value = costBefore });
        cmd.Parameters.Add(new() { Value = (object?)costAfter ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Double });
        cmd.Parameters.Add(new() { Value = (object?)estimatedBytes ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Bigint });
        await cmd.ExecuteNonQueryAsync(ct);
    }

    /// <summary>Adds a shape to the shapes an existing index serves.</summary>
    public static async Task AddShapeAsync(NpgsqlConnection conn, long id, string shape, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand("UPDATE indexing.adaptive_indexes SET shapes = shapes || jsonb_build_array($2::text) WHERE id = $1 AND NOT shapes ? $2", conn)
        {
            Parameters = { new() { Value = id }, new() { Value = shape } },
        };
        await cmd.ExecuteNonQueryAsync(ct);
    }

    public static async Task SetBuiltAsync(NpgsqlConnection conn, string name, long bytes, double? buildMs, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand(
            "UPDATE indexing.adaptive_indexes SET status = 'ready', reason = NULL, bytes = $2, build_ms = coalesce($3, build_ms), built_at = coalesce(built_at, now()) WHERE index_name = $1", conn);
        cmd.Parameters.Add(new() { Value = name });
        cmd.Parameters.Add(new() { Value = bytes });
        cmd.Parameters.Add(new() { Value = (object?)buildMs ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Double });
        await cmd.ExecuteNonQueryAsync(ct);
    }

    /// <summary>Sets a status (keep, drop, failure); returns false when the index is unknown or not in one of <paramref name="from"/>.</summary>
    public async Task<bool> SetStatusAsync(NpgsqlConnection? conn, string name, string status, string? reason, string? actor, string[] from, CancellationToken ct)
    {
        const string sql =
            """
            UPDATE indexing.adaptive_indexes SET status = $2, reason = $3, decided_by = coalesce($4, decided_by), decided_at = CASE WHEN $4 IS NULL THEN decided_at ELSE now() END
            WHERE index_name = $1 AND status = ANY($5)
            """;
        await using var cmd = conn is null ? database.Writer.CreateCommand(sql) : new NpgsqlCommand(sql, conn);
        cmd.Parameters.Add(new() { Value = name });
        cmd.Parameters.Add(new() { Value = status });
        cmd.Parameters.Add(new() { Value = (object?)reason ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text });
        cmd.Parameters.Add(new() { Value = (object?)actor ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text });
        cmd.Parameters.Add(new() { Value = from });
        return await cmd.ExecuteNonQueryAsync(ct) > 0;
    }

    public static async Task DeleteAsync(NpgsqlConnection conn, string name, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand("DELETE FROM indexing.adaptive_indexes WHERE index_name = $1", conn) { Parameters = { new() { Value = name } } };
        await cmd.ExecuteNonQueryAsync(ct);
    }

    /// <summary>Size and validity of an index in schema data (null when it does not exist).</summary>
    public static async Task<(long Bytes, bool Valid)?> PhysicalAsync(NpgsqlConnection conn, string name, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand(
            "SELECT pg_relation_size(c.oid), i.indisvalid FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace JOIN pg_index i ON i.indexrelid = c.oid WHERE n.nspname = 'data' AND c.relname = $1", conn)
        {
            Parameters = { new() { Value = name } },
        };
        await using var r = await cmd.ExecuteReaderAsync(ct);
        return await r.ReadAsync(ct) ? (r.GetInt64(0), r.GetBoolean(1)) : null;
    }

    /// <summary>Index scans PostgreSQL counted for each index of schema data (its statistics, kept across clean restarts).</summary>
    public async Task<Dictionary<string, long>> ScansAsync(CancellationToken ct)
    {
        await using var cmd = database.Writer.CreateCommand("SELECT indexrelname, idx_scan FROM pg_stat_user_indexes WHERE schemaname = 'data' AND indexrelname LIKE 'ai\\_%'");
        var d = new Dictionary<string, long>(StringComparer.Ordinal);
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct))
        {
            d[r.GetString(0)] = r.GetInt64(1);
        }

        return d;
    }
}
