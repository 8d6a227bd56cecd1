using System.Diagnostics;
using System.Globalization;
using DataOpen.Disclosure.Suppression;

namespace DataOpen.Benchmarks;

/// <summary>
/// Issue 18 item 4: cost and time of complementary suppression — the integer-programming method (the production
/// default), the LP heuristic and the exact optimum of the same model (whole-component MIP at relative gap 0, within
/// a time limit: when it is not proven, its bound and the gap are printed) — on random 3-dimensional magnitude tables of
/// 512, 2,028, 8,000 and 32,000 cells, for a single release and for a second release one period later protected
/// together with the first (<see cref="CrossRelease.Protect"/>, joint audit).
/// The exact reference is attempted up to <c>--exact-max</c> cells (above, its model has hundreds of millions of
/// deviation variables; the gap is then against the proven lower bound of the production run).
/// Run: dotnet run -c Release --project bench/DataOpen.Benchmarks -- suppression [--exact-seconds 60] [--budget 60] [--exact-max 2100] [cells ...]
/// </summary>
public static class SuppressionBenchmarks
{
    private sealed record Row(int Cells, double Mip, double Heuristic, double Audit, double Release2, double JointAudit);

    public static Task<int> RunAsync(string[] args)
    {
        var exactSeconds = 60;
        var budget = 60;
        var exactMax = 2_100;
        var sizes = new List<int>();
        for (var i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--exact-seconds": exactSeconds = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--budget": budget = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--exact-max": exactMax = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                default: sizes.Add(int.Parse(args[i], CultureInfo.InvariantCulture)); break;
            }
        }
        if (sizes.Count == 0)
        {
            sizes = [512, 2_028, 8_000, 32_000];
        }
        var total = Stopwatch.StartNew();
        Console.WriteLine($"machine: {Speed.Machine.Describe()}; load average {LoadAverage()}");
        Console.WriteLine($"exact reference: whole-component MIP, gap 0, {exactSeconds} s limit, up to {exactMax} cells; MIP budget {budget} s per run (sub-problems {DisclosureParameters.Default.SubProblemTimeLimit.TotalSeconds:F0} s each)");
        var parameters = new DisclosureParameters { TimeLimit = TimeSpan.FromSeconds(budget) };
        var ok = true;
        var rows = new List<Row>();
        foreach (var size in sizes)
        {
            var (first, second) = DisclosureBenchmark.RandomReleases(size);
            var system = CellSystem.Link([second]);
            var primary = DisclosureControl.AssessPrimary(system, parameters);
            var (heuristic, heuristicTime) = Timed(() => SecondarySuppressor.Suppress(system, primary, parameters));
            var (mip, mipTime) = Timed(() => OptimalSuppressor.Suppress(system, primary, parameters));
            (SuppressionPattern Pattern, double Seconds)? exact = system.Count <= exactMax ? Timed(() => OptimalSuppressor.Exact(system, primary, TimeSpan.FromSeconds(exactSeconds))) : null;
            var (audit, auditTime) = Timed(() => Auditor.Audit(system, primary, mip.Suppressed));
            ok &= audit.Passed && mip.Unprotectable.Count == 0;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{system.Count} cells, {primary.Count(x => x.Sensitive)} sensitive — single release (load {LoadAverage()})"));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  mip ({mip.Report.Method}, {mip.Report.SubProblems} sub-problems, {mip.Report.FallbackCells} fallback cells{(mip.Report.TimeLimitReached ? ", time limit reached" : "")}): cost {mip.Report.Cost:N0} in {mipTime:F1} s; audit {(audit.Passed ? "passed" : "FAILED: " + audit.Problems[0])} in {auditTime:F1} s ({audit.Cells.Count} withheld cells)"));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  heuristic: cost {heuristic.Report.Cost:N0} in {heuristicTime:F1} s"));
            Compare("  ", mip.Report, heuristic.Report.Cost, exact);

            var (release1, release1Time) = Timed(() => DisclosureControl.Protect(first, parameters));
            var prior = PriorRelease.From("1", release1);
            var release2 = CrossRelease.Protect([second], parameters, [prior]);
            ok &= release1.Audit.Passed && release2.Audit.Passed;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  two releases: release 1 {release1Time:F1} s ({release1.Pattern.Report.Method}, audit {(release1.Audit.Passed ? "passed" : "FAILED")} in {release1.AuditTime.TotalSeconds:F1} s); release 2 suppression {release2.SuppressionTime.TotalSeconds:F1} s ({release2.Pattern.Report.Method}, {release2.Pattern.Report.SubProblems} sub-problems, {release2.Pattern.Report.FallbackCells} fallback cells, cost {release2.Pattern.Report.Cost:N0}) + joint audit {release2.AuditTime.TotalSeconds:F1} s: {(release2.Audit.Passed ? "passed" : "FAILED: " + release2.Audit.Problems[0])}"));
            (SuppressionPattern Pattern, double Seconds)? exact2 = system.Count <= exactMax ? Timed(() => CrossRelease.Suppress([second], parameters, [prior], TimeSpan.FromSeconds(exactSeconds))) : null;
            Compare("  release 2 ", release2.Pattern.Report, null, exact2);
            rows.Add(new Row(system.Count, mipTime, heuristicTime, auditTime, release2.SuppressionTime.TotalSeconds, release2.AuditTime.TotalSeconds));
        }
        Console.WriteLine("time per 1,000 cells (s) — near-linear growth keeps each column flat:");
        Console.WriteLine("  cells | mip | heuristic | audit | release 2 suppression | joint audit");
        foreach (var r in rows)
        {
            var k = r.Cells / 1000.0;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  {r.Cells} | {r.Mip / k:F2} | {r.Heuristic / k:F2} | {r.Audit / k:F2} | {r.Release2 / k:F2} | {r.JointAudit / k:F2}"));
        }
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"whole run {total.Elapsed.TotalMinutes:F1} min; load average at the end {LoadAverage()}"));
        return Task.FromResult(ok ? 0 : 1);
    }

    private static (T Result, double Seconds) Timed<T>(Func<T> run)
    {
        var clock = Stopwatch.StartNew();
        var result = run();
        return (result, clock.Elapsed.TotalSeconds);
    }

    /// <summary>Cost against the exact reference (or, without one, against the best proven lower bound).</summary>
    private static void Compare(string indent, SuppressionReport mip, double? heuristic, (SuppressionPattern Pattern, double Seconds)? exact)
    {
        var bound = Math.Max(exact?.Pattern.Report.Bound ?? 0, mip.Bound ?? 0);
        var gap = bound > 0 ? $"bound {bound:N0}, mip/bound {(mip.Cost / bound).ToString("F3", CultureInfo.InvariantCulture)} (gap ≤ {Math.Max(0, (mip.Cost - bound) / mip.Cost):P1})" : "no bound";
        if (exact is not { } e)
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{indent}exact: not attempted; {gap}{(heuristic is { } h ? $", mip/heuristic {mip.Cost / h:F3}" : "")}"));
            return;
        }
        var r = e.Pattern.Report;
        var proven = !r.TimeLimitReached && r.Method == "mip-exact";
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{indent}exact: {(proven ? "proven optimal" : "NOT proven within the limit, best")} {r.Cost:N0} ({r.Method}) in {e.Seconds:F1} s; mip/exact {mip.Cost / r.Cost:F3}{(heuristic is { } hc ? $", heuristic/exact {hc / r.Cost:F3}" : "")}; {gap}"));
    }

    private static string LoadAverage() => File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Split(' ')[0] : "?";
}
