using DataOpen.Disclosure.Suppression;

namespace DataOpen.Disclosure.Tests;

/// <summary>
/// The audit of large components (column generation from each cell's box, stopping at the protection) against the
/// audit of the same component solved whole: same verdict cell by cell, and every interval it reports is one the
/// attacker cannot rule out (inside the whole audit's interval, around the true value).
/// </summary>
public class AuditScaleTests
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Priced_audit_gives_the_whole_components_verdict_for_every_cell(bool weakened)
    {
        var table = DisclosureBenchmark.RandomTable(512, seed: 3);
        var system = CellSystem.Link([table]);
        var parameters = DisclosureParameters.Default;
        var primary = DisclosureControl.AssessPrimary(system, parameters);
        var suppressed = SecondarySuppressor.Suppress(system, primary, parameters).Suppressed.ToArray();
        if (weakened)
        {
            // Publish every fourth complementary cell again: some sensitive cells lose their protection.
            var complementary = Enumerable.Range(0, system.Count).Where(c => suppressed[c] && !primary[c].Sensitive).ToList();
            for (var k = 0; k < complementary.Count; k += 4)
            {
                suppressed[complementary[k]] = false;
            }
        }

        foreach (var integers in (bool[])[true, false])
        {
            var knowledge = new AttackerKnowledge(integers, []);
            var whole = Auditor.Audit(system, primary, suppressed, knowledge, null, wholeCells: int.MaxValue);
            var priced = Auditor.Audit(system, primary, suppressed, knowledge, null, wholeCells: 0);

            Assert.Equal(whole.Cells.Select(c => c.Cell), priced.Cells.Select(c => c.Cell));
            Assert.Equal(whole.Cells.Select(c => c.Satisfied), priced.Cells.Select(c => c.Satisfied));
            Assert.Equal(weakened, !whole.Passed);
            Assert.Equal(whole.Passed, priced.Passed);
            if (weakened)
            {
                Assert.Contains(whole.Cells, c => c.Primary && !c.Satisfied);
            }
            foreach (var (w, p) in whole.Cells.Zip(priced.Cells))
            {
                var slack = 1e-6 * Math.Max(1, Math.Abs(w.Value));
                Assert.True(p.Lower <= p.Value + slack && p.Upper >= p.Value - slack, $"{p.Location}: [{p.Lower}, {p.Upper}] misses {p.Value}");
                Assert.Equal(Pinned(w), Pinned(p));
                if (integers && p.Primary)
                {
                    // Whole yuan: the protection interval is asked in whole units, its ends the whole values inside it.
                    Assert.Equal(Math.Round(p.RequiredLower), p.RequiredLower);
                    Assert.Equal(Math.Round(p.RequiredUpper), p.RequiredUpper);
                }
                if (!integers)
                {
                    // The whole component's LP interval is the attacker's: the priced one is a restriction's, inside it.
                    Assert.True(p.Lower >= w.Lower - slack && p.Upper <= w.Upper + slack, $"{p.Location}: [{p.Lower}, {p.Upper}] outside [{w.Lower}, {w.Upper}]");
                }
            }
        }
    }

    [Fact]
    public void Pricing_keeps_the_model_near_the_cell()
    {
        var table = DisclosureBenchmark.RandomTable(2_028, seed: 1);
        var system = CellSystem.Link([table]);
        var parameters = DisclosureParameters.Default;
        var primary = DisclosureControl.AssessPrimary(system, parameters);
        var suppressed = SecondarySuppressor.Suppress(system, primary, parameters).Suppressed;
        var hidden = Enumerable.Range(0, system.Count).Select(c => suppressed[c]).ToArray();
        var relations = SecondarySuppressor.RelationsByCell(system);
        var sensitive = Enumerable.Range(0, system.Count).Where(c => primary[c].Sensitive).Take(20).ToList();

        var sizes = sensitive.Select(c => AuditColumns.Cells(system, c, hidden, relations, 1e12,
            system.Values[c] - primary[c].LowerProtection, system.Values[c] + primary[c].UpperProtection)!.Length).ToList();

        // Each model is a small part of the component's withheld cells, not the component.
        Assert.True(sizes.Average() < hidden.Count(h => h) / 4.0, $"models of {string.Join(", ", sizes)} cells for {hidden.Count(h => h)} withheld");
    }

    private static bool Pinned(CellAudit c) => c.Upper - c.Lower <= 1e-6 * Math.Max(1, Math.Abs(c.Value));
}
