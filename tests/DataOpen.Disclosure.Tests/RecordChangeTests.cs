using System.Globalization;
using DataOpen.Disclosure.Suppression;
using DataOpen.Disclosure.Tables;

namespace DataOpen.Disclosure.Tests;

public class RecordChangeTests
{
    /// <summary>Measure × year, 2 × 2: one large enterprise (BIG) in M1/2024 dominates that cell, its row, its
    /// column and the grand total, so every cell it contributes to is suppressed.</summary>
    private static StatTable Table(decimal bigAmount)
    {
        var rows = new List<string[]> { new[] { "M1", "2024", "BIG", bigAmount.ToString(CultureInfo.InvariantCulture) } };
        foreach (var (m, y) in new[] { ("M1", "2025"), ("M2", "2024"), ("M2", "2025") })
        {
            for (var k = 0; k < 5; k++)
            {
                rows.Add([m, y, $"{m}-{y}-{k}", (4000 + 10 * k).ToString(CultureInfo.InvariantCulture)]);
            }
        }
        var definition = new TableDefinition("t", "g", [new DimensionDefinition("measure", "measure"), new DimensionDefinition("year", "year")],
            MeasureDefinition.SumOf("amount"), "enterprise", UnitKind.Enterprise);
        return TableBuilder.Build(definition, new Microdata("g", ["measure", "year", "enterprise", "amount"], rows));
    }

    [Fact]
    public void Changing_a_record_that_sits_only_in_suppressed_cells_changes_no_published_value()
    {
        var before = DisclosureControl.Protect(Table(1_000_000), DisclosureParameters.Default);
        var after = DisclosureControl.Protect(Table(1_300_000), DisclosureParameters.Default);
        var lower = DisclosureControl.Protect(Table(700_000), DisclosureParameters.Default);

        var table = before.System.Tables[0];
        foreach (var labels in new[] { new[] { "M1", "2024" }, ["M1", "_T"], ["_T", "2024"], ["_T", "_T"] })
        {
            Assert.True(before.IsSuppressed("t", labels), string.Join("/", labels));
        }
        var published = before.Publish()[0].Rows;
        Assert.Equal(5, published.Count(r => r.Value is not null));
        Assert.Equal(published, after.Publish()[0].Rows, RowComparer.Instance);
        Assert.Equal(published, lower.Publish()[0].Rows, RowComparer.Instance);
        Assert.NotEqual(table.Cell("_T", "_T").Value, after.System.Tables[0].Cell("_T", "_T").Value);
    }

    private sealed class RowComparer : IEqualityComparer<PublishedRow>
    {
        public static RowComparer Instance { get; } = new();

        public bool Equals(PublishedRow? x, PublishedRow? y) =>
            x is not null && y is not null && x.Categories.SequenceEqual(y.Categories) && x.Value == y.Value && x.Status == y.Status;

        public int GetHashCode(PublishedRow obj) => obj.Categories.Count;
    }
}
