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
        for (var run = 1; run <= 3; run++)
        {
            await env.PsqlAsync($"DROP TABLE IF EXISTS public.bench_psql; CREATE TABLE public.bench_psql {BenchEnvironment.EquivalentTableSql}");
            psqlTimes.Add(await env.PsqlAsync($"\\copy public.bench_psql FROM '{csv}' WITH (FORMAT csv, HEADER)"));

            var definition = BenchEnvironment.Definition(Path.GetFileName(csv)) with { Identifier = $"bench-ingest-{run}" };
            var sw = Stopwatch.StartNew();
            var result = await publisher.PublishAsync(definition, csv, "bench", null, CancellationToken.None);
            publishTimes.Add(sw.Elapsed.TotalSeconds);
            if (result.Status != PublishStatus.Published || result.Rows != rows)
            {
                throw new InvalidOperationException($"publish run {run}: {result.Status}, {result.Rows} rows");
            }

            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  run {run}: psql \\copy {psqlTimes[^1]:F2} s, publish {publishTimes[^1]:F2} s"));
        }

        var psqlRate = rows / psqlTimes.Min();
        var publishRate = rows / publishTimes.Min();
        Console.WriteLine(BenchEnvironment.Ratio("publish 1M-row CSV (rows/s, best of 3)", publishRate, psqlRate, "rows/s", "≥ 0.8"));

        // Peak memory: a fresh process per size publishing into the same cluster.
        var writer = env.Database.WriterConnectionString!;
        var peak1 = await ChildPeakAsync(writer, 1_000_000, "bench-mem-1m");
        var peak4 = await ChildPeakAsync(writer, 4_000_000, "bench-mem-4m");
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{"peak RSS of a publish: 1M rows",-48} {peak1 / 1e6,12:F1} MB\n{"peak RSS of a publish: 4M rows",-48} {peak4 / 1e6,12:F1} MB  ratio {(double)peak4 / peak1,6:F2}  (goal ≤ 1.2)"));
        return 0;
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
