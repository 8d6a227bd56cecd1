using System.Diagnostics;

namespace DataOpen.Disclosure.Suppression;

/// <summary>How a suppression pattern was chosen and how good it is.</summary>
/// <param name="Method">"mip-exact" (every component solved whole), "mip-modular" (some split into linked
/// sub-problems), "heuristic", joined with "+" when mixed; "+heuristic-fallback" when the time limit or an
/// infeasible sub-problem left cells to the heuristic.</param>
/// <param name="Cost">Cost of the complementary cells (Σ weight over cells suppressed beyond the sensitive and
/// the kept ones): weight = value + 1 for cost "value", 1 (+0.5 per total dimension) for cost "cells".</param>
/// <param name="Bound">A proven lower bound on the optimal cost (per component: the solver's bound of the exact
/// model, or the covering bound of <see cref="SuppressionMip.CoverBound"/>); null for the heuristic alone.</param>
/// <param name="CellCost">Per system cell: its weight when it is a complementary cell, else 0.</param>
public sealed record SuppressionReport(
    string Method,
    double Cost,
    double? Bound,
    int ExactComponents,
    int SubProblems,
    int FallbackCells,
    bool TimeLimitReached,
    TimeSpan Elapsed,
    IReadOnlyList<double> CellCost)
{
    /// <summary>(cost − bound) / cost: how far from the optimum the pattern can at most be.</summary>
    public double? Gap => Bound is not { } b ? null : Cost <= 0 ? 0 : Math.Max(0, (Cost - b) / Cost);

    internal static double[] CostPerCell(SecondarySuppressor.Context context) =>
        [.. Enumerable.Range(0, context.System.Count).Select(i => context.Suppressed[i] && !context.Initial[i] ? context.Weights[i] : 0)];

    internal static SuppressionReport Heuristic(SecondarySuppressor.Context context, TimeSpan elapsed = default)
    {
        var cost = CostPerCell(context);
        return new SuppressionReport("heuristic", cost.Sum(), null, 0, 0, 0, false, elapsed, cost);
    }
}

/// <summary>
/// Near-optimal complementary suppression (issue 18 item 3). Per connected component of the cell system:
/// <list type="number">
/// <item>when the exact model (<see cref="SuppressionMip"/>) of the whole component has at most
/// <see cref="DisclosureParameters.MaxExactVariables"/> deviation variables it is solved in one piece — the optimum
/// of the component;</item>
/// <item>otherwise the component is split into linked sub-problems (modular, in the spirit of HiTaS): sensitive
/// cells are taken in order of protection level, grouped with the unprocessed sensitive cells of their
/// neighbourhood (at most <see cref="GroupSize"/>), and each group's model is solved over the union of their
/// neighbourhoods (own category, total and <see cref="SubCandidates"/> cheapest alternatives per dimension, cells
/// already suppressed first). Cells outside a sub-problem keep their value, cells chosen by earlier sub-problems are
/// free: sub-problems are linked through the cells they share, and each has bounded size, so time grows with the
/// number of sensitive cells, i.e. close to linearly;</item>
/// <item>every whole component and every sub-problem is also solved by the heuristic first: its pattern is the
/// solver's starting point, and it is kept when the time limit stops the solver above it;</item>
/// <item>what the time limit (<see cref="DisclosureParameters.TimeLimit"/>) leaves unsolved, or a sub-problem
/// without a pattern inside its cells, is protected by the LP heuristic of <see cref="SecondarySuppressor"/>.</item>
/// </list>
/// Every pattern protects by construction and is audited independently afterwards.
/// </summary>
public static class OptimalSuppressor
{
    public const int GroupSize = 4;

    public const int SubCandidates = 6;

    /// <summary>Largest first-pass sub-problem, in deviation variables; above, half the alternatives per dimension.</summary>
    public const int SubVariables = 8_000;

    /// <summary>Relative optimality gap at which SCIP stops.</summary>
    public const double RelativeGap = 1e-4;

    /// <summary>Rounds of the modular method's repair pass (each re-solves every sub-problem once).</summary>
    public const int RepairRounds = 3;

    /// <summary>Most alternatives per dimension of a sub-problem re-solved by the repair pass (halved until the model
    /// fits <see cref="RepairVariables"/>).</summary>
    public const int RepairCandidates = 24;

