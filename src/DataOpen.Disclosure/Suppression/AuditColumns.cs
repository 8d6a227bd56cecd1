using DataOpen.Disclosure.Tables;
using Google.OrTools.LinearSolver;

namespace DataOpen.Disclosure.Suppression;

/// <summary>
/// The withheld cells the attacker's LP needs to find one cell's true minimum and maximum in a large component, found
/// by column generation instead of solving over the whole component.
/// <para>The LP starts with the cell's <see cref="Box"/>: every other withheld cell is a constant at its true value.
/// After each solve, every withheld cell outside the model is priced with the duals of the relations it shares with
/// the model (reduced cost = −Σ coefficient × dual: its objective coefficient is 0). A cell whose value can rise (any
/// cell) with a negative reduced cost, or fall (a cell above 0) with a positive one, would improve the objective; all
/// such cells join the model and it is solved again. When none is left, the model's duals (0 for the relations it
/// does not contain) are feasible for the LP of the whole component, so the model's optimum is the whole component's
/// optimum. The pricing stops as soon as the cell reaches the interval the audit asks for (its protection, or one unit
/// either way for a complementary cell): the model is a restriction of the attacker's LP (every other cell at its true
/// value), so what it reaches the attacker cannot rule out. So the model stays near the cell when the cell is
/// protected, and is the whole component's LP only when it is not.</para>
/// </summary>
internal sealed class AuditColumns : IDisposable
{
    /// <summary>Most cells added to the model per pricing round (the most improving first).</summary>
    public const int ColumnsPerRound = 400;

    private const double Tolerance = 1e-7;

    private readonly CellSystem _system;
    private readonly bool[] _hidden;
    private readonly List<int>[] _relationsByCell;
    private readonly double _cap;
    private readonly Solver _lp;
    private readonly Dictionary<int, Variable> _columns = [];
    private readonly Dictionary<int, Constraint> _rows = [];
    private readonly Dictionary<int, double> _rhs = [];

    private AuditColumns(CellSystem system, bool[] hidden, List<int>[] relationsByCell, double cap)
    {
        (_system, _hidden, _relationsByCell, _cap) = (system, hidden, relationsByCell, cap);
        _lp = Solver.CreateSolver("GLOP") ?? throw new InvalidOperationException("the GLOP LP solver is not available in this OR-Tools build");
        _lp.SetSolverSpecificParametersAsString("use_preprocessing: false");
    }

    /// <summary>Withheld cells (the cell first) over which <paramref name="cell"/>'s LP minimum reaches
    /// <paramref name="lower"/> (or equals the whole component's minimum when that does not reach it) and its maximum
    /// <paramref name="upper"/> (likewise); null when an LP did not solve (the caller solves the whole component).</summary>
    public static int[]? Cells(CellSystem system, int cell, bool[] hidden, List<int>[] relationsByCell, double cap, double lower, double upper)
    {
        using var model = new AuditColumns(system, hidden, relationsByCell, cap);
        foreach (var c in Box(system, cell, hidden))
        {
            model.Add(c);
        }
        foreach (var (sign, target) in (ReadOnlySpan<(double, double)>)[(1, lower), (-1, -upper)])
        {
            if (!model.Optimise(cell, sign, target))
            {
                return null;
            }
        }
        return [cell, .. model._columns.Keys.Where(c => c != cell)];
    }

