using DataOpen.Disclosure.Tables;
using Google.OrTools.LinearSolver;

namespace DataOpen.Disclosure.Suppression;

/// <summary>
/// Complementary (secondary) cell suppression by the LP-based heuristic of Kelly, Golden and Assad (1992)
/// in the form Fischetti and Salazar (2000) use to seed their exact branch-and-cut: for each sensitive cell p
/// and each direction, one LP finds the cheapest "attacker deviation" y — a change of the table that keeps every
/// relation and non-negativity and moves p by its full protection level — where deviating an already
/// suppressed cell is free and any other cell costs its weight per unit. Every cell the deviation touches is
/// suppressed. Then a + y is a table consistent with everything published, so the attacker's interval for p
/// provably reaches a_p + upper and a_p − lower; later suppressions only widen it.
/// Why this and not the exact MIP: the exact model needs one set of capacity cuts per sensitive cell and
/// direction inside a branch-and-cut; through OR-Tools' MPSolver (no cut callbacks) it means re-solving a MIP
/// per round, which at 8,000 cells and hundreds of sensitive cells does not finish in a minute. The heuristic
/// solves warm-started LPs only (GLOP), is exact about protection (checked independently by
/// <see cref="Auditor"/>), and is near-optimal in practice. Tables are split into independent connected
/// components first; linked tables are one component when they share cells.
/// </summary>
public static class SecondarySuppressor
{
    /// <param name="primary">Assessment per system cell; sensitive cells are suppressed and protected.</param>
    /// <returns>Suppressed flag per system cell (primary and complementary) and the cells that could not be protected.</returns>
    public static SuppressionPattern Suppress(CellSystem system, IReadOnlyList<PrimaryAssessment> primary, DisclosureParameters parameters)
    {
        var suppressed = new bool[system.Count];
        var unprotectable = new List<int>();
        for (var i = 0; i < system.Count; i++)
        {
            suppressed[i] = primary[i].Sensitive;
        }
        var weights = Weights(system, parameters);
        var relationsByCell = RelationsByCell(system);
        foreach (var component in system.Components())
        {
            if (!component.Any(c => primary[c].Sensitive))
            {
                continue;
            }
            ProtectComponent(system, component, primary, weights, relationsByCell, suppressed, unprotectable);
        }
        return new SuppressionPattern(suppressed, unprotectable);
    }

    private static void ProtectComponent(CellSystem system, int[] component, IReadOnlyList<PrimaryAssessment> primary, double[] weights,
        List<int>[] relationsByCell, bool[] suppressed, List<int> unprotectable)
    {
        using var solver = Solver.CreateSolver("GLOP")
            ?? throw new InvalidOperationException("the GLOP LP solver is not available in this OR-Tools build");
        var local = new Dictionary<int, int>(component.Length);
        for (var i = 0; i < component.Length; i++)
        {
            local[component[i]] = i;
        }
        var up = new Variable[component.Length];
        var down = new Variable[component.Length];
        var objective = solver.Objective();
        objective.SetMinimization();
        for (var i = 0; i < component.Length; i++)
        {
            var cell = component[i];
            // Deviation up is unbounded (the attacker knows no upper bound); down is limited by non-negativity.
            up[i] = solver.MakeNumVar(0, double.PositiveInfinity, "u" + i);
            down[i] = solver.MakeNumVar(0, system.Values[cell], "d" + i);
            var cost = suppressed[cell] ? 0 : weights[cell];
            objective.SetCoefficient(up[i], cost);
            objective.SetCoefficient(down[i], cost);
        }
        var done = new HashSet<int>();
        foreach (var cell in component)
        {
            foreach (var r in relationsByCell[cell])
            {
                if (!done.Add(r))
                {
                    continue;
                }
                var relation = system.Relations[r];
                // a + y must still satisfy the relation: Σ c·y (= 0 | ≤ slack), slack = −Σ c·a ≥ 0.
                var slack = 0.0;
                for (var k = 0; k < relation.Cells.Count; k++)
                {
                    slack -= relation.Coefficients[k] * system.Values[relation.Cells[k]];
                }
                var constraint = relation.Sense == RelationSense.Equal
                    ? solver.MakeConstraint(0, 0, "r" + r)
                    : solver.MakeConstraint(double.NegativeInfinity, Math.Max(0, slack), "r" + r);
                for (var k = 0; k < relation.Cells.Count; k++)
                {
                    var j = local[relation.Cells[k]];
                    constraint.SetCoefficient(up[j], relation.Coefficients[k]);
                    constraint.SetCoefficient(down[j], -relation.Coefficients[k]);
                }
            }
        }

        // Larger protection levels first: their deviations tend to cover the smaller cells' needs too.
        var order = component.Where(c => primary[c].Sensitive)
            .OrderByDescending(c => Math.Max(primary[c].UpperProtection, primary[c].LowerProtection)).ThenBy(c => c).ToArray();
        foreach (var p in order)
        {
            var i = local[p];
            var ok = true;
            if (primary[p].UpperProtection > 0)
            {
                ok &= SolveDirection(solver, up, down, i, primary[p].UpperProtection, isUp: true, component, suppressed);
            }
            if (primary[p].LowerProtection > 0)
            {
                ok &= SolveDirection(solver, up, down, i, primary[p].LowerProtection, isUp: false, component, suppressed);
            }
            if (!ok)
            {
                unprotectable.Add(p);
            }
        }
    }

