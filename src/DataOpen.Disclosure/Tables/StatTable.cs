using System.Globalization;

namespace DataOpen.Disclosure.Tables;

public enum RelationSense
{
    /// <summary>Σ coefficient·cell = 0.</summary>
    Equal,

    /// <summary>Σ coefficient·cell ≤ 0.</summary>
    LessOrEqual,
}

/// <summary>A homogeneous linear relation between cells that anyone reading the table knows to hold.</summary>
/// <param name="Cells">Cell indices (in the table, or in a <see cref="Suppression.CellSystem"/>).</param>
public sealed record LinearRelation(IReadOnlyList<int> Cells, IReadOnlyList<double> Coefficients, RelationSense Sense);

/// <param name="Categories">One label per dimension; <see cref="StatTable.TotalCode"/> on totalled dimensions.</param>
/// <param name="Contributors">Number of distinct contributors (enterprises or persons) in the cell.</param>
/// <param name="Largest">Largest per-contributor total in the cell (magnitude tables; 1 in frequency tables).</param>
/// <param name="SecondLargest">Second largest per-contributor total (0 when fewer than two contributors).</param>
public sealed record TableCell(
    int Index,
    IReadOnlyList<string> Categories,
    decimal Value,
    int Contributors,
    decimal Largest,
    decimal SecondLargest,
    bool IsMargin);

/// <summary>A statistical table: cells over 1–3 categorical dimensions with margins and the relations between them.</summary>
public sealed class StatTable
{
    /// <summary>Category code of a total (SDMX convention), so totals never collide with real categories.</summary>
    public const string TotalCode = "_T";

    private readonly int[] _shape;
    private readonly int[] _stride;

    internal StatTable(TableDefinition definition, IReadOnlyList<IReadOnlyList<string>> categories, IReadOnlyList<TableCell> cells,
        IReadOnlyList<LinearRelation> relations)
    {
        Definition = definition;
        Categories = categories;
        Cells = cells;
        Relations = relations;
        _shape = ShapeOf(categories, definition.Margins);
        _stride = StridesOf(_shape);
    }

    public TableDefinition Definition { get; }

    public string Id => Definition.Id;

    /// <summary>Interior categories of each dimension, in publication order.</summary>
    public IReadOnlyList<IReadOnlyList<string>> Categories { get; }

    /// <summary>All cells, interior and margins, in row-major order of the dimensions (total last).</summary>
    public IReadOnlyList<TableCell> Cells { get; }

    /// <summary>Relations between margins and interior cells, in table cell indices.</summary>
    public IReadOnlyList<LinearRelation> Relations { get; }

    /// <summary>Cell at the given category labels (use <see cref="TotalCode"/> for a total).</summary>
    public TableCell Cell(params string[] labels)
    {
        if (labels.Length != Categories.Count)
        {
            throw new DisclosureException($"table '{Id}': {labels.Length} labels given for {Categories.Count} dimensions");
        }
        var index = 0;
        for (var d = 0; d < labels.Length; d++)
        {
            int position;
            if (labels[d] == TotalCode && Definition.Margins)
            {
                position = Categories[d].Count;
            }
            else
            {
                position = IndexOfCategory(Categories[d], labels[d]);
                if (position < 0)
                {
                    throw new DisclosureException($"table '{Id}': dimension '{Definition.Dimensions[d].Name}' has no category '{labels[d]}'");
                }
            }
            index += position * _stride[d];
        }
        return Cells[index];
    }

    /// <summary>Key identifying the same statistic across tables: source, measure, contributor key and the
    /// non-total coordinates by field name (so the year totals of measure×year and park×year coincide).</summary>
    public string CanonicalKey(int cellIndex)
    {
        var cell = Cells[cellIndex];
        var parts = new List<string>();
        for (var d = 0; d < Categories.Count; d++)
        {
            if (!IsTotalPosition(cellIndex, d))
            {
                parts.Add(Definition.Dimensions[d].Field + "=" + cell.Categories[d]);
            }
        }
        parts.Sort(StringComparer.Ordinal);
        return string.Create(CultureInfo.InvariantCulture,
            $"{Definition.Source}|{Definition.Measure.Key}|{Definition.ContributorKey}|{string.Join(";", parts)}");
    }

    internal bool IsTotalPosition(int cellIndex, int dimension) =>
        Definition.Margins && cellIndex / _stride[dimension] % _shape[dimension] == Categories[dimension].Count;

    /// <summary>Position of a cell along a dimension (the number of categories means the total).</summary>
    internal int Position(int cellIndex, int dimension) => cellIndex / _stride[dimension] % _shape[dimension];

    internal int WithPosition(int cellIndex, int dimension, int position) =>
        cellIndex + (position - Position(cellIndex, dimension)) * _stride[dimension];

    /// <summary>All cells whose position along each dimension is in the given list.</summary>
    internal IEnumerable<int> Product(IReadOnlyList<List<int>> positions)
    {
        var counters = new int[positions.Count];
        while (true)
        {
            var index = 0;
            for (var d = 0; d < positions.Count; d++)
            {
                index += positions[d][counters[d]] * _stride[d];
            }
            yield return index;
            var k = positions.Count - 1;
            while (k >= 0 && ++counters[k] == positions[k].Count)
            {
                counters[k] = 0;
                k--;
            }
            if (k < 0)
            {
                yield break;
            }
        }
    }

    internal static int[] ShapeOf(IReadOnlyList<IReadOnlyList<string>> categories, bool margins) =>
        [.. categories.Select(c => c.Count + (margins ? 1 : 0))];

    internal static int[] StridesOf(int[] shape)
    {
        var stride = new int[shape.Length];
        var s = 1;
        for (var d = shape.Length - 1; d >= 0; d--)
        {
            stride[d] = s;
            s *= shape[d];
        }
        return stride;
    }

    private static int IndexOfCategory(IReadOnlyList<string> categories, string label)
    {
        for (var i = 0; i < categories.Count; i++)
        {
            if (string.Equals(categories[i], label, StringComparison.Ordinal))
            {
                return i;
            }
        }
        return -1;
    }
}
