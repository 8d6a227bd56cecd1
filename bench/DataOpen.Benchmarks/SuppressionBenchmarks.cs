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
/// The exact reference is attempted up to <c>--exact-max</c> cells (above, its model has hundreds of millions of
/// deviation variables); the audits (single and joint) run up to <c>--audit-max</c> cells, above it release 2's joint
/// pattern is only timed.
/// Run: dotnet run -c Release --project bench/DataOpen.Benchmarks -- suppression [--exact-seconds 120] [--budget 600] [--audit-max 8000] [--exact-max 2100] [cells ...]
/// </summary>
public static class SuppressionBenchmarks
{
    public static Task<int> RunAsync(string[] args)
    {
        var exactSeconds = 120;
        var budget = 600;
        var auditMax = 8_000;
        var exactMax = 2_100;
        var sizes = new List<int>();
        for (var i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--exact-seconds": exactSeconds = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--budget": budget = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--audit-max": auditMax = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--exact-max": exactMax = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                default: sizes.Add(int.Parse(args[i], CultureInfo.InvariantCulture)); break;
            }
        }
        if (sizes.Count == 0)
        {
            sizes = [512, 2_028, 8_000, 32_000];
        }
        Console.WriteLine($"machine: {Speed.Machine.Describe()}; load average {LoadAverage()}");
        Console.WriteLine($"exact reference: whole-component MIP, gap 0, {exactSeconds} s limit, up to {exactMax} cells; MIP budget {budget} s per run; audit up to {auditMax} cells");
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
            (SuppressionPattern Pattern, double Seconds)? exact = system.Count <= exactMax ? Timed(() => OptimalSuppressor.Exact(system, primary, TimeSpan.FromSeconds(exactSeconds))) : null;
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
            Compare("  ", mip.Report, heuristic.Report.Cost, exact);

            clock.Restart();
            var release1 = DisclosureControl.Protect(first, parameters);
            var release1Time = clock.Elapsed.TotalSeconds;
            var prior = PriorRelease.From("1", release1);
            clock.Restart();
            if (system.Count <= auditMax)
            {
                var release2 = CrossRelease.Protect([second], parameters, [prior]);
                ok &= release1.Audit.Passed && release2.Audit.Passed;
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"  two releases: release 1 {release1Time:F1} s ({release1.Pattern.Report.Method}, audit {(release1.Audit.Passed ? "passed" : "FAILED")}); release 2 suppression {release2.SuppressionTime.TotalSeconds:F1} s ({release2.Pattern.Report.Method}, {release2.Pattern.Report.SubProblems} sub-problems, cost {release2.Pattern.Report.Cost:N0}) + joint audit {release2.AuditTime.TotalSeconds:F1} s: {(release2.Audit.Passed ? "passed" : "FAILED: " + release2.Audit.Problems[0])}"));
                (SuppressionPattern Pattern, double Seconds)? exact2 = system.Count <= exactMax ? Timed(() => CrossRelease.Suppress([second], parameters, [prior], TimeSpan.FromSeconds(exactSeconds))) : null;
                Compare("  release 2 ", release2.Pattern.Report, null, exact2);
            }
            else
            {
                var release2 = CrossRelease.Suppress([second], parameters, [prior]);
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"  two releases: release 1 {release1Time:F1} s ({release1.Pattern.Report.Method}, audit {(release1.Audit.Passed ? "passed" : "FAILED")}); release 2 suppression {clock.Elapsed.TotalSeconds:F1} s ({release2.Report.Method}, {release2.Report.SubProblems} sub-problems, cost {release2.Report.Cost:N0}, bound {release2.Report.Bound:N0}); joint audit not run above {auditMax} cells"));
            }
        }
        return Task.FromResult(ok ? 0 : 1);
    }

    private static (SuppressionPattern Pattern, double Seconds) Timed(Func<SuppressionPattern> run)
    {
        var clock = Stopwatch.StartNew();
        var pattern = run();
        return (pattern, clock.Elapsed.TotalSeconds);
    }

    /// <summary>Cost against the exact reference (or, without one, against the best proven lower bound).</summary>
    private static void Compare(string indent, SuppressionReport mip, double? heuristic, (SuppressionPattern Pattern, double Seconds)? exact)
    {
        if (exact is not { } e)
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{indent}exact: not attempted; mip/heuristic {(heuristic is { } h ? (mip.Cost / h).ToString("F3", CultureInfo.InvariantCulture) : "n/a")}, mip/bound {(mip.Bound is > 0 ? (mip.Cost / mip.Bound.Value).ToString("F3", CultureInfo.InvariantCulture) : "n/a")}"));
            return;
        }
        var r = e.Pattern.Report;
        var proven = !r.TimeLimitReached && r.Method == "mip-exact";
        var bound = Math.Max(r.Bound ?? 0, mip.Bound ?? 0);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{indent}exact: cost {r.Cost:N0}, bound {r.Bound:N0}, {(proven ? "proven optimal" : "NOT proven within the limit")} in {e.Seconds:F1} s; mip/exact {mip.Cost / r.Cost:F3}{(heuristic is { } hc ? $", heuristic/exact {hc / r.Cost:F3}" : "")}, mip/bound {(bound > 0 ? (mip.Cost / bound).ToString("F3", CultureInfo.InvariantCulture) : "n/a")}"));
    }

    private static string LoadAverage() => File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Split(' ')[0] : "?";
}
