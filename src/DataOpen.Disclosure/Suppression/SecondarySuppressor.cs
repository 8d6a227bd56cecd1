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
/// <para>Why not the exact MIP: it needs capacity cuts for every sensitive cell and direction inside a
/// branch-and-cut; through OR-Tools' MPSolver (no cut callbacks) that means re-solving a MIP per round, which at
/// 8,000 cells and hundreds of sensitive cells does not finish in a minute. This heuristic solves LPs only
/// (GLOP), is exact about protection (and <see cref="Auditor"/> checks it independently), and is near-optimal
/// in practice.</para>
/// <para>Partitioning for large tables: the deviation LP for p is first restricted to a neighbourhood — in each
/// table where p appears, the cells whose every coordinate is p's own, the total, or one of the
/// <see cref="Candidates"/> cheapest categories along p's line (already suppressed ones first). Only when
/// that restricted LP has no solution is the same neighbourhood solved per direction (without the symmetric bounds), and
/// only when that has none either the LP over the whole connected component. Independent
/// components (tables sharing no cell) are processed separately; linked tables are one component.</para>
/// </summary>
public static class SecondarySuppressor
{
    /// <summary>Alternative categories per dimension in the restricted neighbourhood.</summary>
    public const int Candidates = 6;

    /// <param name="primary">Assessment per system cell; sensitive cells are suppressed and protected.</param>
    /// <param name="forced">Cells that must stay suppressed (hidden, unchanged, in a version still published).</param>
    /// <param name="frozen">Cells already public (published, unchanged, in a version still published): the
    /// attacker knows them, so no deviation may move them.</param>
    public static SuppressionPattern Suppress(CellSystem system, IReadOnlyList<PrimaryAssessment> primary, DisclosureParameters parameters,
        IReadOnlyList<bool>? forced = null, IReadOnlyList<bool>? frozen = null)
    {
        var context = NewContext(system, primary, parameters, forced, frozen);
        var unprotectable = new List<int>();
        foreach (var component in system.Components())
        {
            if (component.Any(c => primary[c].Sensitive))
            {
                ProtectComponent(context, component, unprotectable);
            }
        }
        return new SuppressionPattern(context.Suppressed, unprotectable, SuppressionReport.Heuristic(context));
    }

    /// <summary>The state of one suppression run, shared with <see cref="OptimalSuppressor"/> (its fallback and
    /// its sub-problems use the same weights, neighbourhoods and suppressed cells).</summary>
    internal sealed record Context(CellSystem System, IReadOnlyList<PrimaryAssessment> Primary, double[] Weights, List<int>[] RelationsByCell,
        bool[] Suppressed, IReadOnlyList<bool>? Frozen)
    {
        /// <summary>Cells suppressed before complementary suppression (sensitive, or kept from a published version).</summary>
        public required bool[] Initial { get; init; }

        /// <summary>Per cell of the release, its cells in earlier versions (<see cref="JointModel"/>): a neighbourhood takes them along.</summary>
        public required List<int>[] Twins { get; init; }

        /// <summary>A cell the attacker knows from another published version: no deviation may move it.</summary>
        public bool Known(int cell) => Frozen is not null && Frozen[cell] && !Suppressed[cell];
    }

    internal static Context NewContext(CellSystem system, IReadOnlyList<PrimaryAssessment> primary, DisclosureParameters parameters,
        IReadOnlyList<bool>? forced, IReadOnlyList<bool>? frozen)
    {
        var suppressed = new bool[system.Count];
        for (var i = 0; i < system.Count; i++)
        {
            suppressed[i] = primary[i].Sensitive || (forced is not null && forced[i]);
        }
        var twins = new List<int>[system.BaseCount];
        for (var i = 0; i < twins.Length; i++)
        {
            twins[i] = [];
        }
        for (var i = system.BaseCount; i < system.Count; i++)
        {
            twins[system.Origin(i)].Add(i);
        }
        return new Context(system, primary, Weights(system, parameters), RelationsByCell(system), suppressed, frozen)
        {
            Initial = [.. suppressed],
            Twins = twins,
        };
    }

    private static void ProtectComponent(Context context, int[] component, List<int> unprotectable) =>
        ProtectCells(context, component, component.Where(c => context.Primary[c].Sensitive), unprotectable);

