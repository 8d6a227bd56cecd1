using DataOpen.Disclosure.Tables;
using Google.OrTools.LinearSolver;

namespace DataOpen.Disclosure.Suppression;

/// <summary>One requirement of the integer program: sensitive cell <paramref name="Cell"/> must be movable by
/// <paramref name="Level"/> upwards (<paramref name="Up"/>) or downwards in some table consistent with everything
/// published.</summary>
internal readonly record struct ProtectionTarget(int Cell, double Level, bool Up);

/// <param name="Chosen">Cells the solution suppresses that were not suppressed before.</param>
/// <param name="Optimal">Solved to optimality (within the requested relative gap); false when the time limit
/// stopped the search at a feasible solution.</param>
/// <param name="Bound">The solver's proven lower bound on the objective of this model.</param>
/// <param name="Supports">Per requirement (in the order given), the cells its deviation moves: the pattern protects the
/// requirement as long as these stay suppressed.</param>
internal sealed record MipResult(List<int> Chosen, bool Optimal, double Objective, double Bound, IReadOnlyList<int[]> Supports);

/// <summary>
/// The cell suppression problem as a mixed-integer program (Fischetti &amp; Salazar's model with one explicit
/// attacker deviation per requirement instead of capacity cuts), solved by SCIP through OR-Tools' MPSolver:
/// <list type="bullet">
/// <item>x_i ∈ {0,1} per cell that may still be suppressed, cost w_i (cells already suppressed are free, cells
/// the attacker knows from a published version cannot move);</item>
/// <item>per requirement (p, level L, direction) a deviation e (in units of L): e_p = ±1, every table relation
/// holds for a + L·e (equalities Σ c·e = 0, inequalities Σ c·e ≤ slack / L), non-negativity
/// a_i + L·e_i ≥ 0, and e_i ≠ 0 only where x_i = 1: −min(a_i / L, K)·x_i ≤ e_i ≤ K·x_i;</item>
/// <item>minimise Σ w_i x_i.</item>
/// </list>
/// A feasible x is a pattern under which every requirement's deviation is a table the attacker cannot rule out, so
/// each sensitive cell's interval reaches a_p ± L (the LP audit then checks it independently). K =
/// <see cref="DeviationFactor"/> bounds each cell's move to K·L: for 1- and 2-dimensional tables (totally
/// unimodular relations) that loses nothing — every minimal deviation moves each cell by at most L; for 3-dimensional
/// tables it excludes deviations that move some cell by more than twice the protection level.
/// </summary>
internal static class SuppressionMip
{
    public const double DeviationFactor = 2;

    /// <summary>Deviation variables of the model over <paramref name="cells"/> cells and <paramref name="targets"/> requirements.</summary>
    public static long Size(int cells, int targets) => (long)cells * targets;

