using System.Globalization;
using CsCheck;
using DataOpen.Disclosure.Suppression;
using DataOpen.Disclosure.Tables;

namespace DataOpen.Disclosure.Tests;

public class ProtectionPropertyTests
{
    /// <summary>Random 2-D microdata: 2–5 × 2–5 cells, 0–6 enterprises each, some dominated by one large amount.</summary>
    private static readonly Gen<(int Rows, int Cols, int[] Counts, int[] Amounts)> RandomTables =
        from rows in Gen.Int[2, 5]
        from cols in Gen.Int[2, 5]
        from counts in Gen.Int[0, 6].Array[rows * cols]
        from amounts in Gen.Int[1, 1000].Array[rows * cols * 6]
        select (rows, cols, counts, amounts);

    private static StatTable Build((int Rows, int Cols, int[] Counts, int[] Amounts) spec)
    {
        var records = new List<string[]>();
        for (var cell = 0; cell < spec.Counts.Length; cell++)
        {
            for (var k = 0; k < spec.Counts[cell]; k++)
            {
                var amount = spec.Amounts[cell * 6 + k] * (k == 0 && spec.Amounts[cell * 6 + 5] > 900 ? 50 : 1);
                records.Add([$"r{cell / spec.Cols}", $"c{cell % spec.Cols}", $"E{cell}-{k}", amount.ToString(CultureInfo.InvariantCulture)]);
            }
        }
        var definition = new TableDefinition("random", "random",
            [
                new DimensionDefinition("row", "row", [.. Enumerable.Range(0, spec.Rows).Select(i => $"r{i}")]),
                new DimensionDefinition("col", "col", [.. Enumerable.Range(0, spec.Cols).Select(i => $"c{i}")]),
            ],
            MeasureDefinition.SumOf("amount"), "enterprise", UnitKind.Enterprise);
        return TableBuilder.Build(definition, new Microdata("random", ["row", "col", "enterprise", "amount"], records));
    }

    [Fact]
    public void No_sensitive_cell_is_ever_published_and_the_audit_passes()
    {
        RandomTables.Sample(spec =>
        {
            var table = Build(spec);
            var result = DisclosureControl.Protect(table, DisclosureParameters.Default);
            var published = result.Publish()[0];
            for (var i = 0; i < table.Cells.Count; i++)
            {
                var cell = table.Cells[i];
                var row = published.Rows[i];
                if (row.Value is null)
                {
                    continue;
                }
                var remainder = cell.Value - cell.Largest - cell.SecondLargest;
                if ((cell.Contributors is > 0 and < 3) || remainder < 0.1m * cell.Largest)
                {
                    return false;
                }
            }
            return result.Audit.Passed && result.Audit.Cells.Where(c => c.Primary).All(c => c.Satisfied);
        }, iter: 60);
    }

    [Fact]
    public void Suppressed_cells_are_marked_with_one_status_code_whatever_the_reason()
    {
        RandomTables.Sample(spec =>
        {
            var rows = DisclosureControl.Protect(Build(spec), DisclosureParameters.Default).Publish()[0].Rows;
            return rows.All(r => r.Value is null ? r.Status == PublishedRow.Confidential : r.Status is null);
        }, iter: 30);
    }
}