    /// <summary>Minimises sign × the cell, pricing and adding columns until it is at most <paramref name="target"/>
    /// or no column improves it.</summary>
    private bool Optimise(int cell, double sign, double target)
    {
        var objective = _lp.Objective();
        objective.Clear();
        objective.SetCoefficient(_columns[cell], sign);
        objective.SetMinimization();
        while (true)
        {
            if (_lp.Solve() != Solver.ResultStatus.OPTIMAL)
            {
                return false;
            }
            if (sign * _columns[cell].SolutionValue() <= target)
            {
                return true;
            }
            var duals = new Dictionary<int, double>();
            foreach (var (r, row) in _rows)
            {
                var y = row.DualValue();
                if (Math.Abs(y) > Tolerance)
                {
                    duals[r] = y;
                }
            }
            var entering = new List<(double Gain, int Cell)>();
            var priced = new HashSet<int>();
            foreach (var r in duals.Keys)
            {
                foreach (var c in _system.Relations[r].Cells)
                {
                    if (!_hidden[c] || _columns.ContainsKey(c) || !priced.Add(c))
                    {
                        continue;
                    }
                    var reduced = 0.0;
                    foreach (var s in _relationsByCell[c])
                    {
                        if (duals.TryGetValue(s, out var y))
                        {
                            reduced -= Coefficient(s, c) * y;
                        }
                    }
                    if (reduced < -Tolerance || (reduced > Tolerance && _system.Values[c] > 0))
                    {
                        entering.Add((Math.Abs(reduced), c));
                    }
                }
            }
            if (entering.Count == 0)
            {
                return true;
            }
            foreach (var (_, c) in entering.OrderByDescending(e => e.Gain).ThenBy(e => e.Cell).Take(ColumnsPerRound))
            {
                Add(c);
            }
        }
    }

    /// <summary>Makes a withheld cell a variable: it joins its relations (created on first use with every cell a
    /// constant) and leaves their right-hand sides.</summary>
    private void Add(int cell)
    {
        if (_columns.ContainsKey(cell))
        {
            return;
        }
        var x = _lp.MakeNumVar(0, _cap, "x" + cell);
        _columns[cell] = x;
        foreach (var r in _relationsByCell[cell])
        {
            var relation = _system.Relations[r];
            if (!_rows.TryGetValue(r, out var row))
            {
                var rhs = 0.0;
                for (var k = 0; k < relation.Cells.Count; k++)
                {
                    rhs -= relation.Coefficients[k] * _system.Values[relation.Cells[k]];
                }
                row = _lp.MakeConstraint(double.NegativeInfinity, double.PositiveInfinity, "r" + r);
                _rows[r] = row;
                _rhs[r] = rhs;
            }
            var a = Coefficient(r, cell);
            row.SetCoefficient(x, a);
            _rhs[r] += a * _system.Values[cell];
            row.SetBounds(relation.Sense == RelationSense.Equal ? _rhs[r] : double.NegativeInfinity, _rhs[r]);
        }
    }

    private double Coefficient(int r, int cell)
    {
        var relation = _system.Relations[r];
        var a = 0.0;
        for (var k = 0; k < relation.Cells.Count; k++)
        {
            if (relation.Cells[k] == cell)
            {
                a += relation.Coefficients[k];
            }
        }
        return a;
    }

    /// <summary>The withheld cells of <paramref name="cell"/>'s box: in every table where it occurs, the cells whose
    /// every coordinate is the cell's own, the total, or a position where the cell's line along that dimension has a
    /// withheld cell. In a table of three or more dimensions the smallest deviations (the cell moved against its line
    /// partners, they against theirs: a 2×2×2 cube) lie in it, where a breadth-first neighbourhood of the same size
    /// stops before their third step — a good start for the pricing.</summary>
    internal static IEnumerable<int> Box(CellSystem system, int cell, bool[] hidden)
    {
        var seen = new HashSet<int> { cell };
        yield return cell;
        foreach (var (t, c) in system.Occurrences[cell])
        {
            var table = system.Tables[t];
            var positions = new List<int>[table.Categories.Count];
            for (var d = 0; d < positions.Length; d++)
            {
                var own = table.Position(c, d);
                positions[d] = [own];
                var shape = table.Categories[d].Count + (table.Definition.Margins ? 1 : 0);
                for (var k = 0; k < shape; k++)
                {
                    var along = table.WithPosition(c, d, k);
                    if (k != own && (hidden[system.SystemIndex(t, along)] || table.IsTotalPosition(along, d)))
                    {
                        positions[d].Add(k);
                    }
                }
            }
            foreach (var other in table.Product(positions))
            {
                var s = system.SystemIndex(t, other);
                if (hidden[s] && seen.Add(s))
                {
                    yield return s;
                }
            }
        }
    }

    public void Dispose() => _lp.Dispose();
}