    /// <summary>Largest sub-problem model of the repair pass, in deviation variables: bounded, so time stays linear.</summary>
    public const int RepairVariables = 20_000;


    public static SuppressionPattern Suppress(CellSystem system, IReadOnlyList<PrimaryAssessment> primary, DisclosureParameters parameters,
        IReadOnlyList<bool>? forced = null, IReadOnlyList<bool>? frozen = null) =>
        Suppress(system, primary, parameters, forced, frozen, RelativeGap);

    /// <summary>The exact reference: the model of every component solved whole to proven optimality (relative gap
    /// 0) within <paramref name="limit"/>; <see cref="SuppressionReport.TimeLimitReached"/> says whether it was proven.</summary>
    public static SuppressionPattern Exact(CellSystem system, IReadOnlyList<PrimaryAssessment> primary, TimeSpan limit,
        IReadOnlyList<bool>? forced = null, IReadOnlyList<bool>? frozen = null) =>
        Suppress(system, primary, new DisclosureParameters { TimeLimit = limit, MaxExactVariables = int.MaxValue }, forced, frozen, 0);

    /// <param name="relativeGap">0 to prove optimality (the exact reference of the tests and the benchmark).</param>
    internal static SuppressionPattern Suppress(CellSystem system, IReadOnlyList<PrimaryAssessment> primary, DisclosureParameters parameters,
        IReadOnlyList<bool>? forced, IReadOnlyList<bool>? frozen, double relativeGap)
    {
        var clock = Stopwatch.StartNew();
        var context = SecondarySuppressor.NewContext(system, primary, parameters, forced, frozen);
        var unprotectable = new List<int>();
        var (exact, subProblems, fallback, limitReached, modular) = (0, 0, 0, false, false);
        var bound = 0.0;
        foreach (var component in system.Components())
        {
            var targets = Targets(context, component.Where(c => primary[c].Sensitive));
            if (targets.Count == 0)
            {
                continue;
            }
            var remaining = parameters.TimeLimit - clock.Elapsed;
            if (remaining <= TimeSpan.Zero)
            {
                limitReached = true;
                fallback += Fallback(context, component, component.Where(c => primary[c].Sensitive), unprotectable);
                bound += SuppressionMip.CoverBound(context, component);
                continue;
            }
            if (SuppressionMip.Size(component.Length, targets.Count) <= parameters.MaxExactVariables)
            {
                var heuristic = HeuristicStep(context, component, component.Where(c => primary[c].Sensitive));
                var result = SuppressionMip.Solve(context, component, targets, remaining, relativeGap, heuristic.Chosen);
                if (result is not null)
                {
                    // Stopped by the time limit above the heuristic's pattern: keep the cheaper one.
                    Mark(context, result.Objective <= heuristic.Cost || !heuristic.Protected ? result.Chosen : [.. heuristic.Chosen]);
                    exact++;
                    limitReached |= !result.Optimal;
                    bound += result.Bound;
                    continue;
                }
                limitReached |= clock.Elapsed >= parameters.TimeLimit;
                fallback += Fallback(context, component, component.Where(c => primary[c].Sensitive), unprotectable);
                bound += SuppressionMip.CoverBound(context, component);
                continue;
            }
            modular = true;
            bound += SuppressionMip.CoverBound(context, component);
            var (count, fell, reached) = Modular(context, component, parameters.TimeLimit, parameters.SubProblemTimeLimit, clock, relativeGap, unprotectable);
            subProblems += count;
            fallback += fell;
            limitReached |= reached;
        }
        var method = new List<string>();
        if (exact > 0)
        {
            method.Add("mip-exact");
        }
        if (modular)
        {
            method.Add("mip-modular");
        }
        if (fallback > 0)
        {
            method.Add("heuristic-fallback");
        }
        var cost = SuppressionReport.CostPerCell(context);
        var report = new SuppressionReport(method.Count == 0 ? "mip-exact" : string.Join("+", method), cost.Sum(), bound, exact, subProblems, fallback,
            limitReached, clock.Elapsed, cost);
        return new SuppressionPattern(context.Suppressed, unprotectable, report);
    }

