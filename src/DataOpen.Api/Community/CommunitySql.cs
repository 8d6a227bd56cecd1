using DataOpen.Api.Infrastructure;
using Npgsql;

namespace DataOpen.Api.Community;

/// <summary>Plain commands on the owner role for the community stores (the reader role cannot read the schema).</summary>
internal static class CommunitySql
{
    public static NpgsqlCommand Command(Database database, string sql, params object?[] values)
    {
        var cmd = database.Writer.CreateCommand(sql);
        AddParameters(cmd, values);
        return cmd;
    }

    public static void AddParameters(NpgsqlCommand cmd, params object?[] values)
    {
        foreach (var v in values)
        {
            cmd.Parameters.Add(v switch
            {
                null => new NpgsqlParameter { Value = DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text },
                string[] a => new NpgsqlParameter { Value = a, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Array | NpgsqlTypes.NpgsqlDbType.Text },
                _ => new NpgsqlParameter { Value = v },
            });
        }
    }

    public static async Task<List<T>> ReadAsync<T>(Database database, string sql, Func<NpgsqlDataReader, T> map, CancellationToken ct, params object?[] values)
    {
        await using var cmd = Command(database, sql, values);
        await using var r = await cmd.ExecuteReaderAsync(ct);
        var list = new List<T>();
        while (await r.ReadAsync(ct))
        {
            list.Add(map(r));
        }

        return list;
    }

    public static string? Str(NpgsqlDataReader r, int i) => r.IsDBNull(i) ? null : r.GetString(i);

    public static DateTimeOffset? Time(NpgsqlDataReader r, int i) => r.IsDBNull(i) ? null : r.GetFieldValue<DateTimeOffset>(i);
}
