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

    /// <param name="wholeCells">Components with at most this many withheld cells are solved whole (tests compare both ways).</param>
    internal static AuditResult Audit(CellSystem system, IReadOnlyList<PrimaryAssessment> primary, IReadOnlyList<bool> suppressed,
        AttackerKnowledge? knowledge, IReadOnlyList<int[]>? versionMaps, int wholeCells = WholeComponentCells)
    {
        knowledge ??= AttackerKnowledge.Default;
        var caps = knowledge.Relations(system, versionMaps).ToList();
        if (caps.Count > 0)
        {
            system = system.WithRelations(caps);
        }
        var integer = knowledge.Integers ? Integers(system) : new bool[system.Count];
        primary = WholeUnits(system, primary, integer);
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
                AuditComponent(system, hidden, primary, relationsByCell, integer, cap, audits, problems, wholeCells);
            }
        }
        audits.Sort((a, b) => a.Cell.CompareTo(b.Cell));
        return new AuditResult(audits, problems);
    }

    /// <summary>
    /// Min and max of every withheld cell of one component. A component with at most <paramref name="wholeCells"/>
    /// withheld cells is solved whole. In a larger one each cell is solved over the withheld cells that column
    /// generation (<see cref="AuditColumns"/>) brings in, with every other cell fixed at its true value. That is a
    /// restriction of the attacker's program: any solution, completed with the true values, satisfies every relation,
    /// bound and cap and is integral where it must be, so it is a table the attacker cannot rule out and the attacker's
    /// interval contains the restriction's. The pricing stops when the cell reaches its protection, and otherwise
    /// proves that the whole component's LP does not reach it either; so a cell is decided on a model near it, and only
    /// when the integer program over that model falls short where the LP does not is it solved over the whole
    /// component (exact). The audit's time so grows with the number of withheld cells, not with their square.
    /// </summary>
    private static void AuditComponent(CellSystem system, int[] hidden, IReadOnlyList<PrimaryAssessment> primary, List<int>[] relationsByCell,
        bool[] integer, double cap, List<CellAudit> audits, List<string> problems, int wholeCells)
    {
        if (hidden.Length <= wholeCells)
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
                var (targetLower, targetUpper) = Targets(system.Values[cell], primary[cell]);
                // First the model that just reaches the targets; when its integer program falls short, the model of
                // the whole component's LP optimum (pricing to the end), which leaves the integer program more room.
                foreach (var (lowest, highest) in (ReadOnlySpan<(double, double)>)[(targetLower, targetUpper), (double.NegativeInfinity, double.PositiveInfinity)])
                {
                    var near = AuditColumns.Cells(system, cell, isHidden, relationsByCell, cap, lowest, highest);
                    if (near is null)
                    {
                        break;
                    }
                    using var local = new IntervalModel(system, near, relationsByCell, integer, cap);
                    var failures = new List<string>();
                    var (lower, upper) = local.Interval(0, failures, primary[cell], out var lp);
                    // The LP interval is the whole component's (column generation), the integer one is a restriction's.
                    // Protected and not pinned there: protected. Unprotected or pinned by the LP already: so is every
                    // integer table. Otherwise only the integer program over a larger model can tell.
                    if (failures.Count == 0 && ((Protects(system, cell, primary[cell], lower, upper, cap) && !Pinned(system, cell, lower, upper))
                        || !Protects(system, cell, primary[cell], lp.Lower, lp.Upper, cap) || Pinned(system, cell, lp.Lower, lp.Upper)))
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

    /// <summary>Withheld cells of a component solved whole by the audit; above, each cell over its own priced model.</summary>
    public const int WholeComponentCells = 400;

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
        public (double Lower, double Upper) Interval(int i, List<string> problems, PrimaryAssessment protection) => Interval(i, problems, protection, out _);

        /// <param name="lp">The LP's interval (the integer one lies inside it).</param>
        public (double Lower, double Upper) Interval(int i, List<string> problems, PrimaryAssessment protection, out (double Lower, double Upper) lp)
        {
            var cell = _cells[i];
            var lower = Bound(_lp, _x, i, _system, cell, problems, "minimum", true);
            var upper = Bound(_lp, _x, i, _system, cell, problems, "maximum", false);
            lp = (lower.Value, upper.Value);
            var (targetLower, targetUpper) = Targets(_system.Values[cell], protection);
            return (Integral(i, lower, targetLower, true, problems), Integral(i, upper, targetUpper, false, problems));
        }

        /// <summary>
        /// The integer side of the cell's interval from the LP's side. An integral LP optimum (or a cell that need not be
        /// integer) is the answer. A fractional one that does not reach <paramref name="target"/> is rounded inwards: no
        /// integer table goes beyond it. Otherwise the LP optimum is rounded (<see cref="IntegerRounding"/>), and when no
        /// rounding reaches the target one integer program over the model looks for a table with the cell at or beyond the
        /// target — a feasibility question, not an optimisation, so SCIP stops at its first solution: the cell's value
        /// there is one the attacker cannot rule out, so the interval reaches it. Without one (none exists, or none
        /// within <see cref="IntegerLimit"/>), the side is the target's neighbour inside, which fails the protection.
        /// </summary>
        private double Integral(int i, (double Value, double[] Solution) lp, double target, bool minimise, List<string> problems)
        {
            var cell = _cells[i];
            if (!_integer[cell] || double.IsInfinity(lp.Value) || !Fractional(_cells, _integer, lp))
            {
                return lp.Value;
            }
            var tolerance = 1e-6 * Math.Max(1, Math.Abs(lp.Value));
            if (minimise ? lp.Value > target + tolerance : lp.Value < target - tolerance)
            {
                return minimise ? Math.Ceiling(lp.Value - tolerance) : Math.Floor(lp.Value + tolerance);
            }
            if (IntegerRounding.Round(_system, _cells, _relationsByCell, _integer, lp.Solution, i, target, minimise, IntegerLimit) is { } rounded)
            {
                return rounded;
            }
            if (_mip is null)
            {
                _mip = Solver.CreateSolver("SCIP") ?? throw new InvalidOperationException("the SCIP MIP solver is not available in this OR-Tools build");
                _mip.SetTimeLimit((long)IntegerLimit.TotalMilliseconds);
                _y = Model(_mip, _system, _cells, _relationsByCell, _integer, _cap);
            }
            var y = _y![i];
            var (lb, ub) = (y.Lb(), y.Ub());
            if (minimise)
            {
                y.SetUb(target);
            }
            else
            {
                y.SetLb(target);
            }
            _mip.Objective().Clear();
            var status = _mip.Solve();
            var found = status is Solver.ResultStatus.OPTIMAL or Solver.ResultStatus.FEASIBLE ? y.SolutionValue() : (double?)null;
            y.SetBounds(lb, ub);
            if (found is { } v)
            {
                return v;
            }
            if (status != Solver.ResultStatus.INFEASIBLE)
            {
                problems.Add($"audit integer program for the {(minimise ? "minimum" : "maximum")} of {_system.Describe(cell)} ended with status {status} (LP {lp.Value:R}, looking for {target:R})");
            }
            return minimise ? target + 1 : target - 1;
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

    /// <summary>
    /// Protection in whole units for integer cells: an integer cell can only take whole values, so its protection
    /// interval [v − lower, v + upper] is met when the attacker cannot rule out its whole values ⌈v − lower⌉ and
    /// ⌊v + upper⌋ — asking for 341,682.1 of a cell that is a whole number of yuan asks for 341,683, no more and no less
    /// (the attacker knows the same either way). Without this, a cell the heuristic protects exactly to its fractional
    /// level would fail on a fraction of a yuan no integer table can reach.
    /// </summary>
    private static PrimaryAssessment[] WholeUnits(CellSystem system, IReadOnlyList<PrimaryAssessment> primary, bool[] integer)
    {
        var result = new PrimaryAssessment[primary.Count];
        for (var c = 0; c < primary.Count; c++)
        {
            var p = primary[c];
            if (p.Sensitive && integer[c])
            {
                var value = system.Values[c];
                var tolerance = 1e-6 * Math.Max(1, value + p.UpperProtection);
                p = p with
                {
                    LowerProtection = Math.Max(0, value - Math.Ceiling(value - p.LowerProtection - tolerance)),
                    UpperProtection = Math.Max(0, Math.Floor(value + p.UpperProtection + tolerance) - value),
                };
            }
            result[c] = p;
        }
        return result;
    }

    /// <summary>What the interval of a withheld cell must reach: a sensitive cell its protection (whole units, so an
    /// integer table can), another cell one unit either way (so it is not pinned).</summary>
    private static (double Lower, double Upper) Targets(double value, PrimaryAssessment protection)
    {
        var tolerance = 1e-6 * Math.Max(1, value + protection.UpperProtection);
        return protection.Sensitive
            ? (Math.Floor(value - protection.LowerProtection + tolerance), Math.Ceiling(value + protection.UpperProtection - tolerance))
            : (value - 1, value + 1);
    }

    private static bool Pinned(CellSystem system, int cell, double lower, double upper) =>
        upper - lower <= 1e-6 * Math.Max(1, Math.Abs(system.Values[cell]));

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
