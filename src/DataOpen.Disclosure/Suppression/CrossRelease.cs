using DataOpen.Disclosure.Synthetic;
using DataOpen.Disclosure.Tables;

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
/// Disclosure control of a new release together with every version still published (issue 18). The release and the
/// published versions form one cell system (<see cref="JointModel"/>: unchanged cells shared, changed cells separate
/// per version, every version's relations); secondary suppression chooses its pattern over that union and the audit
/// is the attacker's LPs over it. A release that no pattern protects together with the old versions is refused with
/// the reason.
/// </summary>
public static class CrossRelease
{
    /// <param name="rules">The published policy: its caps join the attacker model of the joint audit
    /// (<see cref="AttackerKnowledge.FromPolicy"/>); null = relations, published cells and integrality only.</param>
    public static ProtectedTables Protect(IReadOnlyList<StatTable> tables, DisclosureParameters parameters, IReadOnlyList<PriorRelease> prior,
        PolicyRules? rules = null)
    {
        parameters.Validate();
        var system = CellSystem.Link(tables);
        var knowledge = rules is null ? AttackerKnowledge.Default : AttackerKnowledge.FromPolicy(system, rules);
        var joint = JointModel.Build(system, DisclosureControl.AssessPrimary(system, parameters), prior);
        var primary = joint.Primary[..system.Count];
        // The suppression model protects against the audit's caps too (in every version): a deviation must respect
        // them, so a pattern is not chosen that the capped attacker narrows. Integrality it does not model (see docs).
        var caps = knowledge.Relations(joint.System, joint.VersionMaps).ToList();
        var model = caps.Count == 0 ? joint.System : joint.System.WithRelations(caps);
        return DisclosureControl.ProtectAndAudit(system, primary, parameters,
            heuristic => joint.Project(heuristic
                ? SecondarySuppressor.Suppress(model, joint.Primary, parameters, joint.Forced, joint.Frozen)
                : OptimalSuppressor.Suppress(model, joint.Primary, parameters, joint.Forced, joint.Frozen)),
            pattern =>
            {
                var audit = Audit(joint, pattern.Suppressed, knowledge);
                // The stored audit is per cell of this release; findings on earlier versions' cells are problems.
                return new AuditResult([.. audit.Cells.Where(c => c.Cell < system.Count)],
                    [.. audit.Problems, .. pattern.Unprotectable.Select(c => $"no suppression pattern protects {system.Describe(c)} together with the published versions")]);
            });
    }

    /// <summary>The pattern over the union of the release and the published versions, without the audit (for the
    /// benchmark): the configured method, or with <paramref name="exactLimit"/> the exact reference (every component's
    /// model solved whole at gap 0 within that time).</summary>
    public static SuppressionPattern Suppress(IReadOnlyList<StatTable> tables, DisclosureParameters parameters, IReadOnlyList<PriorRelease> prior,
        TimeSpan? exactLimit = null)
    {
        parameters.Validate();
        var system = CellSystem.Link(tables);
        var joint = JointModel.Build(system, DisclosureControl.AssessPrimary(system, parameters), prior);
        return joint.Project(exactLimit is { } limit
            ? OptimalSuppressor.Exact(joint.System, joint.Primary, limit, joint.Forced, joint.Frozen)
            : OptimalSuppressor.Suppress(joint.System, joint.Primary, parameters, joint.Forced, joint.Frozen));
    }

    /// <summary>The attacker's LPs over the current release and every prior version: min and max of every withheld
    /// cell of any version subject to all published cells of all versions, each version's table relations,
    /// non-negativity, and equality of cells that did not change (<see cref="JointModel"/>). Cells of earlier versions
    /// are reported as "… in version N".</summary>
    /// <param name="knowledge">What else the attacker knows (default: integrality; <see cref="AttackerKnowledge.FromPolicy"/>
    /// adds the policy's caps, applied in every version).</param>
    public static AuditResult AuditJoint(CellSystem system, IReadOnlyList<PrimaryAssessment> primary, IReadOnlyList<bool> suppressed,
        IReadOnlyList<PriorRelease> prior, AttackerKnowledge? knowledge = null) => Audit(JointModel.Build(system, primary, prior), suppressed, knowledge);

    private static AuditResult Audit(JointModel joint, IReadOnlyList<bool> suppressed, AttackerKnowledge? knowledge)
    {
        var audit = Auditor.Audit(joint.System, joint.Primary, joint.Hidden(suppressed), knowledge, joint.VersionMaps);
        return audit with { Problems = [.. joint.Problems, .. audit.Problems] };
    }
}
