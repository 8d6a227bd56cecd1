using System.Globalization;

namespace DataOpen.Disclosure.Tables;

/// <summary>Aggregates microdata into a <see cref="StatTable"/> following a <see cref="TableDefinition"/>.</summary>
public static class TableBuilder
{
    public static StatTable Build(TableDefinition definition, Microdata data)
    {
        definition.Validate();
        var where = $"table '{definition.Id}'";
        var dims = definition.Dimensions;
        var dimColumns = dims.Select(d => data.ColumnIndex(d.Field, where)).ToArray();
        var contributorColumn = data.ColumnIndex(definition.ContributorKey, where);
        var measureColumn = definition.Measure.Kind == MeasureKind.Sum ? data.ColumnIndex(definition.Measure.Field!, where) : -1;

        var categories = new List<IReadOnlyList<string>>();
        var lookups = new List<Dictionary<string, int>>();
        for (var d = 0; d < dims.Count; d++)
        {
            var values = dims[d].Values
                ?? [.. data.Rows.Select(r => r[dimColumns[d]]).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)];
            if (dims[d].Values is null && values.Contains(StatTable.TotalCode))
            {
                throw new DisclosureException($"{where}: field '{dims[d].Field}' holds the reserved total code '{StatTable.TotalCode}'");
            }
            if (values.Count == 0)
            {
                throw new DisclosureException($"{where}: dimension '{dims[d].Name}' has no categories (no data and none declared)");
            }
            categories.Add(values);
            lookups.Add(values.Select((v, i) => (v, i)).ToDictionary(p => p.v, p => p.i, StringComparer.Ordinal));
        }

        var shape = StatTable.ShapeOf(categories, definition.Margins);
        var stride = StatTable.StridesOf(shape);
        var cellCount = shape.Aggregate(1, (a, b) => checked(a * b));
        var perCell = new Dictionary<string, decimal>?[cellCount];
        var coords = new int[dims.Count];
        var masks = definition.Margins ? 1 << dims.Count : 1;

        for (var r = 0; r < data.Rows.Count; r++)
        {
            var row = data.Rows[r];
            for (var d = 0; d < dims.Count; d++)
            {
                if (!lookups[d].TryGetValue(row[dimColumns[d]], out coords[d]))
                {
                    throw new DisclosureException(
                        $"{where}: microdata '{data.Name}' row {r + 1}: value '{row[dimColumns[d]]}' of field '{dims[d].Field}' is not a declared category of dimension '{dims[d].Name}'");
                }
            }
            var contributor = row[contributorColumn];
            if (string.IsNullOrWhiteSpace(contributor))
            {
                throw new DisclosureException($"{where}: microdata '{data.Name}' row {r + 1}: contributor key '{definition.ContributorKey}' is empty");
            }
            decimal amount = 1;
            if (measureColumn >= 0)
            {
                if (!decimal.TryParse(row[measureColumn], NumberStyles.Number, CultureInfo.InvariantCulture, out amount) || amount < 0)
                {
                    throw new DisclosureException(
                        $"{where}: microdata '{data.Name}' row {r + 1}: field '{definition.Measure.Field}' value '{row[measureColumn]}' is not a non-negative number");
                }
            }
            // Each record counts in its interior cell and in every margin above it (one per subset of totalled dimensions).
            for (var mask = 0; mask < masks; mask++)
            {
                var index = 0;
                for (var d = 0; d < dims.Count; d++)
                {
                    var position = (mask & (1 << d)) != 0 ? categories[d].Count : coords[d];
                    index += position * stride[d];
                }
                var map = perCell[index] ??= new Dictionary<string, decimal>(StringComparer.Ordinal);
                map[contributor] = map.GetValueOrDefault(contributor) + amount;
            }
        }

        var cells = new TableCell[cellCount];
        for (var i = 0; i < cellCount; i++)
        {
            var labels = new string[dims.Count];
            var isMargin = false;
            for (var d = 0; d < dims.Count; d++)
            {
                var position = i / stride[d] % shape[d];
                if (position == categories[d].Count)
                {
                    labels[d] = StatTable.TotalCode;
                    isMargin = true;
                }
                else
                {
                    labels[d] = categories[d][position];
                }
            }
            var map = perCell[i];
            decimal value = 0, largest = 0, second = 0;
            var contributors = map?.Count ?? 0;
            if (map is not null)
            {
                foreach (var v in map.Values)
                {
                    value += v;
                    if (v > largest)
                    {
                        second = largest;
                        largest = v;
                    }
                    else if (v > second)
                    {
                        second = v;
                    }
                }
            }
            if (definition.Measure.Kind == MeasureKind.CountContributors)
            {
                value = contributors;
            }
            cells[i] = new TableCell(i, labels, value, contributors, largest, second, isMargin);
        }

        var relations = definition.Margins ? Relations(definition, categories, cells, shape, stride) : [];
        return new StatTable(definition, categories, cells, relations);
    }

    /// <summary>For each cell with a total on dimension d: total = Σ of the cells with each category of d.
    /// Distinct-contributor counts are not additive when one contributor appears in several categories; those
    /// margins get the relations that still hold (total ≤ Σ parts, each part ≤ total).</summary>
    private static List<LinearRelation> Relations(TableDefinition definition, List<IReadOnlyList<string>> categories, TableCell[] cells,
        int[] shape, int[] stride)
    {
        var relations = new List<LinearRelation>();
        for (var i = 0; i < cells.Length; i++)
        {
            for (var d = 0; d < shape.Length; d++)
            {
                var position = i / stride[d] % shape[d];
                if (position != categories[d].Count)
                {
                    continue;
                }
                var parts = new int[categories[d].Count];
                decimal sum = 0;
                for (var k = 0; k < parts.Length; k++)
                {
                    parts[k] = i - position * stride[d] + k * stride[d];
                    sum += cells[parts[k]].Value;
                }
                var ids = new List<int>(parts.Length + 1) { i };
                ids.AddRange(parts);
                var coefficients = new List<double>(parts.Length + 1) { 1 };
                coefficients.AddRange(Enumerable.Repeat(-1.0, parts.Length));
                if (definition.Measure.Kind == MeasureKind.Sum || sum == cells[i].Value)
                {
                    relations.Add(new LinearRelation(ids, coefficients, RelationSense.Equal));
                }
                else
                {
                    relations.Add(new LinearRelation(ids, coefficients, RelationSense.LessOrEqual));
                    foreach (var p in parts)
                    {
                        relations.Add(new LinearRelation([p, i], [1.0, -1.0], RelationSense.LessOrEqual));
                    }
                }
            }
        }
        return relations;
    }
}
