using System.Text.Json;
using DataOpen.Api.Infrastructure;
using Npgsql;

namespace DataOpen.Api.Indexing;

/// <summary>The planner's estimate of a query: its total cost and the plan as JSON.</summary>
public sealed record PlanEstimate(double Cost, string Plan);

/// <summary>What the planner would do with a hypothetical index: its plan, whether the plan uses it, and its estimated size.</summary>
public sealed record HypotheticalEstimate(PlanEstimate With, bool Used, long EstimatedBytes);

/// <summary>
/// The <c>hypopg</c> extension: hypothetical indexes exist only for the planner of one session, so the builder
/// can ask "would you use it, and how much cheaper would the query be?" without building anything. When the
/// server lacks it (an external server without the package), adaptive indexes degrade: the builder builds
/// nothing, the reason is logged once and shown by the admin endpoint.
/// </summary>
public sealed class HypoPg(Database database, ILogger<HypoPg> logger)
{
    private string? unavailable = "not checked yet";
    private int warned;

    /// <summary>Why hypothetical indexes cannot be used (null when they can), as of the last check.</summary>
    public string? UnavailableReason => Volatile.Read(ref unavailable);

    /// <summary>Checks the extension (and creates it when the owner role may); true when it can be used.</summary>
    public async Task<bool> CheckAsync(CancellationToken ct)
    {
        string? reason;
        try
        {
            await using var conn = await database.Writer.OpenConnectionAsync(ct);
            if (await ScalarAsync(conn, "SELECT extversion FROM pg_extension WHERE extname = 'hypopg'", ct) is not null)
            {
                reason = null;
            }
            else if (await ScalarAsync(conn, "SELECT 1 FROM pg_available_extensions WHERE name = 'hypopg'", ct) is null)
            {
                reason = "The PostgreSQL server has no hypopg extension (Debian: apt-get install postgresql-15-hypopg, for the server's version), so no adaptive index is built.";
            }
            else
            {
                await using var create = new NpgsqlCommand("CREATE EXTENSION IF NOT EXISTS hypopg", conn);
                await create.ExecuteNonQueryAsync(ct);
                reason = null;
            }
        }
        catch (PostgresException ex)
        {
            reason = $"The hypopg extension is installed on the server but not created in the database, and the service's role may not create it ({ex.MessageText}): run CREATE EXTENSION hypopg as a superuser. No adaptive index is built until then.";
        }

        Volatile.Write(ref unavailable, reason);
        if (reason is null)
        {
            Interlocked.Exchange(ref warned, 0);
        }
        else if (Interlocked.Exchange(ref warned, 1) == 0)
        {
            logger.LogWarning("Adaptive indexes are off: {Reason}", reason);
        }

        return reason is null;
    }

    private static async Task<object?> ScalarAsync(NpgsqlConnection conn, string sql, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand(sql, conn);
        return await cmd.ExecuteScalarAsync(ct);
    }

    /// <summary>EXPLAIN (no ANALYZE: nothing runs) of a recorded statement with its parameters.</summary>
    public static async Task<PlanEstimate> ExplainAsync(NpgsqlConnection conn, string sql, IReadOnlyList<object> parameters, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand("EXPLAIN (FORMAT JSON) " + sql, conn);
        foreach (var p in parameters)
        {
            cmd.Parameters.Add(new NpgsqlParameter { Value = p });
        }

        var json = (string)(await cmd.ExecuteScalarAsync(ct))!;
        using var doc = JsonDocument.Parse(json);
        return new PlanEstimate(doc.RootElement[0].GetProperty("Plan").GetProperty("Total Cost").GetDouble(), json);
    }

    /// <summary>
    /// Creates <paramref name="createIndexSql"/> as a hypothetical index in this session, explains the statement
    /// with it, and removes it again. The connection must not be shared while this runs.
    /// </summary>
    public static async Task<HypotheticalEstimate> EstimateAsync(NpgsqlConnection conn, string createIndexSql, string sql, IReadOnlyList<object> parameters, CancellationToken ct)
    {
        await using (var reset = new NpgsqlCommand("SELECT hypopg_reset()", conn))
        {
            await reset.ExecuteNonQueryAsync(ct);
        }

        try
        {
            uint oid;
            string name;
            await using (var create = new NpgsqlCommand("SELECT indexrelid, indexname FROM hypopg_create_index($1)", conn) { Parameters = { new() { Value = createIndexSql } } })
            await using (var r = await create.ExecuteReaderAsync(ct))
            {
                await r.ReadAsync(ct);
                oid = r.GetFieldValue<uint>(0);
                name = r.GetString(1);
            }

            var with = await ExplainAsync(conn, sql, parameters, ct);
            await using var size = new NpgsqlCommand("SELECT hypopg_relation_size($1)", conn) { Parameters = { new() { Value = oid, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Oid } } };
            var bytes = Convert.ToInt64(await size.ExecuteScalarAsync(ct), System.Globalization.CultureInfo.InvariantCulture);
            return new HypotheticalEstimate(with, with.Plan.Contains(name, StringComparison.Ordinal), bytes);
        }
        finally
        {
            await using var reset = new NpgsqlCommand("SELECT hypopg_reset()", conn);
            await reset.ExecuteNonQueryAsync(CancellationToken.None);
        }
    }
}