    /// <summary>Solves the model over <paramref name="cells"/> (cells outside keep their value: the attacker knows
    /// them) and returns the cheapest pattern, or null when there is none within the cells or no solution was
    /// found within <paramref name="limit"/>.</summary>
    public static MipResult? Solve(SecondarySuppressor.Context context, IReadOnlyList<int> cells, IReadOnlyList<ProtectionTarget> targets,
        TimeSpan limit, double relativeGap, IReadOnlySet<int>? hint = null)
    {
        using var solver = Solver.CreateSolver("SCIP")
            ?? throw new InvalidOperationException("the SCIP MIP solver is not available in this OR-Tools build");
        solver.SetTimeLimit(Math.Max(1, (long)limit.TotalMilliseconds));
        var system = context.System;
        var local = new Dictionary<int, int>(cells.Count);
        for (var i = 0; i < cells.Count; i++)
        {
            local[cells[i]] = i;
        }
        var x = new Variable?[cells.Count];
        var movable = new bool[cells.Count];
        var objective = solver.Objective();
        objective.SetMinimization();
        for (var i = 0; i < cells.Count; i++)
        {
            var cell = cells[i];
            movable[i] = !context.Known(cell);
            if (movable[i] && !context.Suppressed[cell])
            {
                x[i] = solver.MakeBoolVar("");
                objective.SetCoefficient(x[i], context.Weights[cell]);
            }
        }
        var relations = new SortedSet<int>();
        foreach (var cell in cells)
        {
            relations.UnionWith(context.RelationsByCell[cell]);
        }
        var deviations = new List<Variable?[]>(targets.Count);
        foreach (var target in targets)
        {
            if (!local.TryGetValue(target.Cell, out var pi) || !movable[pi])
            {
                return null;
            }
            var level = target.Level;
            var e = new Variable?[cells.Count];
            deviations.Add(e);
            for (var i = 0; i < cells.Count; i++)
            {
                if (!movable[i])
                {
                    continue;
                }
                if (i == pi)
                {
                    var v = target.Up ? 1.0 : -1.0;
                    e[i] = solver.MakeNumVar(v, v, "");
                    continue;
                }
                var down = Math.Min(system.Values[cells[i]] / level, DeviationFactor);
                e[i] = solver.MakeNumVar(-down, DeviationFactor, "");
                if (x[i] is { } xi)
                {
                    var up = solver.MakeConstraint(double.NegativeInfinity, 0, "");
                    up.SetCoefficient(e[i], 1);
                    up.SetCoefficient(xi, -DeviationFactor);
                    if (down > 0)
                    {
                        var lo = solver.MakeConstraint(double.NegativeInfinity, 0, "");
                        lo.SetCoefficient(e[i], -1);
                        lo.SetCoefficient(xi, -down);
                    }
                }
            }
            foreach (var r in relations)
            {
                var relation = system.Relations[r];
                var slack = 0.0;
                var any = false;
                for (var k = 0; k < relation.Cells.Count; k++)
                {
                    slack -= relation.Coefficients[k] * system.Values[relation.Cells[k]];
                    any |= local.TryGetValue(relation.Cells[k], out var j) && e[j] is not null;
                }
                if (!any)
                {
                    continue;
                }
                var constraint = relation.Sense == RelationSense.Equal
                    ? solver.MakeConstraint(0, 0, "")
                    : solver.MakeConstraint(double.NegativeInfinity, Math.Max(0, slack) / level, "");
                for (var k = 0; k < relation.Cells.Count; k++)
                {
                    if (local.TryGetValue(relation.Cells[k], out var j) && e[j] is { } ej)
                    {
                        constraint.SetCoefficient(ej, constraint.GetCoefficient(ej) + relation.Coefficients[k]);
                    }
                }
            }
        }
        if (hint is not null)
        {
            // A known pattern (the heuristic's) as the first incumbent: the search starts no worse than it.
            var vars = new List<Variable>();
            var values = new List<double>();
            for (var i = 0; i < cells.Count; i++)
            {
                if (x[i] is { } xi)
                {
                    vars.Add(xi);
                    values.Add(hint.Contains(cells[i]) ? 1 : 0);
                }
            }
            solver.SetHint([.. vars], [.. values]);
        }
        using var parameters = new MPSolverParameters();
        parameters.SetDoubleParam(MPSolverParameters.DoubleParam.RELATIVE_MIP_GAP, relativeGap);
        var status = solver.Solve(parameters);
        if (status is not (Solver.ResultStatus.OPTIMAL or Solver.ResultStatus.FEASIBLE))
        {
            return null;
        }
        var chosen = new List<int>();
        for (var i = 0; i < cells.Count; i++)
        {
            if (x[i] is { } xi && xi.SolutionValue() > 0.5)
            {
                chosen.Add(cells[i]);
            }
        }
        var supports = deviations.Select(e => Enumerable.Range(0, cells.Count).Where(i => e[i] is { } v && Math.Abs(v.SolutionValue()) > 1e-7).Select(i => cells[i]).ToArray()).ToList();
        return new MipResult(chosen, status == Solver.ResultStatus.OPTIMAL, objective.Value(), Math.Min(objective.BestBound(), objective.Value()), supports);
    }

    /// <summary>A lower bound on the cost of any protecting pattern that is valid whatever the model: if a sensitive
    /// cell is the only hidden cell of an equality relation it is recomputed exactly, so each such relation needs one
    /// more suppressed cell. The LP relaxation of that covering problem (GLOP).</summary>
    public static double CoverBound(SecondarySuppressor.Context context, IReadOnlyList<int> component)
    {
        using var solver = Solver.CreateSolver("GLOP")
            ?? throw new InvalidOperationException("the GLOP LP solver is not available in this OR-Tools build");
        var system = context.System;
        var x = new Dictionary<int, Variable>();
        var objective = solver.Objective();
        objective.SetMinimization();
        var seen = new HashSet<int>();
        foreach (var p in component)
        {
            if (!context.Primary[p].Sensitive)
            {
                continue;
            }
            foreach (var r in context.RelationsByCell[p])
            {
                var relation = system.Relations[r];
                if (relation.Sense != RelationSense.Equal || !seen.Add(r))
                {
                    continue;
                }
                // Relations with two hidden sensitive cells are satisfied already; so is any with a cell kept hidden.
                if (relation.Cells.Any(c => c != p && context.Initial[c]))
                {
                    continue;
                }
                var constraint = solver.MakeConstraint(1, double.PositiveInfinity, "");
                foreach (var c in relation.Cells)
                {
                    if (c == p || context.Known(c))
                    {
                        continue;
                    }
                    if (!x.TryGetValue(c, out var v))
                    {
                        v = solver.MakeNumVar(0, 1, "");
                        objective.SetCoefficient(v, context.Weights[c]);
                        x[c] = v;
                    }
                    constraint.SetCoefficient(v, 1);
                }
            }
        }
        return x.Count == 0 || solver.Solve() != Solver.ResultStatus.OPTIMAL ? 0 : objective.Value();
    }
}