    private static (int SubProblems, int Fallback, bool LimitReached) Modular(SecondarySuppressor.Context context, int[] component,
        TimeSpan budget, TimeSpan subProblemLimit, Stopwatch clock, double relativeGap, List<int> unprotectable)
    {
        var primary = context.Primary;
        var order = component.Where(c => primary[c].Sensitive)
            .OrderByDescending(c => Math.Max(primary[c].UpperProtection, primary[c].LowerProtection)).ThenBy(c => c).ToArray();
        var done = new HashSet<int>();
        var (count, fallback, reached) = (0, 0, false);
        // Sub-problems the integer program protected, with its deviations, for the repair pass; cells a heuristic
        // step may rely on (its deviations are not kept) are pinned.
        var solved = new List<SubProblem>();
        var pinned = new HashSet<int>();
        foreach (var p in order)
        {
            if (!done.Add(p))
            {
                continue;
            }
            var group = new List<int> { p };
            var neighbourhood = SecondarySuppressor.Neighbourhood(context, p, SubCandidates);
            foreach (var q in neighbourhood)
            {
                if (group.Count < GroupSize && primary[q].Sensitive && done.Add(q))
                {
                    group.Add(q);
                }
            }
            var cells = new HashSet<int>(neighbourhood);
            foreach (var q in group.Skip(1))
            {
                cells.UnionWith(SecondarySuppressor.Neighbourhood(context, q, SubCandidates));
            }
            if (SuppressionMip.Size(cells.Count, 2 * group.Count) > SubVariables)
            {
                // Too large to solve within a sub-problem's time limit (3-dimensional tables with long sides): fewer
                // alternatives per dimension; the repair pass widens them again.
                cells = [.. group.SelectMany(q => SecondarySuppressor.Neighbourhood(context, q, SubCandidates / 2))];
            }
            count++;
            var remaining = budget - clock.Elapsed;
            MipResult? result = null;
            // Without time left the fallback below protects the group: its heuristic step is not computed twice.
            var heuristic = remaining > TimeSpan.Zero ? HeuristicStep(context, component, group) : ([], 0, false);
            var targets = Targets(context, group);
            if (remaining > TimeSpan.Zero)
            {
                result = SuppressionMip.Solve(context, [.. cells], targets, remaining < subProblemLimit ? remaining : subProblemLimit,
                    relativeGap, heuristic.Chosen);
            }
            else
            {
                reached = true;
            }
            if (result is null || (heuristic.Protected && heuristic.Cost < result.Objective))
            {
                // No pattern inside the sub-problem, no time left, or the heuristic's step is cheaper.
                fallback += result is null ? Fallback(context, component, group, unprotectable) : 0;
                if (result is not null)
                {
                    Mark(context, [.. heuristic.Chosen]);
                }
                pinned.UnionWith(component.Where(c => context.Suppressed[c]));
                continue;
            }
            reached |= !result.Optimal;
            Mark(context, result.Chosen);
            solved.Add(new SubProblem([.. cells], targets, [.. result.Supports], [.. result.Chosen]));
        }
        reached |= Repair(context, solved, pinned, budget, subProblemLimit, clock, relativeGap);
        return (count, fallback, reached);
    }

    /// <summary>One sub-problem the integer program protected: its cells, requirements, the deviations that protect
    /// them (cells each moves) and the cells it chose.</summary>
    private sealed record SubProblem(int[] Cells, List<ProtectionTarget> Targets, int[][] Supports, int[] Chosen);

