using System.Text.Json;
using DataOpen.Disclosure.Suppression;
using DataOpen.Disclosure.Tables;

namespace DataOpen.Disclosure.Tests;

public class PrimarySuppressionTests
{
    private static TableCell Cell(int contributors, decimal value, decimal largest, decimal second) =>
        new(0, ["x"], value, contributors, largest, second, false);

    private static TableDefinition Def(MeasureKind kind, UnitKind unit) =>
        new("t", "s", [new DimensionDefinition("x", "x")], kind == MeasureKind.Sum ? MeasureDefinition.SumOf("v") : MeasureDefinition.Count, "id", unit);

    [Theory]
    [InlineData(UnitKind.Enterprise, 2, true)]
    [InlineData(UnitKind.Enterprise, 3, false)]
    [InlineData(UnitKind.Person, 9, true)]
    [InlineData(UnitKind.Person, 10, false)]
    public void Frequency_rule_uses_the_threshold_of_the_unit(UnitKind unit, int contributors, bool sensitive)
    {
        var a = PrimarySuppression.Assess(Cell(contributors, contributors, 1, 1), Def(MeasureKind.CountContributors, unit), DisclosureParameters.Default);

        Assert.Equal(sensitive, a.Sensitive);
    }

    [Fact]
    public void Frequency_protection_is_a_fraction_of_the_value_but_at_least_one_unit()
    {
        var parameters = new DisclosureParameters { FrequencyProtectionFraction = 0.2 };
        var count = PrimarySuppression.Assess(Cell(2, 2, 1, 1), Def(MeasureKind.CountContributors, UnitKind.Enterprise), parameters);
        var amount = PrimarySuppression.Assess(Cell(2, 1000, 600, 400), Def(MeasureKind.Sum, UnitKind.Enterprise), parameters);

        Assert.Equal((PrimaryReason.Frequency, 1.0, 1.0), (count.Reason, count.UpperProtection, count.LowerProtection));
        // Both rules fire; the p% requirement (10% of 600 = 60) is below the frequency one (20% of 1000).
        Assert.Equal((200.0, 200.0), (amount.UpperProtection, amount.LowerProtection));
    }

    [Fact]
    public void P_percent_rule_flags_a_cell_whose_remainder_is_below_p_percent_of_the_largest()
    {
        var def = Def(MeasureKind.Sum, UnitKind.Enterprise);
        var dominated = PrimarySuppression.Assess(Cell(5, 109, 100, 5), def, DisclosureParameters.Default);
        var spread = PrimarySuppression.Assess(Cell(5, 170, 100, 50), def, DisclosureParameters.Default);
        var stricter = PrimarySuppression.Assess(Cell(5, 170, 100, 50), def, new DisclosureParameters { DominancePercent = 25 });

        Assert.Equal((PrimaryReason.Dominance, 10.0), (dominated.Reason, dominated.UpperProtection));
        Assert.False(spread.Sensitive);
        Assert.True(stricter.Sensitive);
    }

    [Fact]
    public void Zero_cells_are_safe_by_default_and_sensitive_when_configured()
    {
        var def = Def(MeasureKind.CountContributors, UnitKind.Enterprise);

        Assert.False(PrimarySuppression.Assess(Cell(0, 0, 0, 0), def, DisclosureParameters.Default).Sensitive);
        var zero = PrimarySuppression.Assess(Cell(0, 0, 0, 0), def, new DisclosureParameters { ZeroCellsSensitive = true });
        Assert.Equal((PrimaryReason.ZeroCell, 1.0, 0.0), (zero.Reason, zero.UpperProtection, zero.LowerProtection));
    }

    [Fact]
    public void Parameters_refuse_to_be_serialised()
    {
        Assert.Throws<JsonException>(() => JsonSerializer.Serialize(DisclosureParameters.Default));
        Assert.Throws<JsonException>(() => JsonSerializer.Serialize(new { p = new DisclosureParameters() }));
    }

    [Fact]
    public void Invalid_parameters_are_rejected_with_the_value()
    {
        var e = Assert.Throws<DisclosureException>(() => new DisclosureParameters { DominancePercent = 150 }.Validate());

        Assert.Equal("disclosure parameters: dominance p must be within 0–100, got 150", e.Message);
    }
}
