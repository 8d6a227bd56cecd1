using DataOpen.Disclosure.Suppression;
using DataOpen.Disclosure.Tables;

namespace DataOpen.Disclosure.Tests;

public class SecondarySuppressionTests
{
    private static readonly decimal[,] Values =
    {
        { 10, 40, 50 },
        { 30, 60, 70 },
        { 45, 80, 90 },
    };

    [Fact]
    public void One_primary_cell_in_a_3x3_table_is_hidden_by_the_cheapest_rectangle()
    {
        // r1c1 has a single enterprise. The rectangles through r1c1 cost (value + 1 per complementary cell):
        // {r1c2, r2c1, r2c2} 133, {r1c3, r2c1, r2c3} 153, {r1c2, r3c1, r3c2} 168, {r1c3, r3c1, r3c3} 188.
        var table = TestTables.Magnitude2D(Values, new[,] { { 1, 5, 5 }, { 5, 5, 5 }, { 5, 5, 5 } });
        var result = DisclosureControl.Protect(table, DisclosureParameters.Default);

        var hidden = table.Cells.Where(c => result.IsSuppressed(0, c.Index)).Select(c => string.Join("/", c.Categories)).Order().ToArray();
        Assert.Equal(["r1/c1", "r1/c2", "r2/c1", "r2/c2"], hidden);
        Assert.True(result.Audit.Passed, string.Join("\n", result.Audit.Problems));
        Assert.Empty(result.Audit.Recoverable);
    }

    [Fact]
    public void Count_cost_prefers_interior_cells_over_margins()
    {
        var table = TestTables.Magnitude2D(Values, new[,] { { 5, 5, 5 }, { 5, 2, 5 }, { 5, 5, 5 } });
        var result = DisclosureControl.Protect(table, new DisclosureParameters { Cost = SuppressionCost.Count });

        Assert.True(result.IsSuppressed("t", "r2", "c2"));
        Assert.Equal(4, result.SuppressedCount);
        Assert.All(table.Cells.Where(c => c.IsMargin), c => Assert.False(result.IsSuppressed(0, c.Index)));
        Assert.True(result.Audit.Passed, string.Join("\n", result.Audit.Problems));
    }

    [Fact]
    public void A_table_without_sensitive_cells_publishes_everything()
    {
        var table = TestTables.Magnitude2D(Values, new[,] { { 5, 5, 5 }, { 5, 5, 5 }, { 5, 5, 5 } });
        var result = DisclosureControl.Protect(table, DisclosureParameters.Default);

        Assert.Equal(0, result.SuppressedCount);
        Assert.All(result.Publish()[0].Rows, r => Assert.NotNull(r.Value));
    }
}
