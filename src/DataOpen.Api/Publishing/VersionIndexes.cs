using System.Text.Json;
using DataOpen.Core.Catalog;
using Npgsql;

namespace DataOpen.Api.Publishing;

/// <summary>One index of a version's plan, as built: its columns, kind, origin, size and build time.</summary>
public sealed record VersionIndex(string Name, IReadOnlyList<IndexColumn> Columns, string Method, string? OpClass, string Origin, bool Unique, long Bytes, double? BuildMs);

/// <summary>
/// The index plan of each version as built, in <c>catalog.version_indexes</c>: every index on the version's table
/// (read back from <c>pg_index</c>, so the <c>_row_id</c> primary key and any other index are there too), with the
/// origin and build time the plan knows.
/// </summary>
public static class VersionIndexes
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static async Task RecordAsync(IndexPlanContext context, IReadOnlyList<BuiltIndex> built, CancellationToken ct)
    {
        var byName = built.ToDictionary(b => b.Spec.Name, StringComparer.Ordinal);
        var found = new List<VersionIndex>();
        await using (var cmd = new NpgsqlCommand(
            """
            SELECT c.relname, am.amname, i.indisunique, i.indisprimary, pg_relation_size(c.oid),
                   (SELECT array_agg(split_part(pg_get_indexdef(i.indexrelid, k, true), ' ', 1) ORDER BY k) FROM generate_series(1, i.indnatts) k),
                   (SELECT array_agg((i.indoption[k - 1] & 1) = 1 ORDER BY k) FROM generate_series(1, i.indnatts) k)
            FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_am am ON am.oid = c.relam
            WHERE i.indrelid = ('data.' || quote_ident($1))::regclass
            ORDER BY c.relname
            """, context.Connection, context.Transaction)
        {
            Parameters = { new() { Value = context.Table } },
        })
        await using (var r = await cmd.ExecuteReaderAsync(ct))
        {
            while (await r.ReadAsync(ct))
            {
                var name = r.GetString(0);
                var fields = r.GetFieldValue<string[]>(5);
                var descending = r.GetFieldValue<bool[]>(6);
                var columns = fields.Select((f, k) => new IndexColumn(f.Trim('"'), descending[k])).ToList();
                var spec = byName.GetValueOrDefault(name);
                var origin = spec?.Spec.Origin ?? (r.GetBoolean(3) ? "row-id" : r.GetBoolean(2) ? "key" : "other");
                found.Add(new VersionIndex(name, columns, r.GetString(1), spec?.Spec.OpClass, origin, r.GetBoolean(2), r.GetInt64(4), spec?.BuildMs));
            }
        }

        var batch = new NpgsqlBatch(context.Connection, context.Transaction);
        foreach (var index in found)
        {
            var c = new NpgsqlBatchCommand(
                "INSERT INTO catalog.version_indexes (dataset_id, version, index_name, columns, method, op_class, origin, is_unique, bytes, build_ms) VALUES ($1, $2, $3, $4::jsonb, $5, $6, $7, $8, $9, $10)");
            c.Parameters.Add(new() { Value = context.DatasetId });
            c.Parameters.Add(new() { Value = context.Version });
            c.Parameters.Add(new() { Value = index.Name });
            c.Parameters.Add(new() { Value = JsonSerializer.Serialize(index.Columns, Json) });
            c.Parameters.Add(new() { Value = index.Method });
            c.Parameters.Add(new() { Value = (object?)index.OpClass ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text });
            c.Parameters.Add(new() { Value = index.Origin });
            c.Parameters.Add(new() { Value = index.Unique });
            c.Parameters.Add(new() { Value = index.Bytes });
            c.Parameters.Add(new() { Value = (object?)index.BuildMs ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Double });
            batch.BatchCommands.Add(c);
        }

        if (batch.BatchCommands.Count > 0)
        {
            await batch.ExecuteNonQueryAsync(ct);
        }
    }

    /// <summary>The plan of one version, in the order the indexes were named.</summary>
    public static async Task<List<VersionIndex>> ListAsync(NpgsqlDataSource source, long datasetId, int version, CancellationToken ct)
    {
        await using var cmd = source.CreateCommand(
            "SELECT index_name, columns::text, method, op_class, origin, is_unique, bytes, build_ms FROM catalog.version_indexes WHERE dataset_id = $1 AND version = $2 ORDER BY index_name");
        cmd.Parameters.Add(new() { Value = datasetId });
        cmd.Parameters.Add(new() { Value = version });
        var list = new List<VersionIndex>();
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct))
        {
            list.Add(new VersionIndex(r.GetString(0), JsonSerializer.Deserialize<List<IndexColumn>>(r.GetString(1), Json)!, r.GetString(2),
                r.IsDBNull(3) ? null : r.GetString(3), r.GetString(4), r.GetBoolean(5), r.GetInt64(6), r.IsDBNull(7) ? null : r.GetDouble(7)));
        }

        return list;
    }
}
