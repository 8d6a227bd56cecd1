using System.Globalization;
using DataOpen.Disclosure.Tables;

namespace DataOpen.Disclosure.Tests;

/// <summary>Builds small tables from hand-written microdata.</summary>
internal static class TestTables
{
    /// <summary>Each interior value is split equally over <paramref name="contributors"/>[r, c] distinct enterprises.</summary>
    public static StatTable Magnitude2D(decimal[,] values, int[,] contributors, string id = "t")
    {
        var rows = new List<string[]>();
        var next = 0;
        for (var r = 0; r < values.GetLength(0); r++)
        {
            for (var c = 0; c < values.GetLength(1); c++)
            {
                var n = contributors[r, c];
                for (var k = 0; k < n; k++)
                {
                    rows.Add([$"r{r + 1}", $"c{c + 1}", $"E{next++}", (values[r, c] / n).ToString(CultureInfo.InvariantCulture)]);
                }
            }
        }
        var data = new Microdata("m", ["row", "col", "enterprise", "amount"], rows);
        var definition = new TableDefinition(id, "m",
            [new DimensionDefinition("row", "row", Labels("r", values.GetLength(0))), new DimensionDefinition("col", "col", Labels("c", values.GetLength(1)))],
            MeasureDefinition.SumOf("amount"), "enterprise", UnitKind.Enterprise);
        return TableBuilder.Build(definition, data);
    }

    public static string[] Labels(string prefix, int n) => [.. Enumerable.Range(1, n).Select(i => prefix + i)];
}
