using DataOpen.Disclosure.Tables;

namespace DataOpen.Disclosure.Suppression;

/// <summary>
/// The union of a new release and every version still published, as one cell system (issue 18): the suppression
/// model and the attacker's audit both work on it.
/// <list type="bullet">
/// <item>A cell whose confidential value is the same in a published version is one cell of the union: withheld there →
/// kept withheld now (<see cref="Forced"/>, free) with the larger of both protection intervals; published there → public
/// (<see cref="Frozen"/>: a constant the attacker knows, never a complement).</item>
/// <item>A cell that changed is a separate cell per version (beyond <see cref="CellSystem.BaseCount"/>): a constant
/// when that version published it, else an unknown that deviations may move for free (that version withholds it) and,
/// when that version protects it, a sensitive cell whose interval the new release must not narrow either.</item>
/// <item>A cell missing from a version whose table it has is 0 there and known (the category did not exist yet); a
/// cell of a table the version lacks is an unknown there.</item>
/// <item>Every version has the table relations of this release's layout over its own cells.</item>
/// </list>
/// </summary>
internal sealed class JointModel
{
    private JointModel(CellSystem system, PrimaryAssessment[] primary, bool[] forced, bool[] frozen, IReadOnlyList<string> problems,
        IReadOnlyList<int[]> versionMaps)
    {
        VersionMaps = versionMaps;
        System = system;
        Primary = primary;
        Forced = forced;
        Frozen = frozen;
        Problems = problems;
    }

    /// <summary>The release's cells, then the earlier versions' changed cells, with every version's relations.</summary>
    public CellSystem System { get; }

    /// <summary>Protection per union cell: the release's own assessment, raised to what an earlier version requires.</summary>
    public PrimaryAssessment[] Primary { get; }

    /// <summary>Cells withheld whatever the pattern: withheld unchanged in a published version, or an earlier
    /// version's withheld cell.</summary>
    public bool[] Forced { get; }

    /// <summary>Cells the attacker knows: published (unchanged) in some version.</summary>
    public bool[] Frozen { get; }

    /// <summary>Per published version, per cell of the release: its cell in that version (itself when unchanged).</summary>
    public IReadOnlyList<int[]> VersionMaps { get; }

    /// <summary>Why no pattern can protect the release together with the published versions.</summary>
    public IReadOnlyList<string> Problems { get; }

    public static JointModel Build(CellSystem system, IReadOnlyList<PrimaryAssessment> primary, IReadOnlyList<PriorRelease> prior)
    {
        var n = system.Count;
        var keys = Enumerable.Range(0, n).Select(system.Describe).ToArray();
        var index = new Dictionary<string, int>(n, StringComparer.Ordinal);
        for (var s = 0; s < n; s++)
        {
            index[keys[s]] = s;
        }
        var union = new List<PrimaryAssessment>(primary);
        var (forced, frozen) = (new List<bool>(new bool[n]), new List<bool>(new bool[n]));
        var cells = new List<(double Value, int Origin, string Version)>();
        var relations = new List<LinearRelation>();
        var seen = new HashSet<string>(system.Relations.Select(Signature), StringComparer.Ordinal);
        var problems = new List<string>();
        var maps = new List<int[]>();
        // Published unchanged in any version: public, whatever another version withholds.
        var known = new bool[n];
        foreach (var release in prior)
        {
            for (var s = 0; s < n; s++)
            {
                known[s] |= release.Cells.TryGetValue(keys[s], out var old) && old.Published is not null && Unchanged(old.TrueValue, system.Values[s]);
            }
        }
        foreach (var release in prior)
        {
            var foreign = release.Cells.Keys.FirstOrDefault(k => !index.ContainsKey(k));
            if (foreign is not null)
            {
                problems.Add($"version {release.Name} has cells outside the tables of this release (e.g. {foreign}): its relations cannot be modelled; withdraw that version or keep its categories");
            }
            var tables = release.Cells.Keys.Select(TableOf).ToHashSet(StringComparer.Ordinal);
            var map = new int[n];
            maps.Add(map);
            for (var s = 0; s < n; s++)
            {
                int Add(double value, bool withheld, PrimaryAssessment protection)
                {
                    cells.Add((value, s, release.Name));
                    forced.Add(withheld);
                    frozen.Add(!withheld);
                    union.Add(protection);
                    return n + cells.Count - 1;
                }
                if (!release.Cells.TryGetValue(keys[s], out var old))
                {
                    map[s] = Add(0, !tables.Contains(TableOf(keys[s])), PrimaryAssessment.Safe);
                }
                else if (Unchanged(old.TrueValue, system.Values[s]))
                {
                    map[s] = s;
                    if (known[s])
                    {
                        frozen[s] = true;
                        if (primary[s].Sensitive && old.Published is not null)
                        {
                            problems.Add($"sensitive cell {keys[s]} ({primary[s].Reason}) is already published unchanged in version {release.Name}: withdraw that version first");
                        }
                    }
                    else
                    {
                        forced[s] = true;
                        union[s] = union[s].Max(Protection(old));
                    }
                }
                else
                {
                    map[s] = Add(old.TrueValue, old.Published is null, old.Published is null ? Protection(old) : PrimaryAssessment.Safe);
                }
            }
            foreach (var relation in system.Relations)
            {
                var mapped = new LinearRelation([.. relation.Cells.Select(c => map[c])], relation.Coefficients, relation.Sense);
                if (seen.Add(Signature(mapped)))
                {
                    relations.Add(mapped);
                }
            }
        }
        return new JointModel(system.Extend(cells, relations), [.. union], [.. forced], [.. frozen], problems, maps);
    }

    /// <summary>A pattern over the union as a pattern of the release: its cells, cost and unprotectable cells.</summary>
    public SuppressionPattern Project(SuppressionPattern pattern)
    {
        var n = System.BaseCount;
        return new SuppressionPattern([.. pattern.Suppressed.Take(n)], [.. pattern.Unprotectable.Select(System.Origin).Distinct()],
            pattern.Report with { CellCost = [.. pattern.Report.CellCost.Take(n)] });
    }

    /// <summary>The attacker's view of <paramref name="suppressed"/> (cells of the release) over the union: which
    /// union cells are unknown to the attacker.</summary>
    public bool[] Hidden(IReadOnlyList<bool> suppressed)
    {
        var hidden = new bool[System.Count];
        for (var s = 0; s < hidden.Length; s++)
        {
            hidden[s] = s < System.BaseCount ? suppressed[s] && !Frozen[s] : Forced[s];
        }
        return hidden;
    }

    internal static bool Unchanged(double a, double b) => Math.Abs(a - b) <= 1e-9 * Math.Max(1, Math.Abs(b));

    private static PrimaryAssessment Protection(PriorCell cell)
    {
        var (up, down) = (cell.RequiredUpper - cell.TrueValue, cell.TrueValue - cell.RequiredLower);
        return up > 1e-9 || down > 1e-9 ? new PrimaryAssessment(PrimaryReason.EarlierVersion, Math.Max(0, up), Math.Max(0, down)) : PrimaryAssessment.Safe;
    }

    private static string TableOf(string key) => key[..Math.Max(0, key.IndexOf('(', StringComparison.Ordinal))];

    private static string Signature(LinearRelation r) =>
        r.Sense + ":" + string.Join(",", r.Cells.Zip(r.Coefficients).OrderBy(p => p.First).Select(p => $"{p.First}*{p.Second}"));
}
