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
        var cap = Cap(system);
        foreach (var component in system.Components())
        {
            var hidden = component.Where(c => suppressed[c]).ToArray();
            if (hidden.Length > 0)
            {
                AuditComponent(system, hidden, primary, relationsByCell, integer, cap, audits, problems);
            }
        }
        audits.Sort((a, b) => a.Cell.CompareTo(b.Cell));
        return new AuditResult(audits, problems);
    }

    /// <summary>
    /// Min and max of every withheld cell of one component. A component with at most <see cref="WholeComponentCells"/>
    /// withheld cells is solved whole. In a larger one each cell is first solved over its neighbourhood — the withheld
    /// cells nearest to it in the relation graph (breadth first, at most <see cref="LocalCells"/>, then ten times as
    /// many) — with every other cell fixed at its true value. That is a restriction of the attacker's program: any
    /// solution, completed with the true values, satisfies every relation, bound and cap and is integral where it must
    /// be, so it is a table the attacker cannot rule out and the attacker's interval contains the neighbourhood's. So
    /// when the neighbourhood's interval already reaches the protection (and does not pin the cell), the cell is
    /// protected; only otherwise is the cell solved over the whole component (exact). Each neighbourhood has bounded
    /// size, so the audit's time grows with the number of withheld cells, not with their square.
    /// </summary>
    private static void AuditComponent(CellSystem system, int[] hidden, IReadOnlyList<PrimaryAssessment> primary, List<int>[] relationsByCell,
        bool[] integer, double cap, List<CellAudit> audits, List<string> problems)
    {
        if (hidden.Length <= WholeComponentCells)
        {
            using var whole = new IntervalModel(system, hidden, relationsByCell, integer, cap);
            for (var i = 0; i < hidden.Length; i++)
            {
                var (lower, upper) = whole.Interval(i, problems, primary[hidden[i]]);
                Record(system, hidden[i], primary[hidden[i]], lower, upper, cap, audits, problems);
            }
            return;
        }
        var isHidden = new bool[system.Count];
        foreach (var c in hidden)
        {
            isHidden[c] = true;
        }
        IntervalModel? full = null;
        try
        {
            for (var i = 0; i < hidden.Length; i++)
            {
                var cell = hidden[i];
                (double Lower, double Upper)? found = null;
                foreach (var limit in (int[])[LocalCells, 10 * LocalCells])
                {
                    var near = Neighbourhood(system, cell, isHidden, relationsByCell, limit);
                    if (near.Length >= hidden.Length)
                    {
                        break;
                    }
                    using var local = new IntervalModel(system, near, relationsByCell, integer, cap);
                    var failures = new List<string>();
                    var (lower, upper) = local.Interval(0, failures, primary[cell]);
                    if (near.Length < limit)
                    {
                        // The neighbourhood is every withheld cell linked to this one through withheld cells: the
                        // cells beyond are linked to it only through published constants, so this interval is exact.
                        problems.AddRange(failures);
                        found = (lower, upper);
                        break;
                    }
                    if (failures.Count == 0 && Protects(system, cell, primary[cell], lower, upper, cap)
                        && upper - lower > 1e-6 * Math.Max(1, Math.Abs(system.Values[cell])))
                    {
                        found = (lower, upper);
                        break;
                    }
                }
                if (found is null)
                {
                    full ??= new IntervalModel(system, hidden, relationsByCell, integer, cap);
                    found = full.Interval(i, problems, primary[cell]);
                }
                Record(system, cell, primary[cell], found.Value.Lower, found.Value.Upper, cap, audits, problems);
            }
        }
        finally
        {
            full?.Dispose();
        }
    }

    /// <summary>Withheld cells of a component first solved whole by the audit; above, neighbourhoods first.</summary>
    public const int WholeComponentCells = 400;

    /// <summary>Withheld cells of the first neighbourhood of a cell in a large component (the second has ten times as many).</summary>
    public const int LocalCells = 150;

    /// <summary><paramref name="cell"/> and the withheld cells nearest to it: breadth first over the relations, at
    /// most <paramref name="limit"/>.</summary>
    private static int[] Neighbourhood(CellSystem system, int cell, bool[] hidden, List<int>[] relationsByCell, int limit)
    {
        var result = new List<int> { cell };
        var seen = new HashSet<int> { cell };
        for (var head = 0; head < result.Count; head++)
        {
            foreach (var r in relationsByCell[result[head]])
            {
                foreach (var c in system.Relations[r].Cells)
                {
                    if (hidden[c] && seen.Add(c))
                    {
                        result.Add(c);
                        if (result.Count >= limit)
                        {
                            return [.. result];
                        }
                    }
                }
            }
        }
        return [.. result];
    }

    /// <summary>The attacker's LP over a set of withheld cells (the others at their true values: published ones
    /// are known, withheld ones outside the set fixed), and its integer program when an LP optimum is fractional.</summary>
    private sealed class IntervalModel : IDisposable
    {
        private readonly CellSystem _system;
        private readonly int[] _cells;
        private readonly List<int>[] _relationsByCell;
        private readonly bool[] _integer;
        private readonly double _cap;
        private readonly Solver _lp;
        private readonly Variable[] _x;
        private Solver? _mip;
        private Variable[]? _y;

        public IntervalModel(CellSystem system, int[] cells, List<int>[] relationsByCell, bool[] integer, double cap)
        {
            (_system, _cells, _relationsByCell, _integer, _cap) = (system, cells, relationsByCell, integer, cap);
            _lp = Solver.CreateSolver("GLOP")
                ?? throw new InvalidOperationException("the GLOP LP solver is not available in this OR-Tools build");
            // Without presolve GLOP warm-starts each min/max from the previous basis: only the objective changes.
            _lp.SetSolverSpecificParametersAsString("use_preprocessing: false");
            _x = Model(_lp, system, cells, relationsByCell, null, cap);
        }

        /// <summary>Min and max of the <paramref name="i"/>-th cell of the set; solver failures go to <paramref name="problems"/>.</summary>
        public (double Lower, double Upper) Interval(int i, List<string> problems, PrimaryAssessment protection)
        {
            var cell = _cells[i];
            var lower = Bound(_lp, _x, i, _system, cell, problems, "minimum", true);
            var upper = Bound(_lp, _x, i, _system, cell, problems, "maximum", false);
            if (_integer[cell] && (Fractional(_cells, _integer, lower) || Fractional(_cells, _integer, upper)))
            {
                if (_mip is null)
                {
                    _mip = Solver.CreateSolver("SCIP") ?? throw new InvalidOperationException("the SCIP MIP solver is not available in this OR-Tools build");
                    _mip.SetTimeLimit((long)IntegerLimit.TotalMilliseconds);
                    _y = Model(_mip, _system, _cells, _relationsByCell, _integer, _cap);
                }
                var value = _system.Values[cell];
                var tolerance = 1e-6 * Math.Max(1, value + protection.UpperProtection);
                var (requiredLower, requiredUpper) = (value - protection.LowerProtection, value + protection.UpperProtection);
                lower = IntegerBound(_mip, _y!, i, _system, cell, problems, "minimum", true, lower.Value,
                    protection.Sensitive && lower.Value <= requiredLower + tolerance ? Math.Floor(requiredLower + tolerance) : null, r => Search(i, r, true));
                upper = IntegerBound(_mip, _y!, i, _system, cell, problems, "maximum", false, upper.Value,
                    protection.Sensitive && upper.Value >= requiredUpper - tolerance ? Math.Ceiling(requiredUpper - tolerance) : null, r => Search(i, r, false));
            }
            return (lower.Value, upper.Value);
        }

        /// <summary>An integer table with the <paramref name="i"/>-th cell at most (<paramref name="below"/>) or at
        /// least <paramref name="bound"/>, in a model of its own: the cell's value there, or null when none was found.</summary>
        private double? Search(int i, double bound, bool below)
        {
            using var solver = Solver.CreateSolver("SCIP") ?? throw new InvalidOperationException("the SCIP MIP solver is not available in this OR-Tools build");
            solver.SetTimeLimit((long)IntegerLimit.TotalMilliseconds);
            var y = Model(solver, _system, _cells, _relationsByCell, _integer, _cap);
            if (below ? bound < y[i].Lb() : bound > y[i].Ub())
            {
                return null;
            }
            if (below)
            {
                y[i].SetUb(bound);
            }
            else
            {
                y[i].SetLb(bound);
            }
            var status = solver.Solve();
            return status is Solver.ResultStatus.OPTIMAL or Solver.ResultStatus.FEASIBLE ? y[i].SolutionValue() : null;
        }

        public void Dispose()
        {
            _lp.Dispose();
            _mip?.Dispose();
        }
    }

    /// <summary>Variables of the hidden cells (integer where <paramref name="integer"/> says so) and the relations with
    /// the published cells moved to the right-hand side.</summary>
    private static Variable[] Model(Solver solver, CellSystem system, int[] hidden, List<int>[] relationsByCell, bool[]? integer, double cap)
    {
        var local = new Dictionary<int, int>(hidden.Length);
        var x = new Variable[hidden.Length];
        // GLOP reports some unbounded maxima as infeasible; a finite cap far above any value in the tables
        // keeps every LP bounded, and a maximum at the cap means "no upper bound".
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

    private static void Record(CellSystem system, int cell, PrimaryAssessment p, double lower, double upper, double cap, List<CellAudit> audits,
        List<string> problems)
    {
        if (upper >= cap * (1 - 1e-9))
        {
            upper = double.PositiveInfinity;
        }
        var value = system.Values[cell];
        var (requiredLower, requiredUpper) = (value - p.LowerProtection, value + p.UpperProtection);
        var satisfied = Protects(system, cell, p, lower, upper, cap);
        if (!satisfied)
        {
            problems.Add($"sensitive cell {system.Describe(cell)} ({p.Reason}) can be narrowed to [{lower:R}, {upper:R}], protection needs [{requiredLower:R}, {requiredUpper:R}]");
        }
        audits.Add(new CellAudit(cell, system.Describe(cell), value, lower, upper, requiredLower, requiredUpper, p.Sensitive, satisfied));
    }

    /// <summary>Whether [<paramref name="lower"/>, <paramref name="upper"/>] reaches the cell's protection interval.</summary>
    private static bool Protects(CellSystem system, int cell, PrimaryAssessment p, double lower, double upper, double cap)
    {
        if (upper >= cap * (1 - 1e-9))
        {
            upper = double.PositiveInfinity;
        }
        var value = system.Values[cell];
        var tolerance = 1e-6 * Math.Max(1, value + p.UpperProtection);
        return !p.Sensitive || (upper >= value + p.UpperProtection - tolerance && lower <= value - p.LowerProtection + tolerance);
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
        bool minimise, double lp, double? required, Func<double, double?>? search)
    {
        var objective = mip.Objective();
        objective.Clear();
        objective.SetCoefficient(y[i], 1);
        objective.SetOptimizationDirection(!minimise);
        var status = mip.Solve();
        if (status is Solver.ResultStatus.OPTIMAL or Solver.ResultStatus.FEASIBLE)
        {
            // Time-limited: the incumbent is an integer table the attacker cannot rule out, so the interval reaches it.
            var value = y[i].SolutionValue();
            if (status == Solver.ResultStatus.FEASIBLE && required is { } r && (minimise ? value > r : value < r) && search is not null)
            {
                // Stopped short of the protection bound: look directly for an integer table with the cell at or beyond
                // it (a feasibility question, far easier than the optimum). Found, the attacker cannot rule it out.
                value = search(r) ?? value;
            }
            return (value, []);
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
