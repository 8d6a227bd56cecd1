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
/// consistent with the published cells, every table relation and non-negativity (LPs solved with GLOP), and with
/// what else the attacker knows (<see cref="AttackerKnowledge"/>: integrality, caps from the policy).</summary>
public static class Auditor
{
    /// <summary>Longest integer program of the audit per cell and direction; without an integer solution by then the
    /// cell is reported as not solved (the audit fails rather than trust the LP bound).</summary>
    public static readonly TimeSpan IntegerLimit = TimeSpan.FromSeconds(20);

    public static AuditResult Audit(CellSystem system, IReadOnlyList<PrimaryAssessment> primary, IReadOnlyList<bool> suppressed,
        AttackerKnowledge? knowledge = null) => Audit(system, primary, suppressed, knowledge, null);

    internal static AuditResult Audit(CellSystem system, IReadOnlyList<PrimaryAssessment> primary, IReadOnlyList<bool> suppressed,
        AttackerKnowledge? knowledge, IReadOnlyList<int[]>? versionMaps)
    {
        knowledge ??= AttackerKnowledge.Default;
        var caps = knowledge.Relations(system, versionMaps).ToList();
        if (caps.Count > 0)
        {
            system = system.WithRelations(caps);
        }
        var integer = knowledge.Integers ? Integers(system) : new bool[system.Count];
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
                AuditComponent(system, hidden, primary, relationsByCell, integer, audits, problems);
            }
        }
        audits.Sort((a, b) => a.Cell.CompareTo(b.Cell));
        return new AuditResult(audits, problems);
    }

    private static void AuditComponent(CellSystem system, int[] hidden, IReadOnlyList<PrimaryAssessment> primary, List<int>[] relationsByCell,
        bool[] integer, List<CellAudit> audits, List<string> problems)
    {
        using var solver = Solver.CreateSolver("GLOP")
            ?? throw new InvalidOperationException("the GLOP LP solver is not available in this OR-Tools build");
        // Without presolve GLOP warm-starts each min/max from the previous basis: only the objective changes.
        solver.SetSolverSpecificParametersAsString("use_preprocessing: false");
        var x = Model(solver, system, hidden, relationsByCell, null);
        // The integer program, built when an LP optimum is fractional in an integer cell.
        Solver? mip = null;
        Variable[]? y = null;
        try
        {
            for (var i = 0; i < hidden.Length; i++)
            {
                var cell = hidden[i];
                var lower = Bound(solver, x, i, system, cell, problems, "minimum", true);
                var upper = Bound(solver, x, i, system, cell, problems, "maximum", false);
                if (integer[cell] && (Fractional(hidden, integer, lower) || Fractional(hidden, integer, upper)))
                {
                    if (mip is null)
                    {
                        mip = Solver.CreateSolver("SCIP") ?? throw new InvalidOperationException("the SCIP MIP solver is not available in this OR-Tools build");
                        mip.SetTimeLimit((long)IntegerLimit.TotalMilliseconds);
                        y = Model(mip, system, hidden, relationsByCell, integer);
                    }
                    lower = IntegerBound(mip, y!, i, system, cell, problems, "minimum", true, lower.Value);
                    upper = IntegerBound(mip, y!, i, system, cell, problems, "maximum", false, upper.Value);
                }
                Record(system, cell, primary[cell], lower.Value, upper.Value, audits, problems);
            }
        }
        finally
        {
            mip?.Dispose();
        }
    }

    /// <summary>Variables of the hidden cells (integer where <paramref name="integer"/> says so) and the relations with
    /// the published cells moved to the right-hand side.</summary>
    private static Variable[] Model(Solver solver, CellSystem system, int[] hidden, List<int>[] relationsByCell, bool[]? integer)
    {
        var local = new Dictionary<int, int>(hidden.Length);
        var x = new Variable[hidden.Length];
        // GLOP reports some unbounded maxima as infeasible; a finite cap far above any value in the tables
        // keeps every LP bounded, and a maximum at the cap means "no upper bound".
        var cap = Cap(system);
        for (var i = 0; i < hidden.Length; i++)
        {
            local[hidden[i]] = i;
            x[i] = integer is not null && integer[hidden[i]] ? solver.MakeIntVar(0, cap, "x" + i) : solver.MakeNumVar(0, cap, "x" + i);
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
        return x;
    }

    private static void Record(CellSystem system, int cell, PrimaryAssessment p, double lower, double upper, List<CellAudit> audits, List<string> problems)
    {
        if (upper >= Cap(system) * (1 - 1e-9))
        {
            upper = double.PositiveInfinity;
        }
        var value = system.Values[cell];
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

    /// <summary>Whether the LP optimum just found (<paramref name="solution"/>) has a fractional integer cell: then the
    /// integer program may be narrower. An integral LP optimum is the integer optimum too.</summary>
    private static bool Fractional(int[] hidden, bool[] integer, (double Value, double[] Solution) s)
    {
        for (var i = 0; i < s.Solution.Length; i++)
        {
            if (integer[hidden[i]] && Math.Abs(s.Solution[i] - Math.Round(s.Solution[i])) > 1e-6 * Math.Max(1, Math.Abs(s.Solution[i])))
            {
                return true;
            }
        }
        return false;
    }

    private static (double Value, double[] Solution) IntegerBound(Solver mip, Variable[] y, int i, CellSystem system, int cell, List<string> problems, string what,
        bool minimise, double lp)
    {
        var objective = mip.Objective();
        objective.Clear();
        objective.SetCoefficient(y[i], 1);
        objective.SetOptimizationDirection(!minimise);
        var status = mip.Solve();
        if (status is Solver.ResultStatus.OPTIMAL or Solver.ResultStatus.FEASIBLE)
        {
            // Time-limited: the incumbent is an integer table the attacker cannot rule out, so the interval reaches it.
            return (y[i].SolutionValue(), []);
        }
        problems.Add($"audit integer program for the {what} of {system.Describe(cell)} ended with status {status} (LP {lp:R})");
        return (minimise ? double.PositiveInfinity : double.NegativeInfinity, []);
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

    private static (double Value, double[] Solution) Bound(Solver solver, Variable[] x, int i, CellSystem system, int cell, List<string> problems, string what,
        bool minimise)
    {
        var objective = solver.Objective();
        objective.SetCoefficient(x[i], 1);
        objective.SetOptimizationDirection(!minimise);
        var status = solver.Solve();
        // Read the solution before touching the model: any change invalidates it.
        (double, double[])? result = status == Solver.ResultStatus.OPTIMAL ? (x[i].SolutionValue(), [.. x.Select(v => v.SolutionValue())]) : null;
        objective.SetCoefficient(x[i], 0);
        if (result is { } found)
        {
            return found;
        }
        problems.Add($"audit LP for the {what} of {system.Describe(cell)} ended with status {status}");
        return (minimise ? double.NegativeInfinity : double.PositiveInfinity, []);
    }

    /// <summary>Integer cells: those of count tables, and of amount tables whose every value is a whole number.</summary>
    private static bool[] Integers(CellSystem system)
    {
        var whole = system.Tables.Select(t => t.Definition.Measure.Kind == MeasureKind.CountContributors || t.Cells.All(c => c.Value == decimal.Truncate(c.Value))).ToArray();
        return [.. Enumerable.Range(0, system.Count).Select(s => system.Occurrences[s].All(o => whole[o.Table]))];
    }
}
