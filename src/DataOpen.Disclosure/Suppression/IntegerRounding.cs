using Google.OrTools.LinearSolver;

namespace DataOpen.Disclosure.Suppression;

/// <summary>
/// The cheap first try of the audit's integer step: round a fractional LP optimum to an integer table. Every cell the
/// LP left integral keeps its value, every fractional integer cell may take the integer just below or just above its
/// LP value, and a small integer program (variables only for the fractional cells, constraints only for their
/// relations) asks whether such a rounding satisfies every relation. Fractional vertices of table LPs move few cells by
/// fractions (a cycle of halves, say), so the program is tiny. A rounding found is an integer table the attacker cannot
/// rule out; none found says nothing (the caller solves the integer program over the whole model).
/// </summary>
internal static class IntegerRounding
{
    /// <summary>The value of <paramref name="cells"/>[<paramref name="i"/>] in an integer rounding of
    /// <paramref name="solution"/> (the LP's values of <paramref name="cells"/>; every other cell at its true value)
    /// that is at most (<paramref name="minimise"/>) or at least <paramref name="target"/>; null when none was found.</summary>
    public static double? Round(CellSystem system, int[] cells, List<int>[] relationsByCell, bool[] integer, double[] solution, int i,
        double target, bool minimise, TimeSpan limit)
    {
        var value = new Dictionary<int, double>(cells.Length);
        var fractional = new List<int>();
        for (var k = 0; k < cells.Length; k++)
        {
            var x = solution[k];
            var whole = Math.Round(x);
            if (!integer[cells[k]])
            {
                value[cells[k]] = x;
            }
            else if (Math.Abs(x - whole) <= 1e-6 * Math.Max(1, Math.Abs(x)))
            {
                value[cells[k]] = whole;
            }
            else
            {
                fractional.Add(k);
            }
        }
        if (value.TryGetValue(cells[i], out var own) && (minimise ? own > target : own < target))
        {
            return null;
        }
        using var solver = Solver.CreateSolver("SCIP") ?? throw new InvalidOperationException("the SCIP MIP solver is not available in this OR-Tools build");
        solver.SetTimeLimit((long)limit.TotalMilliseconds);
        var y = new Dictionary<int, Variable>(fractional.Count);
        foreach (var k in fractional)
        {
            var (lower, upper) = (Math.Floor(solution[k]), Math.Ceiling(solution[k]));
            if (k == i)
            {
                (lower, upper) = minimise ? (lower, Math.Min(upper, Math.Floor(target))) : (Math.Max(lower, Math.Ceiling(target)), upper);
                if (lower > upper)
                {
                    return null;
                }
            }
            var v = solver.MakeIntVar(Math.Max(0, lower), upper, "y" + cells[k]);
            y[cells[k]] = v;
        }
        var done = new HashSet<int>();
        foreach (var cell in y.Keys)
        {
            foreach (var r in relationsByCell[cell])
            {
                if (!done.Add(r))
                {
                    continue;
                }
                var relation = system.Relations[r];
                var rhs = 0.0;
                var terms = new List<(Variable, double)>();
                for (var k = 0; k < relation.Cells.Count; k++)
                {
                    var c = relation.Cells[k];
                    if (y.TryGetValue(c, out var v))
                    {
                        terms.Add((v, relation.Coefficients[k]));
                    }
                    else
                    {
                        rhs -= relation.Coefficients[k] * (value.TryGetValue(c, out var known) ? known : system.Values[c]);
                    }
                }
                var constraint = relation.Sense == Tables.RelationSense.Equal
                    ? solver.MakeConstraint(rhs, rhs)
                    : solver.MakeConstraint(double.NegativeInfinity, rhs);
                foreach (var (v, a) in terms)
                {
                    constraint.SetCoefficient(v, constraint.GetCoefficient(v) + a);
                }
            }
        }
        var status = solver.Solve();
        if (status is not (Solver.ResultStatus.OPTIMAL or Solver.ResultStatus.FEASIBLE))
        {
            return null;
        }
        foreach (var (cell, v) in y)
        {
            value[cell] = Math.Round(v.SolutionValue());
        }
        // The rounded table is checked here, in whole numbers, not taken on the solvers' tolerances: every relation
        // of a cell of the model.
        foreach (var r in cells.SelectMany(c => relationsByCell[c]).Distinct())
        {
            var relation = system.Relations[r];
            var sum = 0.0;
            var scale = 1.0;
            for (var k = 0; k < relation.Cells.Count; k++)
            {
                var c = relation.Cells[k];
                var x = value.TryGetValue(c, out var known) ? known : system.Values[c];
                sum += relation.Coefficients[k] * x;
                scale = Math.Max(scale, Math.Abs(relation.Coefficients[k] * x));
            }
            if (relation.Sense == Tables.RelationSense.Equal ? Math.Abs(sum) > 1e-9 * scale : sum > 1e-9 * scale)
            {
                return null;
            }
        }
        return value[cells[i]];
    }
}