    /// <summary>Protects <paramref name="targets"/> (sensitive cells of <paramref name="component"/>) given the cells
    /// suppressed so far: the heuristic, also the fallback of <see cref="OptimalSuppressor"/>.</summary>
    internal static void ProtectCells(Context context, int[] component, IEnumerable<int> targets, List<int> unprotectable, bool freeSuppressed = false)
    {
        var primary = context.Primary;
        // Larger protection levels first: their deviations tend to cover the smaller cells' needs too.
        var order = targets
            .OrderByDescending(c => Math.Max(primary[c].UpperProtection, primary[c].LowerProtection)).ThenBy(c => c).ToArray();
        var suppressedHere = new HashSet<int>(order);
        if (freeSuppressed)
        {
            // As a fallback after sub-problems: the complements they chose are free here too.
            suppressedHere.UnionWith(component.Where(c => context.Suppressed[c]));
        }
        // The LP over the whole component is built only if some restricted LP has no solution.
        DeviationModel? full = null;
        try
        {
            foreach (var p in order)
            {
                var (upper, lower) = (primary[p].UpperProtection, primary[p].LowerProtection);
                var level = Math.Max(upper, lower);
                List<int>? touched = null;
                if (level <= context.System.Values[p])
                {
                    // One symmetric deviation (−y is feasible too) protects both directions at once.
                    using var restricted = new DeviationModel(context, Neighbourhood(context, p), suppressedHere, symmetric: true);
                    touched = restricted.Solve(p, level, isUp: true);
                }
                if (touched is not null)
                {
                    Suppress(context, touched, suppressedHere, full);
                    continue;
                }
                // Per direction: the neighbourhood without the symmetric bounds, then the whole component.
                using var local = new DeviationModel(context, Neighbourhood(context, p), suppressedHere, symmetric: false);
                var ok = true;
                foreach (var (directionLevel, isUp) in new[] { (upper, true), (lower, false) })
                {
                    if (directionLevel <= 0)
                    {
                        continue;
                    }
                    touched = local.Solve(p, directionLevel, isUp);
                    if (touched is null)
                    {
                        full ??= new DeviationModel(context, component, suppressedHere, symmetric: false);
                        touched = full.Solve(p, directionLevel, isUp);
                    }
                    if (touched is null)
                    {
                        ok = false;
                        continue;
                    }
                    Suppress(context, touched, suppressedHere, full);
                    touched.ForEach(local.MarkSuppressed);
                }
                if (!ok)
                {
                    unprotectable.Add(p);
                }
            }
        }
        finally
        {
            full?.Dispose();
        }
    }

    private static void Suppress(Context context, List<int> cells, HashSet<int> suppressedHere, DeviationModel? full)
    {
        foreach (var cell in cells)
        {
            context.Suppressed[cell] = true;
            suppressedHere.Add(cell);
            full?.MarkSuppressed(cell);
        }
    }

    /// <summary>Cells whose every coordinate is p's, the total, or a cheap alternative along p's line (already
    /// suppressed cells first: they are free), in every table where p appears.</summary>
    internal static int[] Neighbourhood(Context context, int p, int candidates = Candidates)
    {
        var system = context.System;
        var result = new HashSet<int> { p };
        var level = Math.Max(context.Primary[p].UpperProtection, context.Primary[p].LowerProtection);
        foreach (var (t, c) in system.Occurrences[p])
        {
            var table = system.Tables[t];
            var dims = table.Categories.Count;
            var positions = new List<int>[dims];
            for (var d = 0; d < dims; d++)
            {
                var own = table.Position(c, d);
                var size = table.Categories[d].Count;
                var set = new List<int> { own };
                if (table.Definition.Margins && own != size)
                {
                    set.Add(size);
                }
                var alternatives = new List<(double Cost, int Position)>();
                for (var k = 0; k < size; k++)
                {
                    if (k == own)
                    {
                        continue;
                    }
                    var s = system.SystemIndex(t, table.WithPosition(c, d, k));
                    // Prefer cells already hidden, then cheap cells able to absorb the protection level downwards.
                    var cost = context.Suppressed[s] ? 0 : context.Weights[s] * (system.Values[s] >= level ? 1 : 4);
                    alternatives.Add((cost, k));
                }
                set.AddRange(alternatives.OrderBy(a => a.Cost).ThenBy(a => a.Position).Take(candidates).Select(a => a.Position));
                positions[d] = set;
            }
            foreach (var cell in table.Product(positions))
            {
                var s = system.SystemIndex(t, cell);
                result.Add(s);
                result.UnionWith(context.Twins[s]);
            }
        }
        return [.. result];
    }

    /// <summary>The deviation LP over a set of cells (cells outside the set keep their value).</summary>
    private sealed class DeviationModel : IDisposable
    {
        private readonly Context _context;
        private readonly int[] _cells;
        private readonly Dictionary<int, int> _local;
        private readonly Solver _solver;
        private readonly Variable[] _up;
        private readonly Variable[] _down;
        private readonly bool _symmetric;

