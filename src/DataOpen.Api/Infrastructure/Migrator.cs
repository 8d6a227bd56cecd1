using System.Reflection;
using Npgsql;

namespace DataOpen.Api.Infrastructure;

/// <summary>
/// Applies the plain-SQL migrations embedded from Infrastructure/Migrations/*.sql in name order, each in
/// its own transaction, and records them in <c>public.schema_migrations</c>. An advisory lock keeps two
/// instances starting together from migrating twice.
/// </summary>
public static class Migrator
{
    private const long MigrationLockKey = 0x0DA7A0BE_0001;

    public static IReadOnlyList<(string Name, string Sql)> All()
    {
        var assembly = typeof(Migrator).Assembly;
        const string prefix = "DataOpen.Migrations.";
        return assembly.GetManifestResourceNames()
            .Where(n => n.StartsWith(prefix, StringComparison.Ordinal) && n.EndsWith(".sql", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal)
            .Select(n => (n[prefix.Length..^4], Read(assembly, n)))
            .ToList();
    }

    public static async Task<int> MigrateAsync(NpgsqlDataSource writer, CancellationToken ct)
    {
        await using var conn = await writer.OpenConnectionAsync(ct);
        await using (var cmd = new NpgsqlCommand("SELECT pg_advisory_lock($1)", conn) { Parameters = { new() { Value = MigrationLockKey } } })
        {
            await cmd.ExecuteNonQueryAsync(ct);
        }

        try
        {
            await using (var cmd = new NpgsqlCommand("CREATE TABLE IF NOT EXISTS public.schema_migrations (name text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())", conn))
            {
                await cmd.ExecuteNonQueryAsync(ct);
            }

            var applied = new HashSet<string>(StringComparer.Ordinal);
            await using (var cmd = new NpgsqlCommand("SELECT name FROM public.schema_migrations", conn))
            await using (var r = await cmd.ExecuteReaderAsync(ct))
            {
                while (await r.ReadAsync(ct))
                {
                    applied.Add(r.GetString(0));
                }
            }

            var count = 0;
            foreach (var (name, sql) in All())
            {
                if (applied.Contains(name))
                {
                    continue;
                }

                await using var tx = await conn.BeginTransactionAsync(ct);
                await using (var cmd = new NpgsqlCommand(sql, conn, tx))
                {
                    await cmd.ExecuteNonQueryAsync(ct);
                }

                await using (var cmd = new NpgsqlCommand("INSERT INTO public.schema_migrations(name) VALUES ($1)", conn, tx) { Parameters = { new() { Value = name } } })
                {
                    await cmd.ExecuteNonQueryAsync(ct);
                }

                await tx.CommitAsync(ct);
                count++;
            }

            return count;
        }
        finally
        {
            await using var unlock = new NpgsqlCommand("SELECT pg_advisory_unlock($1)", conn) { Parameters = { new() { Value = MigrationLockKey } } };
            await unlock.ExecuteNonQueryAsync(CancellationToken.None);
        }
    }

    /// <summary>True when every embedded migration is recorded (the readiness check).</summary>
    public static async Task<bool> IsUpToDateAsync(NpgsqlDataSource source, CancellationToken ct)
    {
        await using var cmd = source.CreateCommand("SELECT name FROM public.schema_migrations");
        var applied = new HashSet<string>(StringComparer.Ordinal);
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct))
        {
            applied.Add(r.GetString(0));
        }

        return All().All(m => applied.Contains(m.Name));
    }

    private static string Read(Assembly assembly, string name)
    {
        using var stream = assembly.GetManifestResourceStream(name)!;
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
