using DataOpen.Disclosure.Suppression;
using DataOpen.Disclosure.Tables;

namespace DataOpen.Disclosure.Tests;

public class TableModelTests
{
    private static Microdata Grants() => new("g", ["enterprise", "measure", "park", "year", "amount"],
    [
        ["E1", "M01", "P1", "2024", "100"],
        ["E1", "M02", "P1", "2024", "50"],
        ["E2", "M01", "P2", "2024", "30"],
        ["E3", "M02", "P2", "2025", "20"],
        ["E3", "M02", "P2", "2025", "5"],
    ]);

    private static TableDefinition Definition(string id, MeasureDefinition measure, params DimensionDefinition[] dims) =>
        new(id, "g", dims, measure, "enterprise", UnitKind.Enterprise);

    [Fact]
    public void Sum_table_margins_equal_the_sum_of_their_interior_cells()
    {
        var t = TableBuilder.Build(Definition("t", MeasureDefinition.SumOf("amount"),
            new DimensionDefinition("measure", "measure"), new DimensionDefinition("year", "year")), Grants());

        Assert.Equal(9, t.Cells.Count);
        Assert.Equal(130m, t.Cell("M01", "_T").Value);
        Assert.Equal(180m, t.Cell("_T", "2024").Value);
        Assert.Equal(205m, t.Cell("_T", "_T").Value);
        Assert.Equal(0m, t.Cell("M01", "2025").Value);
        // E3's two records are one contribution of 25.
        Assert.Equal((1, 25m, 0m), (t.Cell("M02", "2025").Contributors, t.Cell("M02", "2025").Largest, t.Cell("M02", "2025").SecondLargest));
        Assert.Equal(6, t.Relations.Count(r => r.Sense == RelationSense.Equal));
        foreach (var r in t.Relations)
        {
            Assert.Equal(0, r.Cells.Select((c, k) => (double)t.Cells[c].Value * r.Coefficients[k]).Sum(), 9);
        }
    }

    [Fact]
    public void Three_dimensional_tables_get_one_relation_per_margin_cell_and_totalled_dimension()
    {
        var t = TableBuilder.Build(Definition("t", MeasureDefinition.SumOf("amount"), new DimensionDefinition("measure", "measure"),
            new DimensionDefinition("park", "park"), new DimensionDefinition("year", "year")), Grants());

        // 3×3×3 cells; relations: 3 dims × 3×3 cells with that dimension totalled.
        Assert.Equal(27, t.Cells.Count);
        Assert.Equal(27, t.Relations.Count);
        Assert.Equal(205m, t.Cell("_T", "_T", "_T").Value);
    }

    [Fact]
    public void Distinct_counts_that_are_not_additive_get_inequalities_instead_of_a_sum()
    {
        var t = TableBuilder.Build(Definition("t", MeasureDefinition.Count, new DimensionDefinition("measure", "measure")), Grants());

        // E1 is in M01 and M02: 2 + 2 parts, but only 3 enterprises in total.
        Assert.Equal(3m, t.Cell("_T").Value);
        Assert.DoesNotContain(t.Relations, r => r.Sense == RelationSense.Equal);
        Assert.Equal(3, t.Relations.Count);
    }

    [Fact]
    public void Unknown_category_names_the_row_field_and_dimension()
    {
        var definition = Definition("t", MeasureDefinition.Count, new DimensionDefinition("year", "year", ["2024"]));

        var e = Assert.Throws<DisclosureException>(() => TableBuilder.Build(definition, Grants()));
        Assert.Equal("table 't': microdata 'g' row 4: value '2025' of field 'year' is not a declared category of dimension 'year'", e.Message);
    }

    [Fact]
    public void Non_numeric_amount_and_missing_column_are_reported()
    {
        var bad = new Microdata("g", ["enterprise", "year", "amount"], [["E1", "2024", "12,5x"]]);
        var sum = Definition("t", MeasureDefinition.SumOf("amount"), new DimensionDefinition("year", "year"));

        Assert.Contains("row 1: field 'amount' value '12,5x' is not a non-negative number",
            Assert.Throws<DisclosureException>(() => TableBuilder.Build(sum, bad)).Message, StringComparison.Ordinal);
        Assert.Contains("has no column 'park'", Assert.Throws<DisclosureException>(() =>
            TableBuilder.Build(Definition("t", MeasureDefinition.Count, new DimensionDefinition("park", "park")), bad)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Tables_need_one_to_three_dimensions()
    {
        var four = Definition("t", MeasureDefinition.Count, new("a", "a"), new("b", "b"), new("c", "c"), new("d", "d"));

        Assert.Equal("table 't': needs 1 to 3 dimensions, has 4", Assert.Throws<DisclosureException>(four.Validate).Message);
    }

    [Fact]
    public void Linked_tables_share_their_common_margins_as_one_cell()
    {
        var byMeasure = TableBuilder.Build(Definition("m", MeasureDefinition.SumOf("amount"),
            new DimensionDefinition("measure", "measure"), new DimensionDefinition("year", "year")), Grants());
        var byPark = TableBuilder.Build(Definition("p", MeasureDefinition.SumOf("amount"),
            new DimensionDefinition("park", "park"), new DimensionDefinition("year", "year")), Grants());

        var system = CellSystem.Link([byMeasure, byPark]);

        // The year totals (2) and the grand total are shared.
        Assert.Equal(9 + 9 - 3, system.Count);
        Assert.Equal(system.SystemIndex(0, byMeasure.Cell("_T", "2024").Index), system.SystemIndex(1, byPark.Cell("_T", "2024").Index));
        Assert.Single(system.Components());
    }
}
