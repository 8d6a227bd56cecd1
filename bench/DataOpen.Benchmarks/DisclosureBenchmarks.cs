using System.Globalization;
using DataOpen.Api.Infrastructure;
using DataOpen.Disclosure.Suppression;
using DataOpen.Disclosure.Synthetic;
using DataOpen.Disclosure.Tables;

namespace DataOpen.Benchmarks;

/// <summary>
/// Issue 7's benchmark: suppression + audit time on random 3-dimensional magnitude tables of about 500, 2,000 and
/// 8,000 cells (margins included), with the growth factor per step, and the protection of the committed sample
/// (the 8 configured tables over seeds/restricted) that start-up runs when its inputs change.
/// Run: dotnet run -c Release --project bench/DataOpen.Benchmarks -- disclosure [cells ...]
/// </summary>
public static class DisclosureBenchmarks
{
    public static Task<int> RunAsync(string[] args)
    {
        int[] sizes = args.Length > 0 ? [.. args.Select(a => int.Parse(a, CultureInfo.InvariantCulture))] : [500, 2_000, 8_000];
        Console.WriteLine($"{"cells",7} {"records",8} {"primary",8} {"suppr.",7} {"suppression s",14} {"audit s",9} {"total s",9} {"growth",8} {"per cell",9}  audit");
        DisclosureBenchmarkResult? previous = null;
        var ok = true;
        foreach (var size in sizes)
        {
            var r = DisclosureBenchmark.Run(size);
            var total = (r.Suppression + r.Audit).TotalSeconds;
            var growth = previous is null ? "" : (total / (previous.Suppression + previous.Audit).TotalSeconds).ToString("F1", CultureInfo.InvariantCulture) + "×";
            var cellsGrowth = previous is null ? "" : $" (cells ×{r.Cells / (double)previous.Cells:F1})";
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{r.Cells,7} {r.Records,8} {r.PrimaryCells,8} {r.SuppressedCells,7} {r.Suppression.TotalSeconds,14:F2} {r.Audit.TotalSeconds,9:F2} {total,9:F2} {growth,8} {total / r.Cells * 1000,7:F2}ms  {(r.AuditPassed ? "passed" : "FAILED")}{cellsGrowth}"));
            ok &= r.AuditPassed;
            previous = r;
        }

        var root = RepoPaths.RepositoryRoot ?? Directory.GetCurrentDirectory();
        var rules = PolicyRules.Load(PolicyRules.DatasetFolder(root));
        var definitions = StatisticsTables.Load(Path.Combine(root, StatisticsTables.DefaultPath));
        var sources = SyntheticSample.Generate(rules).ToMicrodata();
        var sample = StatisticsTables.Protect(definitions, sources, DisclosureParameters.Default);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"committed sample: {definitions.Count} tables, {sample.System.Count} distinct cells, {sample.PrimaryCount} sensitive, {sample.SuppressedCount} suppressed; " +
            $"suppression {sample.SuppressionTime.TotalSeconds:F2} s, audit {sample.AuditTime.TotalSeconds:F2} s, {(sample.Audit.Passed ? "passed" : "FAILED")}"));
        ok &= sample.Audit.Passed;
        return Task.FromResult(ok ? 0 : 1);
    }
}
