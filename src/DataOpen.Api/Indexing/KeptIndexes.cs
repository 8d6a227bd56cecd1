using System.Text.Json;
using DataOpen.Api.Publishing;
using DataOpen.Core.Catalog;
using Npgsql;

namespace DataOpen.Api.Indexing;

/// <summary>
/// Carries the adaptive indexes a steward kept on the current version into the index plan of the next publish
/// of the same dataset, when every field they index still exists. They are built with the rest of the plan,
/// before the new version becomes current, and recorded for it as kept (with the version they came from).
/// </summary>
public sealed class KeptIndexes : IIndexPlanContributor
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public async Task<IReadOnlyList<IndexSpec>> PlanAsync(IndexPlanContext context, CancellationToken ct)
    {
        // The publish has not yet moved current_version: it still names the version being replaced.
        await using var cmd = new NpgsqlCommand(
            """
            SELECT a.columns::text, a.column_key FROM indexing.adaptive_indexes a
            JOIN catalog.datasets d ON d.id = a.dataset_id AND d.current_version = a.version
            WHERE a.dataset_id = $1 AND a.status = 'kept' ORDER BY a.id
            """, context.Connection, context.Transaction)
        {
            Parameters = { new() { Value = context.DatasetId } },
        };
        var fields = context.Fields.Select(f => f.Name).Append(TableShape.RowIdColumn).ToHashSet(StringComparer.Ordinal);
        var specs = new List<IndexSpec>();
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct))
        {
            var columns = JsonSerializer.Deserialize<List<IndexColumn>>(r.GetString(0), Json)!;
            if (columns.All(c => fields.Contains(c.Field)))
            {
                specs.Add(new IndexSpec(IndexCandidates.Name(context.Table, r.GetString(1)), columns, Origin: "adaptive"));
            }
        }

        return specs;
    }

    public async Task BuiltAsync(IndexPlanContext context, IReadOnlyList<BuiltIndex> built, CancellationToken ct)
    {
        foreach (var index in built)
        {
            await using var cmd = new NpgsqlCommand(
                """
                INSERT INTO indexing.adaptive_indexes (dataset_id, version, table_name, index_name, columns, column_key, shapes, status, reason,
                                                       cost_before, cost_after, estimated_bytes, bytes, build_ms, carried_from, built_at, decided_at, decided_by)
                SELECT $1, $2, $3, $4, p.columns, p.column_key, p.shapes, 'kept', NULL, p.cost_before, p.cost_after, p.estimated_bytes, $5, $6, p.version, now(), p.decided_at, p.decided_by
                FROM indexing.adaptive_indexes p JOIN catalog.datasets d ON d.id = p.dataset_id AND d.current_version = p.version
                WHERE p.dataset_id = $1 AND p.status = 'kept' AND p.column_key = $7
                """, context.Connection, context.Transaction);
            cmd.Parameters.Add(new() { Value = context.DatasetId });
            cmd.Parameters.Add(new() { Value = context.Version });
            cmd.Parameters.Add(new() { Value = context.Table });
            cmd.Parameters.Add(new() { Value = index.Spec.Name });
            cmd.Parameters.Add(new() { Value = index.Bytes });
            cmd.Parameters.Add(new() { Value = index.BuildMs });
            cmd.Parameters.Add(new() { Value = IndexCandidates.Key(index.Spec.Columns) });
            await cmd.ExecuteNonQueryAsync(ct);
        }
    }
}
