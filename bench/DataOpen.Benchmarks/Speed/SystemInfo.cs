using System.Globalization;
using System.Runtime.InteropServices;
using Npgsql;

namespace DataOpen.Benchmarks.Speed;

/// <summary>Names the machine a run measured: CPU model and cores (from /proc/cpuinfo), memory, OS, .NET.</summary>
public static class Machine
{
    public static string Describe()
    {
        var model = File.Exists("/proc/cpuinfo")
            ? File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim()
            : null;
        var memory = File.Exists("/proc/meminfo")
            ? File.ReadLines("/proc/meminfo").FirstOrDefault(l => l.StartsWith("MemTotal:", StringComparison.Ordinal))?.Split(':', 2)[1].Trim()
            : null;
        var gb = memory is not null && long.TryParse(memory.Split(' ')[0], CultureInfo.InvariantCulture, out var kb) ? (kb / 1024.0 / 1024.0).ToString("F1", CultureInfo.InvariantCulture) + " GB" : "?";
        return $"{model ?? RuntimeInformation.ProcessArchitecture.ToString()}, {Environment.ProcessorCount} cores, {gb} RAM, {RuntimeInformation.OSDescription}, .NET {Environment.Version}";
    }
}

/// <summary>A table's indexes as PostgreSQL lists them (pg_indexes): the floors and the ingest floor read them from there.</summary>
public static class Indexes
{
    public static async Task<List<(string Name, string Definition)>> OfAsync(NpgsqlDataSource database, string schema, string table)
    {
        await using var cmd = database.CreateCommand("SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = $1 AND tablename = $2 ORDER BY indexname");
        cmd.Parameters.Add(new() { Value = schema });
        cmd.Parameters.Add(new() { Value = table });
        var list = new List<(string, string)>();
        await using var r = await cmd.ExecuteReaderAsync();
        while (await r.ReadAsync())
        {
            list.Add((r.GetString(0), r.GetString(1)));
        }

        return list;
    }
}