        /// <param name="symmetric">Bound the deviation so that its negative is feasible too (|y| ≤ a, relation
        /// slack both ways); one solve then protects a cell upwards and downwards.</param>
        public DeviationModel(Context context, IReadOnlyCollection<int> cells, HashSet<int> suppressed, bool symmetric)
        {
            _symmetric = symmetric;
            _context = context;
            _cells = [.. cells];
            _local = new Dictionary<int, int>(_cells.Length);
            for (var i = 0; i < _cells.Length; i++)
            {
                _local[_cells[i]] = i;
            }
            _solver = Solver.CreateSolver("GLOP")
                ?? throw new InvalidOperationException("the GLOP LP solver is not available in this OR-Tools build");
            // Without presolve GLOP warm-starts from the previous basis when only bounds and costs change.
            _solver.SetSolverSpecificParametersAsString("use_preprocessing: false");
            var system = context.System;
            _up = new Variable[_cells.Length];
            _down = new Variable[_cells.Length];
            var objective = _solver.Objective();
            objective.SetMinimization();
            for (var i = 0; i < _cells.Length; i++)
            {
                var cell = _cells[i];
                // Up is unbounded (the attacker knows no upper bound); down is limited by non-negativity.
                // A cell the attacker already knows from another published version cannot move.
                var known = context.Known(cell);
                _up[i] = _solver.MakeNumVar(0, known ? 0 : symmetric ? system.Values[cell] : double.PositiveInfinity, "");
                _down[i] = _solver.MakeNumVar(0, known ? 0 : system.Values[cell], "");
                var cost = suppressed.Contains(cell) ? 0 : context.Weights[cell];
                objective.SetCoefficient(_up[i], cost);
                objective.SetCoefficient(_down[i], cost);
            }
            var done = new HashSet<int>();
            foreach (var cell in _cells)
            {
                foreach (var r in context.RelationsByCell[cell])
                {
                    if (done.Add(r))
                    {
                        AddRelation(system.Relations[r]);
                    }
                }
            }
        }

        private void AddRelation(LinearRelation relation)
        {
            var values = _context.System.Values;
            // a + y must still satisfy the relation: Σ c·y (= 0 | ≤ slack), slack = −Σ c·a ≥ 0.
            var slack = 0.0;
            for (var k = 0; k < relation.Cells.Count; k++)
            {
                slack -= relation.Coefficients[k] * values[relation.Cells[k]];
            }
            var constraint = relation.Sense == RelationSense.Equal
                ? _solver.MakeConstraint(0, 0, "")
                : _solver.MakeConstraint(_symmetric ? -Math.Max(0, slack) : double.NegativeInfinity, Math.Max(0, slack), "");
            for (var k = 0; k < relation.Cells.Count; k++)
            {
                if (_local.TryGetValue(relation.Cells[k], out var j))
                {
                    constraint.SetCoefficient(_up[j], relation.Coefficients[k]);
                    constraint.SetCoefficient(_down[j], -relation.Coefficients[k]);
                }
            }
        }

        public void MarkSuppressed(int cell)
        {
            if (_local.TryGetValue(cell, out var i))
            {
                _solver.Objective().SetCoefficient(_up[i], 0);
                _solver.Objective().SetCoefficient(_down[i], 0);
            }
        }

        /// <summary>Cheapest deviation moving p by <paramref name="level"/>; the cells it touches that are not
        /// yet suppressed, or null when no deviation exists within this model.</summary>
        public List<int>? Solve(int p, double level, bool isUp)
        {
            var i = _local[p];
            var (fixedVar, otherVar) = isUp ? (_up[i], _down[i]) : (_down[i], _up[i]);
            var (fixedLb, fixedUb, otherLb, otherUb) = (fixedVar.Lb(), fixedVar.Ub(), otherVar.Lb(), otherVar.Ub());
            fixedVar.SetBounds(level, level);
            otherVar.SetBounds(0, 0);
            List<int>? touched = null;
            if (_solver.Solve() == Solver.ResultStatus.OPTIMAL)
            {
                // Read the whole solution before touching the model: any change invalidates it.
                var threshold = 1e-7 * Math.Max(1, level);
                touched = [];
                for (var k = 0; k < _cells.Length; k++)
                {
                    if (!_context.Suppressed[_cells[k]] && (_up[k].SolutionValue() > threshold || _down[k].SolutionValue() > threshold))
                    {
                        touched.Add(_cells[k]);
                    }
                }
            }
            fixedVar.SetBounds(fixedLb, fixedUb);
            otherVar.SetBounds(otherLb, otherUb);
            return touched;
        }

        public void Dispose() => _solver.Dispose();
    }

    internal static double[] Weights(CellSystem system, DisclosureParameters parameters)
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
            var cost = table.Definition.Cost ?? parameters.Cost;
            weights[s] = cost == SuppressionCost.Value ? system.Values[s] + 1 : 1 + 0.5 * totals;
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
/// <param name="Report">Which method chose the pattern, its cost, a lower bound on the optimum and the gap.</param>
public sealed record SuppressionPattern(IReadOnlyList<bool> Suppressed, IReadOnlyList<int> Unprotectable, SuppressionReport Report);