    /// <summary>
    /// The repair pass of the modular method: a sub-problem solved early could not use the cells later ones chose. Per
    /// sub-problem, the complementary cells that no other requirement's deviation moves are released and the
    /// sub-problem is solved again with everything else suppressed free; the new pattern is kept when it is cheaper.
    /// Every other requirement keeps its deviation (all its cells stay suppressed), so protection holds throughout.
    /// Repeated while a round improves (at most <see cref="RepairRounds"/>) and time is left.
    /// </summary>
    private static bool Repair(SecondarySuppressor.Context context, List<SubProblem> solved, HashSet<int> pinned, TimeSpan budget,
        TimeSpan subProblemLimit, Stopwatch clock, double relativeGap)
    {
        var reached = false;
        // Per cell, how many requirements' deviations (of all sub-problems) move it: a cell is used by another
        // sub-problem when more of them move it than this sub-problem's own. Counted, not re-collected per
        // sub-problem, so a round is linear in the number of sub-problems.
        var uses = new Dictionary<int, int>();
        void Count(SubProblem sub, int delta)
        {
            foreach (var support in sub.Supports)
            {
                foreach (var c in support)
                {
                    uses[c] = uses.GetValueOrDefault(c) + delta;
                }
            }
        }
        solved.ForEach(sub => Count(sub, 1));
        for (var round = 0; round < RepairRounds; round++)
        {
            var improved = false;
            for (var k = 0; k < solved.Count; k++)
            {
                var remaining = budget - clock.Elapsed;
                if (remaining <= TimeSpan.Zero)
                {
                    return true;
                }
                var sub = solved[k];
                Count(sub, -1);
                var released = sub.Chosen.Concat(sub.Supports.SelectMany(x => x)).Distinct()
                    .Where(c => context.Suppressed[c] && !context.Initial[c] && !pinned.Contains(c) && uses.GetValueOrDefault(c) == 0).ToList();
                if (released.Count == 0)
                {
                    Count(sub, 1);
                    continue;
                }
                var before = released.Sum(c => context.Weights[c]);
                foreach (var c in released)
                {
                    context.Suppressed[c] = false;
                }
                var result = SuppressionMip.Solve(context, Wider(context, sub), sub.Targets, remaining < subProblemLimit ? remaining : subProblemLimit,
                    relativeGap, released.ToHashSet());
                if (result is not null && result.Objective < before * (1 - 1e-9))
                {
                    reached |= !result.Optimal;
                    Mark(context, result.Chosen);
                    solved[k] = sub with { Supports = [.. result.Supports], Chosen = [.. result.Chosen] };
                    improved = true;
                }
                else
                {
                    Mark(context, released);
                }
                Count(solved[k], 1);
            }
            if (!improved)
            {
                break;
            }
        }
        return reached;
    }

    /// <summary>The sub-problem's cells with wider neighbourhoods (up to <see cref="RepairCandidates"/> alternatives per
    /// dimension) while the model stays within <see cref="RepairVariables"/> deviation variables: the first pass's
    /// neighbourhoods may leave out the cells of a cheaper pattern.</summary>
    private static int[] Wider(SecondarySuppressor.Context context, SubProblem sub)
    {
        var sensitive = sub.Targets.Select(t => t.Cell).Distinct().ToList();
        for (var candidates = RepairCandidates; candidates > SubCandidates; candidates /= 2)
        {
            var cells = new HashSet<int>(sub.Cells);
            foreach (var q in sensitive)
            {
                cells.UnionWith(SecondarySuppressor.Neighbourhood(context, q, candidates));
            }
            if (SuppressionMip.Size(cells.Count, sub.Targets.Count) <= RepairVariables)
            {
                return [.. cells];
            }
        }
        return sub.Cells;
    }

    /// <summary>What the heuristic would suppress for <paramref name="cells"/> now (on a copy of the state).</summary>
    private static (HashSet<int> Chosen, double Cost, bool Protected) HeuristicStep(SecondarySuppressor.Context context, int[] component, IEnumerable<int> cells)
    {
        var copy = context with { Suppressed = [.. context.Suppressed] };
        var failed = new List<int>();
        SecondarySuppressor.ProtectCells(copy, component, cells, failed, freeSuppressed: true);
        var chosen = new HashSet<int>();
        var cost = 0.0;
        foreach (var c in component)
        {
            if (copy.Suppressed[c] && !context.Suppressed[c])
            {
                chosen.Add(c);
                cost += context.Weights[c];
            }
        }
        return (chosen, cost, failed.Count == 0);
    }

    private static int Fallback(SecondarySuppressor.Context context, int[] component, IEnumerable<int> cells, List<int> unprotectable)
    {
        var list = cells.ToList();
        SecondarySuppressor.ProtectCells(context, component, list, unprotectable, freeSuppressed: true);
        return list.Count;
    }

    private static void Mark(SecondarySuppressor.Context context, List<int> cells)
    {
        foreach (var c in cells)
        {
            context.Suppressed[c] = true;
        }
    }

    private static List<ProtectionTarget> Targets(SecondarySuppressor.Context context, IEnumerable<int> sensitive)
    {
        var targets = new List<ProtectionTarget>();
        foreach (var p in sensitive)
        {
            var a = context.Primary[p];
            if (a.UpperProtection > 0)
            {
                targets.Add(new ProtectionTarget(p, a.UpperProtection, true));
            }
            if (a.LowerProtection > 0)
            {
                targets.Add(new ProtectionTarget(p, a.LowerProtection, false));
            }
        }
        return targets;
    }
}
