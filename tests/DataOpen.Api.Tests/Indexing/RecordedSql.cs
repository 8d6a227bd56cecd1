using DataOpen.Api.Rows;
using DataOpen.Api.Tests.Infrastructure;
using Npgsql;

namespace DataOpen.Api.Tests.Indexing;

/// <summary>The SQL the row engine really ran, as kept with its query shape, and its plan as the reader role gets it.</summary>
public static class RecordedSql
{
    /// <summary>EXPLAIN of the recorded sample of a shape of <paramref name="table"/> (by shape key, or the first one of a kind); the SQL, then the plan.</summary>
    public static async Task<(string Sql, string Plan)> ExplainAsync(DataOpenFactory factory, string table, string? shape = null, string? kind = null)
    {
        string sql;
        IReadOnlyList<object> parameters;
        await using (var cmd = factory.Database.Writer.CreateCommand(
            "SELECT sample_sql, sample_params::text FROM indexing.query_shapes WHERE table_name = $1 AND ($2::text IS NULL OR shape = $2) AND ($3::text IS NULL OR kind = $3) AND sample_sql IS NOT NULL LIMIT 1"))
        {
            cmd.Parameters.Add(new() { Value = table });
            cmd.Parameters.Add(new() { Value = (object?)shape ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text });
            cmd.Parameters.Add(new() { Value = (object?)kind ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text });
            await using var r = await cmd.ExecuteReaderAsync();
            Assert.True(await r.ReadAsync(), $"a query of {table} ({shape ?? kind}) was recorded with a sample");
            (sql, parameters) = (r.GetString(0), SampleParameters.FromJson(r.GetString(1)));
        }

        await using var explain = factory.Database.Reader.CreateCommand("EXPLAIN " + sql);
        foreach (var p in parameters)
        {
            explain.Parameters.Add(new NpgsqlParameter { Value = p });
        }

        var lines = new List<string>();
        await using var reader = await explain.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            lines.Add(reader.GetString(0));
        }

        return (sql, string.Join('\n', lines));
    }
}