    private static bool SolveDirection(Solver solver, Variable[] up, Variable[] down, int i, double level, bool isUp, int[] component,
        bool[] suppressed)
    {
        var (fixedVar, otherVar) = isUp ? (up[i], down[i]) : (down[i], up[i]);
        var (fixedLb, fixedUb) = (fixedVar.Lb(), fixedVar.Ub());
        var (otherLb, otherUb) = (otherVar.Lb(), otherVar.Ub());
        fixedVar.SetBounds(level, level);
        otherVar.SetBounds(0, 0);
        var status = solver.Solve();
        var ok = status == Solver.ResultStatus.OPTIMAL;
        if (ok)
        {
            // Read the whole solution before touching the model: any change invalidates it.
            var threshold = 1e-7 * Math.Max(1, level);
            var touched = new List<int>();
            for (var k = 0; k < component.Length; k++)
            {
                if (!suppressed[component[k]] && (up[k].SolutionValue() > threshold || down[k].SolutionValue() > threshold))
                {
                    touched.Add(k);
                }
            }
            var objective = solver.Objective();
            foreach (var k in touched)
            {
                suppressed[component[k]] = true;
                objective.SetCoefficient(up[k], 0);
                objective.SetCoefficient(down[k], 0);
            }
        }
        fixedVar.SetBounds(fixedLb, fixedUb);
        otherVar.SetBounds(otherLb, otherUb);
        return ok;
    }

    private static double[] Weights(CellSystem system, DisclosureParameters parameters)
    {
        var weights = new double[system.Count];
        for (var s = 0; s < system.Count; s++)
        {
            var (t, c) = system.Occurrences[s][0];
            var table = system.Tables[t];
            var totals = 0;
            for (var d = 0; d < table.Categories.Count; d++)
            {
                if (table.IsTotalPosition(c, d))
                {
                    totals++;
                }
            }
            // +1 so empty cells are not free; totals cost more in count mode because users read them most.
            weights[s] = parameters.Cost == SuppressionCost.Value ? system.Values[s] + 1 : 1 + 0.5 * totals;
        }
        return weights;
    }

    internal static List<int>[] RelationsByCell(CellSystem system)
    {
        var byCell = new List<int>[system.Count];
        for (var i = 0; i < byCell.Length; i++)
        {
            byCell[i] = [];
        }
        for (var r = 0; r < system.Relations.Count; r++)
        {
            foreach (var c in system.Relations[r].Cells)
            {
                byCell[c].Add(r);
            }
        }
        return byCell;
    }
}

/// <param name="Suppressed">Per system cell: not published (primary or complementary).</param>
/// <param name="Unprotectable">Sensitive cells for which no protecting pattern exists; the audit fails on them.</param>
public sealed record SuppressionPattern(IReadOnlyList<bool> Suppressed, IReadOnlyList<int> Unprotectable);
