using System.Diagnostics;
using System.Globalization;
using DataOpen.Api.Catalog;
using DataOpen.Api.Infrastructure;
using DataOpen.Api.Publishing;
using DataOpen.Benchmarks.Harness;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace DataOpen.Benchmarks;

/// <summary>
/// Issue 2's benchmark: publishing the 1,000,000-row CSV (parse, type check, binary COPY, primary key,
/// ANALYZE, catalog registration, all in one transaction) against psql \copy of the same file into an
/// equivalent table on the same cluster in the same run; and the peak memory of a publish at 1M vs 4M
/// rows, each measured in a fresh child process (VmHWM), so one run's heap does not colour the other.
/// </summary>
public static class IngestBenchmarks
{
    public static async Task<int> RunAsync(string[] args)
    {
        var rows = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 1_000_000;
        await using var env = await BenchEnvironment.StartAsync(rows: 0);
        var csv = BenchEnvironment.EnsureCsv(rows);
        Console.WriteLine($"CSV: {csv} ({new FileInfo(csv).Length / 1e6:F1} MB, {rows:N0} rows)");

        var publisher = env.Services.GetRequiredService<DatasetPublisher>();
        var psqlTimes = new List<double>();
        var publishTimes = new List<double>();
        var indexCount = 0;
        for (var run = 1; run <= 3; run++)
        {
            var definition = BenchEnvironment.Definition(Path.GetFileName(csv)) with { Identifier = $"bench-ingest-{run}" };
            var sw = Stopwatch.StartNew();
            var result = await publisher.PublishAsync(definition, csv, "bench", null, CancellationToken.None);
            publishTimes.Add(sw.Elapsed.TotalSeconds);
            if (result.Status != PublishStatus.Published || result.Rows != rows)
            {
                throw new InvalidOperationException($"publish run {run}: {result.Status}, {result.Rows} rows");
            }

            // The floor does the same work by hand: psql \copy of the same file, then the primary key, every index the
            // publish built (its index plan and declared key, read back from pg_index) and ANALYZE.
            var indexes = await IndexesOfAsync(env, definition.Identifier);
            indexCount = indexes.Count;
            await env.PsqlAsync($"DROP TABLE IF EXISTS public.bench_psql; CREATE TABLE public.bench_psql {BenchEnvironment.EquivalentTableSql.TrimEnd(')')}, _row_id bigint GENERATED ALWAYS AS IDENTITY)");
            var copy = await env.PsqlAsync($"\\copy public.bench_psql (id, station, observed_at, pm25, reading, valid, day, category) FROM '{csv}' WITH (FORMAT csv, HEADER)");
            var build = await env.PsqlAsync("ALTER TABLE public.bench_psql ADD PRIMARY KEY (_row_id); " + string.Concat(indexes.Select(i => i + "; ")) + "ANALYZE public.bench_psql;");
            psqlTimes.Add(copy + build);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  run {run}: psql \\copy {copy:F2} s + primary key, {indexes.Count} index(es), ANALYZE {build:F2} s = {copy + build:F2} s; publish {publishTimes[^1]:F2} s"));
        }

        var psqlRate = rows / psqlTimes.Min();
        var publishRate = rows / publishTimes.Min();
        Console.WriteLine(BenchEnvironment.Ratio($"publish {rows:N0}-row CSV with {indexCount} index(es) (rows/s, best of 3)", publishRate, psqlRate, "rows/s", "≥ 0.8"));

        // Peak memory: a fresh process per size publishing into the same cluster.
        var writer = env.Database.WriterConnectionString!;
        var peak1 = await ChildPeakAsync(writer, 1_000_000, "bench-mem-1m");
        var peak4 = await ChildPeakAsync(writer, 4_000_000, "bench-mem-4m");
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{"peak RSS of a publish: 1M rows",-48} {peak1 / 1e6,12:F1} MB\n{"peak RSS of a publish: 4M rows",-48} {peak4 / 1e6,12:F1} MB  ratio {(double)peak4 / peak1,6:F2}  (goal ≤ 1.2)"));
        return 0;
    }

    /// <summary>
    /// The CREATE INDEX statements of every index (but the primary key) of the current version of <paramref name="identifier"/>,
    /// rewritten onto <c>public.bench_psql</c>.
    /// </summary>
    private static async Task<List<string>> IndexesOfAsync(BenchEnvironment env, string identifier)
    {
        await using var cmd = env.Database.Writer.CreateCommand(
            """
            SELECT pg_get_indexdef(i.indexrelid), c.relname FROM catalog.versions v JOIN catalog.datasets d ON d.id = v.dataset_id
            JOIN pg_class c ON c.relname = v.table_name AND c.relnamespace = 'data'::regnamespace
            JOIN pg_index i ON i.indrelid = c.oid AND NOT i.indisprimary
            WHERE d.identifier = $1 AND v.version = d.current_version ORDER BY i.indexrelid
            """);
        cmd.Parameters.Add(new() { Value = identifier });
        var result = new List<string>();
        await using var r = await cmd.ExecuteReaderAsync();
        while (await r.ReadAsync())
        {
            var definition = r.GetString(0);
            var table = r.GetString(1);
            var on = definition.IndexOf(" ON ", StringComparison.Ordinal);
            var unique = definition.StartsWith("CREATE UNIQUE", StringComparison.Ordinal) ? "UNIQUE " : "";
            var rest = definition[(on + 4)..].Replace($"data.{table} ", "public.bench_psql ", StringComparison.Ordinal);
            result.Add($"CREATE {unique}INDEX bench_psql_i{result.Count} ON {rest}");
        }

        return result;
    }

    /// <summary>Child mode: publish <c>bench-{rows}.csv</c> into the given server, print the peak RSS in bytes.</summary>
    public static async Task<int> ChildAsync(string[] args)
    {
        var (connection, rows, identifier) = (args[0], int.Parse(args[1], CultureInfo.InvariantCulture), args[2]);
        var csv = BenchEnvironment.EnsureCsv(rows);
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection([new("ConnectionStrings:DataOpen", connection)]);
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.Services.AddDataOpenInfrastructure().AddCatalog().AddPublishing();
        using var host = builder.Build();
        var database = host.Services.GetRequiredService<Database>();
        await using (database)
        {
            await DatabaseStartup.OpenAsync(database, builder.Configuration, host.Services.GetRequiredService<IOptions<DataOpenOptions>>().Value,
                host.Services.GetRequiredService<ILogger<Database>>(), CancellationToken.None);
            await host.Services.GetRequiredService<CatalogStore>().ReloadAsync(CancellationToken.None);
            var before = BenchEnvironment.PeakRss();
            var definition = BenchEnvironment.Definition(Path.GetFileName(csv)) with { Identifier = identifier };
            var result = await host.Services.GetRequiredService<DatasetPublisher>().PublishAsync(definition, csv, "bench", null, CancellationToken.None);
            Console.Error.WriteLine($"{identifier}: {result.Status} {result.Rows} rows; peak RSS before publish {before}");
        }

        Console.WriteLine(BenchEnvironment.PeakRss().ToString(CultureInfo.InvariantCulture));
        return 0;
    }

    private static async Task<long> ChildPeakAsync(string connection, int rows, string identifier)
    {
        BenchEnvironment.EnsureCsv(rows);
        var output = await BenchMain.RunSelfAsync(["ingest-child", connection, rows.ToString(CultureInfo.InvariantCulture), identifier]);
        return long.Parse(output.Trim().Split('\n')[^1], CultureInfo.InvariantCulture);
    }
}
