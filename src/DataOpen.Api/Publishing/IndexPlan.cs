using System.Diagnostics;
using DataOpen.Core.Catalog;
using Npgsql;

namespace DataOpen.Api.Publishing;

/// <summary>One column of an index: a field of the version (or <c>_row_id</c>) and its direction.</summary>
public sealed record IndexColumn(string Field, bool Descending = false)
{
    [System.Text.Json.Serialization.JsonIgnore]
    public string Sql => Core.Catalog.Sql.QuoteIdentifier(Field) + (Descending ? " DESC" : "");
}

/// <summary>An index the publish builds on the new version's table before the version becomes current.</summary>
/// <param name="Name">Index name in schema <c>data</c> (at most 63 bytes, unique in the schema).</param>
/// <param name="Columns">Its columns in order.</param>
/// <param name="Method">The access method (btree, brin, gin).</param>
/// <param name="Origin">Who asked for it: <c>declared</c> (dataset.json <c>index</c>/<c>search</c>), <c>composite</c>
/// (dataset.json <c>indexes</c>), <c>statistics</c> or <c>brin</c> (picked from the data), <c>adaptive</c> (kept adaptive
/// indexes carried forward).</param>
/// <param name="OpClass">Operator class of every column, e.g. <c>gin_trgm_ops</c> for trigram indexes.</param>
public sealed record IndexSpec(string Name, IReadOnlyList<IndexColumn> Columns, string Method = "btree", string Origin = "plan", string? OpClass = null)
{
    public string CreateSql(string qualifiedTable) =>
        $"CREATE INDEX {Sql.QuoteIdentifier(Name)} ON {qualifiedTable} USING {Method} ({string.Join(", ", Columns.Select(c => OpClass is null ? c.Sql : $"{c.Sql} {OpClass}"))})";

    /// <summary>What the index is, whatever its name: two specs with the same key are the same index.</summary>
    public string Key => $"{Method}:{OpClass}:{string.Join(',', Columns.Select(c => c.Field + (c.Descending ? " desc" : "")))}";
}

/// <summary>What a contributor knows of the version being published; the connection is in the publish's transaction.</summary>
public sealed record IndexPlanContext(NpgsqlConnection Connection, NpgsqlTransaction Transaction, long DatasetId, string Identifier, int Version, string Table,
    IReadOnlyList<FieldInfo> Fields, long RowCount = 0, DatasetDefinition? Definition = null);

/// <summary>An index of the plan as built: its size and how long it took.</summary>
public sealed record BuiltIndex(IndexSpec Spec, long Bytes, double BuildMs);

/// <summary>
/// Adds indexes to the plan of every published version (resolved from DI, all of them). The publish builds the
/// specs inside its transaction, so the version is never served half-indexed, then tells each contributor what
/// was built once the version's catalog row exists (still in the transaction: a failed publish leaves nothing).
/// </summary>
public interface IIndexPlanContributor
{
    Task<IReadOnlyList<IndexSpec>> PlanAsync(IndexPlanContext context, CancellationToken ct);

    Task BuiltAsync(IndexPlanContext context, IReadOnlyList<BuiltIndex> built, CancellationToken ct);
}

/// <summary>Builds the contributors' indexes of one publish.</summary>
internal static class IndexPlan
{
    public static async Task<List<(IIndexPlanContributor Contributor, List<BuiltIndex> Built)>> BuildAsync(
        IEnumerable<IIndexPlanContributor> contributors, IndexPlanContext context, CancellationToken ct)
    {
        var qualified = $"data.{Sql.QuoteIdentifier(context.Table)}";
        var result = new List<(IIndexPlanContributor, List<BuiltIndex>)>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var contributor in contributors)
        {
            var built = new List<BuiltIndex>();
            // An index another contributor already planned (e.g. a kept adaptive index the plan builds anyway) is built once.
            foreach (var spec in (await contributor.PlanAsync(context, ct)).Where(s => seen.Add(s.Key)))
            {
                var started = Stopwatch.GetTimestamp();
                await using (var cmd = new NpgsqlCommand(spec.CreateSql(qualified), context.Connection, context.Transaction) { CommandTimeout = 0 })
                {
                    await cmd.ExecuteNonQueryAsync(ct);
                }

                var ms = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
                await using var size = new NpgsqlCommand("SELECT pg_relation_size(('data.' || quote_ident($1))::regclass)", context.Connection, context.Transaction)
                {
                    Parameters = { new() { Value = spec.Name } },
                };
                built.Add(new BuiltIndex(spec, (long)(await size.ExecuteScalarAsync(ct))!, ms));
            }

            result.Add((contributor, built));
        }

        return result;
    }

    public static async Task ReportAsync(List<(IIndexPlanContributor Contributor, List<BuiltIndex> Built)> built, IndexPlanContext context, CancellationToken ct)
    {
        foreach (var (contributor, list) in built)
        {
            await contributor.BuiltAsync(context, list, ct);
        }
    }
}
