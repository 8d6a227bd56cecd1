using DataOpen.Disclosure.Tables;

namespace DataOpen.Disclosure.Suppression;

/// <summary>One or more tables seen as a single system of cells: cells that are the same statistic in two
/// tables (e.g. the year totals shared by measure×year and park×year) become one cell, so linked tables are
/// protected together and an attacker combining them is modelled.</summary>
public sealed class CellSystem
{
    private readonly int[][] _tableToSystem;

    // Cells of earlier versions (JointModel): beyond BaseCount, the cell of this release they are a version of.
    private int[] _origins = [];
    private string[] _versions = [];

    private CellSystem(IReadOnlyList<StatTable> tables, int[][] tableToSystem, double[] values, string[] keys,
        IReadOnlyList<IReadOnlyList<(int Table, int Cell)>> occurrences, IReadOnlyList<LinearRelation> relations)
    {
        Tables = tables;
        _tableToSystem = tableToSystem;
        Values = values;
        Keys = keys;
        Occurrences = occurrences;
        Relations = relations;
        BaseCount = values.Length;
    }

    /// <summary>Cells of the release itself; cells from <see cref="BaseCount"/> on belong to earlier versions.</summary>
    public int BaseCount { get; private init; }

    public IReadOnlyList<StatTable> Tables { get; }

    public int Count => Values.Count;

    public IReadOnlyList<double> Values { get; }

    public IReadOnlyList<string> Keys { get; }

    /// <summary>For each system cell, where it appears (table index, table cell index).</summary>
    public IReadOnlyList<IReadOnlyList<(int Table, int Cell)>> Occurrences { get; }

    /// <summary>All table relations in system cell indices, duplicates removed.</summary>
    public IReadOnlyList<LinearRelation> Relations { get; }

    public int SystemIndex(int table, int cell) => _tableToSystem[table][cell];

    /// <summary>The cell of this release that <paramref name="cell"/> is a version of (itself for a cell of the release).</summary>
    public int Origin(int cell) => cell < BaseCount ? cell : _origins[cell - BaseCount];

    /// <summary>This system plus cells of earlier versions (a value each, the cell of this release it is a version
    /// of, the version's name) and the earlier versions' relations over them (<see cref="JointModel"/>).</summary>
    internal CellSystem Extend(IReadOnlyList<(double Value, int Origin, string Version)> cells, IReadOnlyList<LinearRelation> relations)
    {
        if (BaseCount != Count)
        {
            throw new InvalidOperationException("a cell system is extended once");
        }
        return new CellSystem(Tables, _tableToSystem, [.. Values, .. cells.Select(c => c.Value)],
            [.. Keys, .. cells.Select(c => Keys[c.Origin] + "@" + c.Version)], [.. Occurrences, .. cells.Select(c => Occurrences[c.Origin])],
            [.. Relations, .. relations])
        {
            BaseCount = BaseCount,
            _origins = [.. cells.Select(c => c.Origin)],
            _versions = [.. cells.Select(c => c.Version)],
        };
    }

    public static CellSystem Link(IReadOnlyList<StatTable> tables)
    {
        if (tables.Count == 0)
        {
            throw new DisclosureException("no tables to protect");
        }
        var ids = new HashSet<string>(StringComparer.Ordinal);
        foreach (var t in tables)
        {
            if (!ids.Add(t.Id))
            {
                throw new DisclosureException($"table id '{t.Id}' appears twice in one protection run");
            }
        }
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        var values = new List<double>();
        var keys = new List<string>();
        var occurrences = new List<List<(int, int)>>();
        var map = new int[tables.Count][];
        for (var t = 0; t < tables.Count; t++)
        {
            var table = tables[t];
            map[t] = new int[table.Cells.Count];
            for (var c = 0; c < table.Cells.Count; c++)
            {
                var key = table.CanonicalKey(c);
                var value = (double)table.Cells[c].Value;
                if (index.TryGetValue(key, out var s))
                {
                    if (values[s] != value)
                    {
                        var (ot, oc) = occurrences[s][0];
                        throw new DisclosureException(
                            $"tables '{tables[ot].Id}' and '{table.Id}' share cell {key} but disagree on its value ({values[s]} vs {value}): were they built from the same microdata?");
                    }
                }
                else
                {
                    s = values.Count;
                    index.Add(key, s);
                    values.Add(value);
                    keys.Add(key);
                    occurrences.Add([]);
                }
                map[t][c] = s;
                occurrences[s].Add((t, c));
            }
        }
        var relations = new List<LinearRelation>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var t = 0; t < tables.Count; t++)
        {
            foreach (var r in tables[t].Relations)
            {
                var cells = r.Cells.Select(c => map[t][c]).ToArray();
                var signature = r.Sense + ":" + string.Join(",", cells.Zip(r.Coefficients).OrderBy(p => p.First).Select(p => $"{p.First}*{p.Second}"));
                if (seen.Add(signature))
                {
                    relations.Add(new LinearRelation(cells, r.Coefficients, r.Sense));
                }
            }
        }
        return new CellSystem(tables, map, [.. values], [.. keys], [.. occurrences], relations);
    }

    /// <summary>This system with more relations (the attacker's caps), same cells.</summary>
    internal CellSystem WithRelations(IReadOnlyList<LinearRelation> relations) =>
        new(Tables, _tableToSystem, [.. Values], [.. Keys], Occurrences, [.. Relations, .. relations])
        {
            BaseCount = BaseCount,
            _origins = _origins,
            _versions = _versions,
        };

    /// <summary>Connected components of the relation graph: cells that no relation links can be protected and
    /// audited independently, which keeps each LP small.</summary>
    public IReadOnlyList<int[]> Components()
    {
        var parent = Enumerable.Range(0, Count).ToArray();
        int Find(int x)
        {
            while (parent[x] != x)
            {
                parent[x] = parent[parent[x]];
                x = parent[x];
            }
            return x;
        }
        foreach (var r in Relations)
        {
            var a = Find(r.Cells[0]);
            for (var i = 1; i < r.Cells.Count; i++)
            {
                var b = Find(r.Cells[i]);
                if (a != b)
                {
                    parent[b] = a;
                }
            }
        }
        return [.. Enumerable.Range(0, Count).GroupBy(Find).Select(g => g.ToArray())];
    }

    /// <summary>Human-readable location of a system cell: "table(label, label, ...)".</summary>
    public string Describe(int cell)
    {
        if (cell >= BaseCount)
        {
            return $"{Describe(_origins[cell - BaseCount])} in version {_versions[cell - BaseCount]}";
        }
        var (t, c) = Occurrences[cell][0];
        return $"{Tables[t].Id}({string.Join(", ", Tables[t].Cells[c].Categories)})";
    }
}
