using DataOpen.Disclosure.Suppression;
using DataOpen.Disclosure.Synthetic;
using DataOpen.Disclosure.Tables;

namespace DataOpen.Disclosure.Tests;

public class StatisticsTablesTests
{
    private static readonly Lazy<ProtectedTables> Published = new(() => StatisticsTables.Protect(
        StatisticsTables.Load(Path.Combine(RepoPaths.Root, StatisticsTables.DefaultPath)),
        SyntheticSample.Generate(SyntheticSampleTests.Rules).ToMicrodata(),
        DisclosureParameters.Default));

    [Fact]
    public void The_committed_definitions_load_with_their_dimensions_and_measures()
    {
        var definitions = StatisticsTables.Load(Path.Combine(RepoPaths.Root, StatisticsTables.DefaultPath));

        Assert.Equal(8, definitions.Count);
        var talents = Assert.Single(definitions, d => d.Id == "talents_persons_by_track_level_year");
        Assert.Equal((UnitKind.Person, MeasureKind.CountContributors, "person_id"), (talents.Unit, talents.Measure.Kind, talents.ContributorKey));
        Assert.Equal(["track", "level", "year"], talents.Dimensions.Select(d => d.Name));
        Assert.All(definitions, d => Assert.True(d.Margins));
    }

    [Fact]
    public void Every_generated_table_passes_the_audit_and_no_suppressed_cell_is_recoverable()
    {
        var result = Published.Value;

        Assert.True(result.Audit.Passed, string.Join("\n", result.Audit.Problems));
        Assert.True(result.PrimaryCount > 0);
        Assert.Empty(result.Audit.Recoverable);
        Assert.All(result.Audit.Cells.Where(c => c.Primary), c => Assert.True(c.Upper > c.Value && c.Lower < c.Value, c.Location));
    }

    [Fact]
    public void Person_counts_below_ten_are_never_published()
    {
        var talents = Published.Value.Publish().Single(t => t.Id == "talents_persons_by_track_level_year");

        Assert.DoesNotContain(talents.Rows, r => r.Value is > 0 and < 10);
        Assert.Contains(talents.Rows, r => r.Status == PublishedRow.Confidential);
        Assert.Contains(talents.Rows, r => r.Value >= 10);
    }

    [Fact]
    public void Linked_grant_tables_publish_the_shared_year_totals_identically()
    {
        var tables = Published.Value.Publish();
        var byMeasure = tables.Single(t => t.Id == "grants_amount_by_measure_track_year");
        var byPark = tables.Single(t => t.Id == "grants_amount_by_park_year");

        foreach (var year in PolicyRules.Years.Select(y => y.ToString(System.Globalization.CultureInfo.InvariantCulture)))
        {
            var a = byMeasure.Rows.Single(r => r.Categories.SequenceEqual(["_T", "_T", year]));
            var b = byPark.Rows.Single(r => r.Categories.SequenceEqual(["_T", year]));
            Assert.Equal((a.Value, a.Status), (b.Value, b.Status));
        }
    }

    [Fact]
    public void Bad_definitions_are_rejected_with_the_table_and_property()
    {
        var e1 = Assert.Throws<DisclosureException>(() => StatisticsTables.Parse("""
            { "tables": [ { "id": "x", "source": "grants", "unit": "firm", "contributorKey": "enterprise_id",
              "measure": { "kind": "count" }, "dimensions": [ { "name": "year", "field": "year" } ] } ] }
            """));
        var e2 = Assert.Throws<DisclosureException>(() => StatisticsTables.Parse("""
            { "tables": [ { "id": "x", "source": "grants", "unit": "person", "contributorKey": "enterprise_id",
              "measure": { "kind": "sum" }, "dimensions": [ { "name": "year", "field": "year" } ] } ] }
            """));
        var e3 = Assert.Throws<DisclosureException>(() => StatisticsTables.Parse("""{ "tables": [ { "id": "x", "colour": 1 } ] }"""));

        Assert.Equal("statistics-tables.json: tables[0] ('x'): unit must be 'enterprise' or 'person', got 'firm'", e1.Message);
        Assert.Equal("statistics-tables.json: tables[0] ('x'): a sum measure needs 'field'", e2.Message);
        Assert.Contains("colour", e3.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Publishing_is_refused_when_the_audit_fails()
    {
        // Only the sensitive cell hidden: its row total minus the published cells gives it away.
        var table = TestTables.Magnitude2D(new decimal[,] { { 10, 40, 50 }, { 30, 60, 70 }, { 45, 80, 90 } }, new[,] { { 1, 5, 5 }, { 5, 5, 5 }, { 5, 5, 5 } });
        var system = CellSystem.Link([table]);
        var primary = DisclosureControl.AssessPrimary(system, DisclosureParameters.Default);
        var onlyPrimary = primary.Select(p => p.Sensitive).ToArray();
        var audit = Auditor.Audit(system, primary, onlyPrimary);
        var result = new ProtectedTables(system, primary, new SuppressionPattern(onlyPrimary, [], SuppressionReport.Heuristic(SecondarySuppressor.NewContext(system, primary, DisclosureParameters.Default, null, null))), audit, TimeSpan.Zero, TimeSpan.Zero);

        var cell = Assert.Single(audit.Cells);
        Assert.Equal((10.0, 10.0), (cell.Lower, cell.Upper));
        Assert.False(audit.Passed);
        Assert.Throws<DisclosureAuditFailedException>(result.Publish);
    }
}
