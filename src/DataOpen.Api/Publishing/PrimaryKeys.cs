using DataOpen.Core.Catalog;
using DataOpen.Core.Ingest;
using Npgsql;

namespace DataOpen.Api.Publishing;

/// <summary>
/// Enforces a dataset's declared <c>primaryKey</c> on a freshly loaded version, inside the publish transaction:
/// every key field must be a column, no key field may be null and no two rows may share a key. A violation throws an
/// <see cref="IngestException"/> naming the first 10 offending rows (<c>_row_id</c>s and key values) and the total, so the
/// transaction rolls back and nothing is published. Otherwise the version gets <c>CREATE UNIQUE INDEX {table}_key</c>.
/// </summary>
public static class PrimaryKeys
{
    private const int Shown = 10;

    public static async Task EnforceAsync(NpgsqlConnection conn, NpgsqlTransaction tx, string table, DatasetDefinition definition, IReadOnlyList<FieldInfo> fields, CancellationToken ct)
    {
        if (definition.PrimaryKey is not { Count: > 0 } key)
        {
            return;
        }

        var missing = key.Where(k => !fields.Any(f => f.Name == k)).ToList();
        if (missing.Count > 0)
        {
            throw new IngestException(IngestProblem.UnknownKeyField,
                $"primaryKey names field(s) the data does not have: {string.Join(", ", missing)}; nothing was published.", column: missing[0]);
        }

        var qualified = $"data.{Sql.QuoteIdentifier(table)}";
        var rowId = Sql.QuoteIdentifier(TableShape.RowIdColumn);
        var columns = key.Select(Sql.QuoteIdentifier).ToList();
        var keyText = string.Join(" || ',' || ", columns.Select(c => $"coalesce({c}::text, 'null')"));

        var nulls = await OffendersAsync(conn, tx,
            $"SELECT {rowId}::text, {keyText}, count(*) OVER () FROM {qualified} WHERE {string.Join(" OR ", columns.Select(c => c + " IS NULL"))} ORDER BY {rowId} LIMIT {Shown}", ct);
        if (nulls.Total > 0)
        {
            throw new IngestException(IngestProblem.NullKey,
                $"{nulls.Total} row(s) have a null primaryKey field ({string.Join(", ", key)}); first _row_ids: {string.Join(", ", nulls.Rows)}; nothing was published.");
        }

        // The unique index does the duplicate check in one sort; only when it fails are the duplicates looked up.
        await using (var save = new NpgsqlCommand("SAVEPOINT primary_key", conn, tx))
        {
            await save.ExecuteNonQueryAsync(ct);
        }

        try
        {
            await using var cmd = new NpgsqlCommand($"CREATE UNIQUE INDEX {Sql.QuoteIdentifier(table + "_key")} ON {qualified} ({string.Join(", ", columns)})", conn, tx);
            cmd.CommandTimeout = 0;
            await cmd.ExecuteNonQueryAsync(ct);
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UniqueViolation)
        {
            await using (var back = new NpgsqlCommand("ROLLBACK TO SAVEPOINT primary_key", conn, tx))
            {
                await back.ExecuteNonQueryAsync(ct);
            }

            var dups = await OffendersAsync(conn, tx,
                $"""
                SELECT array_to_string((array_agg({rowId} ORDER BY {rowId}))[1:{Shown}], ' '), {keyText}, count(*) OVER ()
                FROM {qualified} GROUP BY {string.Join(", ", columns)} HAVING count(*) > 1 ORDER BY min({rowId}) LIMIT {Shown}
                """, ct);
            throw new IngestException(IngestProblem.DuplicateKey,
                $"{dups.Total} primaryKey value(s) ({string.Join(", ", key)}) occur in more than one row; first: {string.Join("; ", dups.Rows)}; nothing was published.");
        }
    }

    private static async Task<(long Total, List<string> Rows)> OffendersAsync(NpgsqlConnection conn, NpgsqlTransaction tx, string sql, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand(sql, conn, tx) { CommandTimeout = 0 };
        await using var r = await cmd.ExecuteReaderAsync(ct);
        var rows = new List<string>();
        long total = 0;
        while (await r.ReadAsync(ct))
        {
            rows.Add($"_row_id {r.GetString(0)} (key {r.GetString(1)})");
            total = r.GetInt64(2);
        }

        return (total, rows);
    }
}
