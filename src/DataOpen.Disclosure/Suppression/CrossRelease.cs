using DataOpen.Disclosure.Tables;
using Google.OrTools.LinearSolver;

namespace DataOpen.Disclosure.Suppression;

/// <summary>One cell of a version that is still published, keyed by <see cref="CellSystem.Describe"/>.</summary>
/// <param name="Published">The published value, or null when the version withholds the cell.</param>
/// <param name="TrueValue">The confidential value (restricted: from the stored audit or the old microdata).</param>
/// <param name="RequiredLower">For a withheld cell: the interval the attacker must not narrow (value when not sensitive).</param>
public sealed record PriorCell(decimal? Published, double TrueValue, double RequiredLower, double RequiredUpper);

/// <summary>A version of the statistics tables that is still downloadable.</summary>
public sealed record PriorRelease(string Name, IReadOnlyDictionary<string, PriorCell> Cells)
{
    /// <summary>The cells of an earlier protection run, as it was published.</summary>
    public static PriorRelease From(string name, ProtectedTables run)
    {
        var cells = new Dictionary<string, PriorCell>(StringComparer.Ordinal);
        for (var s = 0; s < run.System.Count; s++)
        {
            var value = run.System.Values[s];
            var hidden = run.Pattern.Suppressed[s];
            var p = run.Primary[s];
            cells[run.System.Describe(s)] = new PriorCell(hidden ? null : (decimal)value, value,
                hidden ? value - p.LowerProtection : value, hidden ? value + p.UpperProtection : value);
        }
        return new PriorRelease(name, cells);
    }
}

/// <summary>
/// Disclosure control of a new release together with every version still published (issue 18). A cell whose
/// confidential value did not change since a published version is the same unknown in both (hidden there → kept
/// hidden now; published there → already public, so it is a constant and may never serve as a complement); a
/// cell that changed is a separate unknown per version. The audit is one LP system over all versions.
/// </summary>
public static class CrossRelease
{
    public static ProtectedTables Protect(IReadOnlyList<StatTable> tables, DisclosureParameters parameters, IReadOnlyList<PriorRelease> prior)
    {
        parameters.Validate();
        var system = CellSystem.Link(tables);
        var primary = DisclosureControl.AssessPrimary(system, parameters);
        var forced = new bool[system.Count];
        var frozen = new bool[system.Count];
        var problems = new List<string>();
        for (var s = 0; s < system.Count; s++)
        {
            var key = system.Describe(s);
            foreach (var release in prior)
            {
                if (release.Cells.TryGetValue(key, out var old) && Unchanged(old.TrueValue, system.Values[s]))
                {
                    if (old.Published is null)
                    {
                        forced[s] = true;
                    }
                    else
                    {
                        frozen[s] = true;
                        if (primary[s].Sensitive)
                        {
                            problems.Add($"sensitive cell {key} ({primary[s].Reason}) is already published unchanged in version {release.Name}: withdraw that version first");
                        }
                    }
                }
            }
        }
        return DisclosureControl.ProtectAndAudit(system, primary, parameters, forced, frozen, pattern =>
        {
            var single = Auditor.Audit(system, primary, pattern.Suppressed);
            var joint = AuditJoint(system, primary, pattern.Suppressed, prior);
            // The stored audit stays per system cell of this release; the joint LP adds its findings as problems.
            return single with
            {
                Problems = [.. single.Problems, .. joint.Problems.Except(single.Problems), .. problems,
                    .. pattern.Unprotectable.Select(c => $"no suppression pattern protects {system.Describe(c)}")],
            };
        });
    }

    private static bool Unchanged(double a, double b) => Math.Abs(a - b) <= 1e-9 * Math.Max(1, Math.Abs(b));

