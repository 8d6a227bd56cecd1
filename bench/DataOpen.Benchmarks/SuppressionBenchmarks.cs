using System.Diagnostics;
using System.Globalization;
using DataOpen.Disclosure.Suppression;
using DataOpen.Disclosure.Tables;

namespace DataOpen.Benchmarks;

/// <summary>
/// Issue 18 item 4: cost and time of complementary suppression — the integer-programming method (the production
/// default), the LP heuristic and the exact optimum of the same model (whole-component MIP at relative gap 0, within
/// a time limit: when it is not proven, its bound is printed) — on random 3-dimensional magnitude tables of 512,
/// 2,028, 8,000 and 32,000 cells, for a single release and for a second release one period later protected together
/// with the first (<see cref="CrossRelease.Protect"/>, joint audit).
/// Run: dotnet run -c Release --project bench/DataOpen.Benchmarks -- suppression [--exact-seconds 120] [--budget 600] [--audit-max 8000] [cells ...]
/// </summary>
public static class SuppressionBenchmarks
{
    public static Task<int> RunAsync(string[] args)
    {
        var exactSeconds = 120;
        var budget = 600;
        var auditMax = 8_000;
        var sizes = new List<int>();
        for (var i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--exact-seconds": exactSeconds = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--budget": budget = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--audit-max": auditMax = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                default: sizes.Add(int.Parse(args[i], CultureInfo.InvariantCulture)); break;
            }
        }
        if (sizes.Count == 0)
        {
            sizes = [512, 2_028, 8_000, 32_000];
        }
        Console.WriteLine($"machine: {Speed.Machine.Describe()}; load average {LoadAverage()}");
        Console.WriteLine($"exact reference: whole-component MIP, gap 0, {exactSeconds} s limit; MIP budget {budget} s per run; audit up to {auditMax} cells");
        var parameters = new DisclosureParameters { TimeLimit = TimeSpan.FromSeconds(budget) };
        var ok = true;
        (int Cells, double Seconds)? previous = null;
        foreach (var size in sizes)
        {
            var (first, second) = DisclosureBenchmark.RandomReleases(size);
            var system = CellSystem.Link([second]);
            var primary = DisclosureControl.AssessPrimary(system, parameters);
            var clock = Stopwatch.StartNew();
            var heuristic = SecondarySuppressor.Suppress(system, primary, parameters);
            var heuristicTime = clock.Elapsed.TotalSeconds;
            clock.Restart();
            var mip = OptimalSuppressor.Suppress(system, primary, parameters);
            var mipTime = clock.Elapsed.TotalSeconds;
            clock.Restart();
            var exact = OptimalSuppressor.Exact(system, primary, TimeSpan.FromSeconds(exactSeconds));
            var exactTime = clock.Elapsed.TotalSeconds;
            var proven = !exact.Report.TimeLimitReached && exact.Report.Method == "mip-exact";
            // The best proven lower bound on the optimum: the exact run's, or the MIP run's covering bound.
            var bound = Math.Max(exact.Report.Bound ?? 0, mip.Report.Bound ?? 0);
            var best = Math.Min(exact.Report.Cost, mip.Report.Cost);
            var audit = "not run";
            if (system.Count <= auditMax)
            {
                clock.Restart();
                var a = Auditor.Audit(system, primary, mip.Suppressed);
                audit = $"{(a.Passed ? "passed" : "FAILED")} in {clock.Elapsed.TotalSeconds:F1} s";
                ok &= a.Passed && mip.Unprotectable.Count == 0;
            }
            var growth = previous is { } p ? $"; time ×{mipTime / p.Seconds:F1} for cells ×{system.Count / (double)p.Cells:F1}" : "";
            previous = (system.Count, mipTime);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{system.Count} cells, {primary.Count(x => x.Sensitive)} sensitive — single release{growth}"));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  mip ({mip.Report.Method}, {mip.Report.SubProblems} sub-problems, {mip.Report.FallbackCells} fallback cells): cost {mip.Report.Cost:N0} in {mipTime:F1} s; audit {audit}"));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  heuristic: cost {heuristic.Report.Cost:N0} in {heuristicTime:F1} s"));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  exact: cost {exact.Report.Cost:N0}, bound {exact.Report.Bound:N0}, {(proven ? "proven optimal" : "NOT proven within the limit")} in {exactTime:F1} s"));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  ratios: mip/exact {mip.Report.Cost / exact.Report.Cost:F3}, heuristic/exact {heuristic.Report.Cost / exact.Report.Cost:F3}, mip/best-known {mip.Report.Cost / best:F3}, mip/bound {(bound > 0 ? (mip.Report.Cost / bound).ToString("F3", CultureInfo.InvariantCulture) : "n/a")}"));

            clock.Restart();
            var release1 = DisclosureControl.Protect(first, parameters);
            var release1Time = clock.Elapsed.TotalSeconds;
            var prior = PriorRelease.From("1", release1);
            clock.Restart();
            ProtectedTables? release2 = null;
            if (system.Count <= auditMax)
            {
                release2 = CrossRelease.Protect([second], parameters, [prior]);
                ok &= release1.Audit.Passed && release2.Audit.Passed;
            }
            Console.WriteLine(release2 is null
                ? string.Create(CultureInfo.InvariantCulture, $"  two releases: release 1 protected in {release1Time:F1} s (+audit); release 2 with the joint audit not run above {auditMax} cells")
                : string.Create(CultureInfo.InvariantCulture,
                    $"  two releases: release 1 {release1Time:F1} s ({release1.Pattern.Report.Method}, audit {(release1.Audit.Passed ? "passed" : "FAILED")}); release 2 suppression {release2.SuppressionTime.TotalSeconds:F1} s ({release2.Pattern.Report.Method}, cost {release2.Pattern.Report.Cost:N0}, gap ≤ {release2.Pattern.Report.Gap:P1}) + joint audit {release2.AuditTime.TotalSeconds:F1} s: {(release2.Audit.Passed ? "passed" : "FAILED: " + release2.Audit.Problems[0])}"));
        }
        return Task.FromResult(ok ? 0 : 1);
    }

    private static string LoadAverage() => File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Split(' ')[0] : "?";
}
