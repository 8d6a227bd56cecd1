using DataOpen.Disclosure.Tables;
using Google.OrTools.LinearSolver;

namespace DataOpen.Disclosure.Suppression;

/// <summary>The attacker's view of one suppressed cell: the range its value can take given everything published.</summary>
/// <param name="Upper">Maximum feasible value; +∞ when nothing published bounds it.</param>
/// <param name="RequiredUpper">Value the interval must reach (value + upper protection); equal to the value for complementary cells.</param>
public sealed record CellAudit(
    int Cell,
    string Location,
    double Value,
    double Lower,
    double Upper,
    double RequiredLower,
    double RequiredUpper,
    bool Primary,
    bool Satisfied);

/// <param name="Problems">Why the audit failed: sensitive cells published, intervals too narrow, solver failures.</param>
public sealed record AuditResult(IReadOnlyList<CellAudit> Cells, IReadOnlyList<string> Problems)
{
    public bool Passed => Problems.Count == 0;

    /// <summary>Suppressed cells whose value the published cells pin down exactly.</summary>
    public IEnumerable<CellAudit> Recoverable => Cells.Where(c => c.Upper - c.Lower <= 1e-6 * Math.Max(1, Math.Abs(c.Value)));
}

/// <summary>Audit of a suppression pattern: for every suppressed cell, min and max of its value over all tables
/// consistent with the published cells, every table relation and non-negativity (LPs solved with GLOP).</summary>
public static class Auditor
{
    public static AuditResult Audit(CellSystem system, IReadOnlyList<PrimaryAssessment> primary, IReadOnlyList<bool> suppressed)
    {
        var problems = new List<string>();
        var audits = new List<CellAudit>();
        for (var i = 0; i < system.Count; i++)
        {
            if (primary[i].Sensitive && !suppressed[i])
            {
                problems.Add($"sensitive cell {system.Describe(i)} ({primary[i].Reason}) is published");
            }
        }
        var relationsByCell = SecondarySuppressor.RelationsByCell(system);
        foreach (var component in system.Components())
        {
            var hidden = component.Where(c => suppressed[c]).ToArray();
            if (hidden.Length > 0)
            {
                AuditComponent(system, hidden, primary, relationsByCell, audits, problems);
            }
        }
        audits.Sort((a, b) => a.Cell.CompareTo(b.Cell));
        return new AuditResult(audits, problems);
    }

    private static void AuditComponent(CellSystem system, int[] hidden, IReadOnlyList<PrimaryAssessment> primary, List<int>[] relationsByCell,
        List<CellAudit> audits, List<string> problems)
    {
        using var solver = Solver.CreateSolver("GLOP")
            ?? throw new InvalidOperationException("the GLOP LP solver is not available in this OR-Tools build");
        // Without presolve GLOP warm-starts each min/max from the previous basis: only the objective changes.
        solver.SetSolverSpecificParametersAsString("use_preprocessing: false");
        var local = new Dictionary<int, int>(hidden.Length);
        var x = new Variable[hidden.Length];
        // GLOP reports some unbounded maxima as infeasible; a finite cap far above any value in the tables
        // keeps every LP bounded, and a maximum at the cap means "no upper bound".
        var cap = Cap(system);
        for (var i = 0; i < hidden.Length; i++)
        {
            local[hidden[i]] = i;
            x[i] = solver.MakeNumVar(0, cap, "x" + i);
        }
        var done = new HashSet<int>();
        foreach (var cell in hidden)
        {
            foreach (var r in relationsByCell[cell])
            {
                if (!done.Add(r))
                {
                    continue;
                }
                var relation = system.Relations[r];
                // Published cells are constants the attacker moves to the right-hand side.
                var rhs = 0.0;
                for (var k = 0; k < relation.Cells.Count; k++)
                {
                    if (!local.ContainsKey(relation.Cells[k]))
                    {
                        rhs -= relation.Coefficients[k] * system.Values[relation.Cells[k]];
                    }
                }
                var constraint = relation.Sense == RelationSense.Equal
                    ? solver.MakeConstraint(rhs, rhs, "r" + r)
                    : solver.MakeConstraint(double.NegativeInfinity, rhs, "r" + r);
                for (var k = 0; k < relation.Cells.Count; k++)
                {
                    if (local.TryGetValue(relation.Cells[k], out var j))
                    {
                        constraint.SetCoefficient(x[j], relation.Coefficients[k]);
                    }
                }
            }
        }
        var objective = solver.Objective();
        for (var i = 0; i < hidden.Length; i++)
        {
            var cell = hidden[i];
            objective.SetCoefficient(x[i], 1);
            objective.SetMinimization();
            var lower = Bound(solver, x[i], system, cell, problems, "minimum");
            objective.SetMaximization();
            var upper = Bound(solver, x[i], system, cell, problems, "maximum");
            if (upper >= cap * (1 - 1e-9))
            {
                upper = double.PositiveInfinity;
            }
            objective.SetCoefficient(x[i], 0);

            var value = system.Values[cell];
            var p = primary[cell];
            var requiredLower = value - p.LowerProtection;
            var requiredUpper = value + p.UpperProtection;
            var tolerance = 1e-6 * Math.Max(1, value + p.UpperProtection);
            var satisfied = !p.Sensitive || (upper >= requiredUpper - tolerance && lower <= requiredLower + tolerance);
            if (!satisfied)
            {
                problems.Add($"sensitive cell {system.Describe(cell)} ({p.Reason}) can be narrowed to [{lower:R}, {upper:R}], protection needs [{requiredLower:R}, {requiredUpper:R}]");
            }
            audits.Add(new CellAudit(cell, system.Describe(cell), value, lower, upper, requiredLower, requiredUpper, p.Sensitive, satisfied));
        }
    }

    private static double Cap(CellSystem system)
    {
        var sum = 0.0;
        foreach (var v in system.Values)
        {
            sum += Math.Abs(v);
        }
        return 16 * sum + 1024;
    }

    private static double Bound(Solver solver, Variable v, CellSystem system, int cell, List<string> problems, string what)
    {
        var status = solver.Solve();
        switch (status)
        {
            case Solver.ResultStatus.OPTIMAL:
                return v.SolutionValue();
            default:
                problems.Add($"audit LP for the {what} of {system.Describe(cell)} ended with status {status}");
                return what == "minimum" ? double.NegativeInfinity : double.PositiveInfinity;
        }
    }
}
