using System.Globalization;
using DataOpen.Disclosure.Synthetic;
using DataOpen.Disclosure.Tables;

namespace DataOpen.Disclosure.Suppression;

/// <summary>value(<paramref name="Cell"/>) ≤ <paramref name="Cap"/> × value(<paramref name="Per"/>), or = 0 when
/// <paramref name="Per"/> is null (a structural zero: then Cap must be 0); cells keyed as <see cref="CellSystem.Describe"/>.</summary>
public sealed record CellCap
{
    public CellCap(string Cell, string? Per, double Cap)
    {
        if (Per is null && Cap != 0)
        {
            throw new DisclosureException($"cap of {Cell}: a cap without a cell it is per must be 0 (a structural zero), got {Cap}");
        }
        (this.Cell, this.Per, this.Cap) = (Cell, Per, Cap);
    }

    public string Cell { get; }

    public string? Per { get; }

    public double Cap { get; }
}

/// <summary>
/// What the attacker of the audit knows besides the published cells of every version, the table relations and
/// non-negativity (issue 18's attacker model).
/// </summary>
/// <param name="Integers">Counts, and amounts of a table whose every value is a whole number (whole yuan), are
/// integers: the audit's interval of such a cell is that of the integer program (an LP first; SCIP when the LP's
/// optimum is fractional).</param>
/// <param name="Caps">Upper bounds known from the policy: see <see cref="FromPolicy"/>.</param>
public sealed record AttackerKnowledge(bool Integers, IReadOnlyList<CellCap> Caps)
{
    /// <summary>Relations, published cells, non-negativity and integrality: what the audit before a publish uses.</summary>
    public static AttackerKnowledge Default { get; } = new(true, []);

    /// <summary>The LP attacker only (no integrality, no caps).</summary>
    public static AttackerKnowledge LinearOnly { get; } = new(false, []);

    /// <summary>
    /// The caps a reader of <c>policy-measures</c> knows, for tables with a <c>measure</c> dimension (grant clause
    /// ids) and a <c>year</c> dimension: an amount cell of one measure and one year is at most the measure's cap per
    /// enterprise and year × the enterprises of the same cell in the count table over the same source, contributor and
    /// dimensions; cells of a measure outside the one track it is limited to, or of a year before it took effect, are 0.
    /// </summary>
    public static AttackerKnowledge FromPolicy(CellSystem system, PolicyRules rules)
    {
        var caps = new List<CellCap>();
        for (var s = 0; s < system.BaseCount; s++)
        {
            foreach (var (t, c) in system.Occurrences[s])
            {
                var table = system.Tables[t];
                var d = table.Definition;
                var names = d.Dimensions.Select(x => x.Name).ToList();
                var labels = table.Cells[c].Categories;
                var (mi, yi, ti) = (names.IndexOf("measure"), names.IndexOf("year"), names.IndexOf("track"));
                if (mi < 0 || rules.GrantMeasure(labels[mi]) is not { } measure)
                {
                    continue;
                }
                var year = yi >= 0 && int.TryParse(labels[yi], NumberStyles.None, CultureInfo.InvariantCulture, out var y) ? y : (int?)null;
                var key = system.Describe(s);
                if ((measure.Track is { } only && ti >= 0 && labels[ti] != StatTable.TotalCode && labels[ti] != only)
                    || (measure.EffectiveOn is { } from && year < from.Year))
                {
                    caps.Add(new CellCap(key, null, 0));
                    continue;
                }
                if (d.Measure.Kind != MeasureKind.Sum || measure.MaxPerEnterprisePerYear is not { } cap || year is null)
                {
                    continue;
                }
                for (var u = 0; u < system.Tables.Count; u++)
                {
                    var counts = system.Tables[u];
                    var cd = counts.Definition;
                    if (cd.Measure.Kind == MeasureKind.CountContributors && cd.Source == d.Source && cd.ContributorKey == d.ContributorKey
                        && cd.Dimensions.Select(x => x.Name).SequenceEqual(names))
                    {
                        caps.Add(new CellCap(key, system.Describe(system.SystemIndex(u, counts.Cell([.. labels]).Index)), (double)cap));
                    }
                }
            }
        }
        return new AttackerKnowledge(true, [.. caps.Distinct()]);
    }

    /// <summary>The caps as relations over <paramref name="system"/>'s cells of this release (Σ c·x ≤ 0).</summary>
    internal IEnumerable<LinearRelation> Relations(CellSystem system, IReadOnlyList<int[]>? versionMaps = null)
    {
        if (Caps.Count == 0)
        {
            yield break;
        }
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var s = 0; s < system.BaseCount; s++)
        {
            index[system.Describe(s)] = s;
        }
        foreach (var cap in Caps)
        {
            if (!index.TryGetValue(cap.Cell, out var a) || (cap.Per is not null && !index.ContainsKey(cap.Per)))
            {
                continue;
            }
            var per = cap.Per is null ? -1 : index[cap.Per];
            foreach (var map in (IEnumerable<int[]?>)[null, .. versionMaps ?? []])
            {
                var cell = map is null ? a : map[a];
                yield return per < 0
                    ? new LinearRelation([cell], [1], RelationSense.LessOrEqual)
                    : new LinearRelation([cell, map is null ? per : map[per]], [1, -cap.Cap], RelationSense.LessOrEqual);
            }
        }
    }
}
