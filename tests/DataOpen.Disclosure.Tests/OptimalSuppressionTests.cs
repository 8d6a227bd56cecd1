using DataOpen.Disclosure.Suppression;
using DataOpen.Disclosure.Synthetic;
using DataOpen.Disclosure.Tables;
using Xunit.Abstractions;

namespace DataOpen.Disclosure.Tests;

/// <summary>Issue 18 item 3: the integer-programming suppression against the exact integer optimum of the same
/// model (same sensitive cells, protection levels and attacker), solved to proven optimality on the committed
/// sample tables.</summary>
public class OptimalSuppressionTests(ITestOutputHelper output)
{
    private static readonly IReadOnlyList<StatTable> Tables = Build();

    private static List<StatTable> Build()
    {
        var sources = SyntheticSample.Generate(SyntheticSampleTests.Rules).ToMicrodata();
        return [.. StatisticsTables.Load(Path.Combine(RepoPaths.Root, StatisticsTables.DefaultPath)).Select(d => TableBuilder.Build(d, sources[d.Source]))];
    }

    private static readonly Lazy<(CellSystem System, PrimaryAssessment[] Primary, SuppressionPattern Exact)> Exact = new(() =>
    {
        var system = CellSystem.Link(Tables);
        var primary = DisclosureControl.AssessPrimary(system, DisclosureParameters.Default);
        var parameters = new DisclosureParameters { TimeLimit = TimeSpan.FromMinutes(20), MaxExactVariables = int.MaxValue };
        return (system, primary, OptimalSuppressor.Suppress(system, primary, parameters, null, null, relativeGap: 0));
    });

    [Fact]
    public void Every_component_of_the_sample_fits_the_default_exact_model()
    {
        var system = CellSystem.Link(Tables);
        var primary = DisclosureControl.AssessPrimary(system, DisclosureParameters.Default);
        var sizes = system.Components()
            .Select(c => (long)c.Length * c.Sum(i => (primary[i].UpperProtection > 0 ? 1 : 0) + (primary[i].LowerProtection > 0 ? 1 : 0)))
            .Where(s => s > 0).OrderDescending().ToList();
        output.WriteLine($"deviation variables per component with sensitive cells: {string.Join(", ", sizes)}");
        // The default solves the committed tables whole (their pattern is optimal), random tables of 512 cells
        // (≈ 56,000 variables, no SCIP solution within a minute) by sub-problems.
        Assert.InRange(sizes[0], 1, DisclosureParameters.Default.MaxExactVariables);
    }

    [Fact]
    public void The_exact_model_is_solved_to_proven_optimality_on_the_sample_tables()
    {
        var (system, primary, exact) = Exact.Value;

        Assert.Equal("mip-exact", exact.Report.Method);
        Assert.False(exact.Report.TimeLimitReached);
        Assert.Equal(system.Components().Count(c => c.Any(i => primary[i].Sensitive)), exact.Report.ExactComponents);
        Assert.Equal(exact.Report.Cost, exact.Report.Bound!.Value, 6);
        Assert.True(Auditor.Audit(system, primary, exact.Suppressed).Passed);
    }

    [Theory]
    [InlineData("default", int.MaxValue)]
    [InlineData("modular", 0)]
    public void Production_suppression_costs_within_10_percent_of_the_exact_optimum_and_below_the_heuristic(string mode, int maxExact)
    {
        var (system, _, exact) = Exact.Value;
        // Sub-problems get 30 s each here: on a loaded machine 1 s may end without a solution (heuristic fallback).
        var parameters = new DisclosureParameters
        {
            MaxExactVariables = maxExact == int.MaxValue ? DisclosureParameters.Default.MaxExactVariables : maxExact,
            SubProblemTimeLimit = TimeSpan.FromSeconds(30),
        };

        var result = DisclosureControl.Protect(Tables, parameters);
        var heuristic = DisclosureControl.Protect(Tables, new DisclosureParameters { Method = SuppressionMethod.Heuristic });

        Assert.True(result.Audit.Passed, string.Join("\n", result.Audit.Problems));
        Assert.StartsWith(mode == "modular" ? "mip-modular" : "mip-exact", result.Pattern.Report.Method, StringComparison.Ordinal);
        output.WriteLine($"{mode}: cost {result.Pattern.Report.Cost:N0} vs exact {exact.Report.Cost:N0} ({result.Pattern.Report.Cost / exact.Report.Cost:F3}×), " +
            $"heuristic {heuristic.Pattern.Report.Cost:N0} ({heuristic.Pattern.Report.Cost / exact.Report.Cost:F3}×); bound {result.Pattern.Report.Bound:N0}, gap {result.Pattern.Report.Gap:P2}");
        Assert.True(result.Pattern.Report.Cost >= exact.Report.Cost * (1 - 1e-9), "cheaper than the proven optimum");
        Assert.True(result.Pattern.Report.Cost <= heuristic.Pattern.Report.Cost * (1 + 1e-9), "dearer than the heuristic");
        // Default: the sample's components are small enough for the exact model, so the pattern is optimal. Modular:
        // the sub-problems and their repair pass come within 10 % too (1.17x before the repair pass).
        Assert.InRange(result.Pattern.Report.Cost, exact.Report.Cost * (1 - 1e-9), exact.Report.Cost * 1.10);
        if (mode == "default")
        {
            Assert.InRange(result.Pattern.Report.Gap!.Value, 0, 0.10);
        }
        for (var t = 0; t < system.Tables.Count; t++)
        {
            var cells = Enumerable.Range(0, system.Count).Where(s => system.Occurrences[s].Any(o => o.Table == t)).ToList();
            var (mine, best, h) = (cells.Sum(s => result.Pattern.Report.CellCost[s]), cells.Sum(s => exact.Report.CellCost[s]), cells.Sum(s => heuristic.Pattern.Report.CellCost[s]));
            output.WriteLine($"  {system.Tables[t].Id}: {mine:N0} vs exact {best:N0}, heuristic {h:N0}");
        }
    }

    [Fact]
    public void Without_time_the_heuristic_protects_and_the_report_says_so()
    {
        var result = DisclosureControl.Protect(Tables, new DisclosureParameters { TimeLimit = TimeSpan.Zero });

        Assert.True(result.Audit.Passed, string.Join("\n", result.Audit.Problems));
        Assert.Equal("heuristic-fallback", result.Pattern.Report.Method);
        Assert.True(result.Pattern.Report.TimeLimitReached);
        Assert.Equal(result.PrimaryCount, result.Pattern.Report.FallbackCells);
        Assert.InRange(result.Pattern.Report.Gap!.Value, 0, 1);
    }

    [Fact]
    public void A_table_may_declare_its_cost_as_the_number_of_cells()
    {
        var definitions = StatisticsTables.Parse("""
            { "tables": [ { "id": "x", "source": "grants", "unit": "enterprise", "contributorKey": "enterprise_id", "cost": "cells",
              "measure": { "kind": "count" }, "dimensions": [ { "name": "year", "field": "year" } ] } ] }
            """);
        var e = Assert.Throws<DisclosureException>(() => StatisticsTables.Parse("""
            { "tables": [ { "id": "x", "source": "grants", "unit": "enterprise", "contributorKey": "enterprise_id", "cost": "money",
              "measure": { "kind": "count" }, "dimensions": [ { "name": "year", "field": "year" } ] } ] }
            """));

        Assert.Equal(SuppressionCost.Count, definitions[0].Cost);
        Assert.Equal("statistics-tables.json: tables[0] ('x'): cost must be 'value' (suppressed value) or 'cells' (number of cells), got 'money'", e.Message);
    }
}
