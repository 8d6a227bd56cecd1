using Npgsql;

namespace DataOpen.Api.Publishing;

/// <summary>Tables in the data schema that no published version references: left by a publish that was killed.</summary>
public static class StrayTables
{
    public static async Task<IReadOnlyList<string>> DropAsync(NpgsqlDataSource writer, CancellationToken ct)
    {
        var stray = new List<string>();
        await using (var cmd = writer.CreateCommand(
            """
            SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE n.nspname = 'data' AND c.relkind IN ('r', 'p', 'u')
              AND NOT EXISTS (SELECT 1 FROM catalog.versions v WHERE v.table_name = c.relname)
            """))
        await using (var r = await cmd.ExecuteReaderAsync(ct))
        {
            while (await r.ReadAsync(ct))
            {
                stray.Add(r.GetString(0));
            }
        }

        foreach (var table in stray)
        {
            await using var drop = writer.CreateCommand($"DROP TABLE IF EXISTS data.{DataOpen.Core.Catalog.Sql.QuoteIdentifier(table)}");
            await drop.ExecuteNonQueryAsync(ct);
        }

        return stray;
    }
}