    /// <summary>The attacker's LPs over the current release and every prior version: min and max of every
    /// withheld cell of any version subject to all published cells of all versions, each version's table
    /// relations, non-negativity, and equality of cells the publisher knows to be unchanged.</summary>
    public static AuditResult AuditJoint(CellSystem system, IReadOnlyList<PrimaryAssessment> primary, IReadOnlyList<bool> suppressed,
        IReadOnlyList<PriorRelease> prior)
    {
        using var solver = Solver.CreateSolver("GLOP")
            ?? throw new InvalidOperationException("the GLOP LP solver is not available in this OR-Tools build");
        var cap = 16 * system.Values.Sum(Math.Abs) + 1024;
        var keys = Enumerable.Range(0, system.Count).Select(system.Describe).ToArray();
        // Per version (0 = current), per cell: a variable, or null with a known constant.
        var versions = prior.Count + 1;
        var vars = new Variable?[versions][];
        var constants = new double[versions][];
        var targets = new List<(Variable Var, string Location, double Value, double Lower, double Upper, bool Primary)>();
        var problems = new List<string>();
        for (var v = 0; v < versions; v++)
        {
            vars[v] = new Variable?[system.Count];
            constants[v] = new double[system.Count];
        }
        for (var s = 0; s < system.Count; s++)
        {
            if (suppressed[s])
            {
                vars[0][s] = solver.MakeNumVar(0, cap, "");
                var p = primary[s];
                targets.Add((vars[0][s]!, keys[s], system.Values[s], system.Values[s] - p.LowerProtection, system.Values[s] + p.UpperProtection, p.Sensitive));
            }
            constants[0][s] = system.Values[s];
        }
        for (var v = 1; v < versions; v++)
        {
            var release = prior[v - 1];
            for (var s = 0; s < system.Count; s++)
            {
                if (!release.Cells.TryGetValue(keys[s], out var old))
                {
                    // A cell the old version does not have: its relations are not those of this layout.
                    vars[v][s] = solver.MakeNumVar(0, cap, "");
                    continue;
                }
                if (old.Published is { } value)
                {
                    constants[v][s] = (double)value;
                }
                else if (Unchanged(old.TrueValue, system.Values[s]))
                {
                    vars[v][s] = vars[0][s];
                    constants[v][s] = system.Values[s];
                }
                else
                {
                    vars[v][s] = solver.MakeNumVar(0, cap, "");
                    targets.Add((vars[v][s]!, $"{keys[s]} in version {release.Name}", old.TrueValue, old.RequiredLower, old.RequiredUpper,
                        old.RequiredLower < old.TrueValue || old.RequiredUpper > old.TrueValue));
                }
                if (old.Published is not null && suppressed[s] && Unchanged(old.TrueValue, system.Values[s]))
                {
                    // Published there, hidden here, same value: the attacker reads it from the old version.
                    var c = solver.MakeConstraint(old.TrueValue, old.TrueValue, "");
                    c.SetCoefficient(vars[0][s]!, 1);
                }
            }
        }
        for (var v = 0; v < versions; v++)
        {
            foreach (var relation in system.Relations)
            {
                var rhs = 0.0;
                var any = false;
                for (var k = 0; k < relation.Cells.Count; k++)
                {
                    if (vars[v][relation.Cells[k]] is null)
                    {
                        rhs -= relation.Coefficients[k] * constants[v][relation.Cells[k]];
                    }
                    else
                    {
                        any = true;
                    }
                }
                if (!any)
                {
                    continue;
                }
                var constraint = relation.Sense == RelationSense.Equal
                    ? solver.MakeConstraint(rhs, rhs, "")
                    : solver.MakeConstraint(double.NegativeInfinity, rhs, "");
                for (var k = 0; k < relation.Cells.Count; k++)
                {
                    if (vars[v][relation.Cells[k]] is { } x)
                    {
                        constraint.SetCoefficient(x, constraint.GetCoefficient(x) + relation.Coefficients[k]);
                    }
                }
            }
        }
        var audits = new List<CellAudit>();
        var objective = solver.Objective();
        for (var i = 0; i < targets.Count; i++)
        {
            var t = targets[i];
            objective.SetCoefficient(t.Var, 1);
            objective.SetMinimization();
            var lower = solver.Solve() == Solver.ResultStatus.OPTIMAL ? t.Var.SolutionValue() : double.NaN;
            objective.SetMaximization();
            var upper = solver.Solve() == Solver.ResultStatus.OPTIMAL ? t.Var.SolutionValue() : double.NaN;
            objective.SetCoefficient(t.Var, 0);
            if (double.IsNaN(lower) || double.IsNaN(upper))
            {
                problems.Add($"joint audit LP for {t.Location} did not solve");
                continue;
            }
            if (upper >= cap * (1 - 1e-9))
            {
                upper = double.PositiveInfinity;
            }
            var tolerance = 1e-6 * Math.Max(1, t.Upper);
            var satisfied = !t.Primary || (upper >= t.Upper - tolerance && lower <= t.Lower + tolerance);
            if (!satisfied)
            {
                problems.Add($"sensitive cell {t.Location} can be narrowed across versions to [{lower:R}, {upper:R}], protection needs [{t.Lower:R}, {t.Upper:R}]");
            }
            audits.Add(new CellAudit(i, t.Location, t.Value, lower, upper, t.Lower, t.Upper, t.Primary, satisfied));
        }
        return new AuditResult(audits, problems);
    }
}
