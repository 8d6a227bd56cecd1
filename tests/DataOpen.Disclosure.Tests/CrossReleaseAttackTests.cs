using DataOpen.Disclosure.Suppression;
using DataOpen.Disclosure.Synthetic;
using DataOpen.Disclosure.Tables;
using Xunit.Abstractions;

namespace DataOpen.Disclosure.Tests;

/// <summary>Issue 18: the attack of the audit replayed. Two releases of the committed generator's microdata one
/// quarter apart (release 1 lacks the last quarter, release 2 is complete); the attacker solves min and max of
/// every withheld cell of both versions subject to all published cells of both, every table relation,
/// non-negativity and equality of cells that did not change between the releases.</summary>
public class CrossReleaseAttackTests(ITestOutputHelper output)
{
    private static readonly IReadOnlyList<TableDefinition> Definitions =
        StatisticsTables.Load(Path.Combine(RepoPaths.Root, StatisticsTables.DefaultPath));

    private static readonly Lazy<(IReadOnlyDictionary<string, Microdata> First, IReadOnlyDictionary<string, Microdata> Second)> Releases = new(() =>
    {
        var full = SyntheticSample.Generate(SyntheticSampleTests.Rules).ToMicrodata();
        var last = full.Values.Where(m => m.Columns.Contains("quarter"))
            .SelectMany(m => m.Rows.Select(r => r[m.ColumnIndex("quarter", "test")])).Max(StringComparer.Ordinal)!;
        var earlier = full.ToDictionary(kv => kv.Key, kv => kv.Value.Columns.Contains("quarter")
            ? new Microdata(kv.Key, kv.Value.Columns, [.. kv.Value.Rows.Where(r => r[kv.Value.ColumnIndex("quarter", "test")] != last)])
            : kv.Value, StringComparer.Ordinal);
        return (earlier, full);
    });

    private static readonly Lazy<ProtectedTables> First = new(() => StatisticsTables.Protect(Definitions, Releases.Value.First, DisclosureParameters.Default));

    [Fact]
    public void A_quarterly_republication_is_published_and_the_attacker_narrows_no_withheld_cell_of_either_version()
    {
        Assert.True(First.Value.Audit.Passed, string.Join("\n", First.Value.Audit.Problems));
        var prior = PriorRelease.From("1", First.Value);

        var second = StatisticsTables.Protect(Definitions, Releases.Value.Second, DisclosureParameters.Default, [prior]);

        // An ordinary republication must be protected, not refused.
        Assert.True(second.Audit.Passed, string.Join("\n", second.Audit.Problems));
        Assert.NotEmpty(second.Publish());
        // The attacker of the issue: every published cell of both versions, the relations, non-negativity,
        // integrality and the per-measure caps of policy-measures (in both versions).
        var knowledge = AttackerKnowledge.FromPolicy(second.System, SyntheticSampleTests.Rules);
        Assert.Contains(knowledge.Caps, c => c.Per is not null);
        var attack = CrossRelease.AuditJoint(second.System, second.Primary, second.Pattern.Suppressed, [prior], knowledge);
        output.WriteLine($"caps known to the attacker: {knowledge.Caps.Count(c => c.Per is not null)} per enterprise and year, {knowledge.Caps.Count(c => c.Per is null)} structural zeros");
        output.WriteLine($"release 2: {second.SuppressedCount} withheld ({second.Pattern.Report.Method}, cost {second.Pattern.Report.Cost:N0}); " +
            $"attacker: {attack.Cells.Count} withheld cells over both versions, {attack.Cells.Count(c => c.Location.Contains(" in version ", StringComparison.Ordinal))} of version 1 only, {attack.Cells.Count(c => !c.Satisfied)} narrowed");
        Assert.Empty(attack.Problems);
        Assert.All(attack.Cells, c => Assert.True(c.Satisfied, c.Location));
        // The changed cells of version 1 are in the attacker's system (else it would not see the old totals).
        Assert.Contains(attack.Cells, c => c.Location.EndsWith(" in version 1", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(SuppressionMethod.Heuristic)]
    [InlineData(SuppressionMethod.Optimal)]
    public void The_benchmark_table_refused_before_is_protected_over_both_releases(SuppressionMethod method)
    {
        // 512 cells: release 2 was refused when the suppression model lacked release 1's relations (the hidden
        // unchanged cells moved freely while release 1's published totals pin their sum).
        var (first, second) = DisclosureBenchmark.RandomReleases(512);
        var parameters = new DisclosureParameters { Method = method, TimeLimit = TimeSpan.FromSeconds(30) };
        var release1 = DisclosureControl.Protect(first, parameters);
        Assert.True(release1.Audit.Passed, string.Join("\n", release1.Audit.Problems));

        var release2 = CrossRelease.Protect([second], parameters, [PriorRelease.From("1", release1)]);

        output.WriteLine($"{method}: {release2.SuppressedCount} withheld, {release2.Pattern.Report.Method}, cost {release2.Pattern.Report.Cost:N0}");
        Assert.True(release2.Audit.Passed, string.Join("\n", release2.Audit.Problems));
    }

    [Fact]
    public void A_release_whose_sensitive_cell_an_old_version_published_unchanged_is_refused_with_the_reason()
    {
        var prior = PriorRelease.From("1", First.Value);
        var second = StatisticsTables.Protect(Definitions, Releases.Value.Second, DisclosureParameters.Default, [prior]);
        // Version 1 as if it had published one of release 2's sensitive cells that did not change.
        var cell = Enumerable.Range(0, second.System.Count).First(s => second.Primary[s].Sensitive && second.Primary[s].Reason != PrimaryReason.EarlierVersion
            && prior.Cells.TryGetValue(second.System.Describe(s), out var old) && old.TrueValue == second.System.Values[s]);
        var key = second.System.Describe(cell);
        var leaky = new PriorRelease("1", prior.Cells.ToDictionary(kv => kv.Key,
            kv => kv.Key == key ? new PriorCell((decimal)kv.Value.TrueValue, kv.Value.TrueValue, kv.Value.TrueValue, kv.Value.TrueValue) : kv.Value));

        var refused = StatisticsTables.Protect(Definitions, Releases.Value.Second, DisclosureParameters.Default, [leaky]);

        Assert.False(refused.Audit.Passed);
        Assert.Contains(refused.Audit.Problems, p => p.StartsWith($"sensitive cell {key} (", StringComparison.Ordinal)
            && p.EndsWith("is already published unchanged in version 1: withdraw that version first", StringComparison.Ordinal));
        Assert.Throws<DisclosureAuditFailedException>(() => refused.Publish());
    }

    [Fact]
    public void Cells_withheld_in_the_published_version_and_unchanged_stay_withheld()
    {
        var prior = PriorRelease.From("1", First.Value);
        var second = StatisticsTables.Protect(Definitions, Releases.Value.Second, DisclosureParameters.Default, [prior]);

        for (var s = 0; s < second.System.Count; s++)
        {
            if (prior.Cells.TryGetValue(second.System.Describe(s), out var old) && old.Published is null && old.TrueValue == second.System.Values[s])
            {
                Assert.True(second.Pattern.Suppressed[s], second.System.Describe(s));
            }
        }
    }

    /// <summary>The releases protected one by one with the heuristic (the pipeline before issue 18): the attacker LP
    /// must find narrowed cells, or the attack test above could not fail. (The integer program's per-release
    /// patterns happen not to be broken on this sample, so the old pipeline is reproduced with its method.)</summary>
    [Fact]
    public void Releases_protected_one_by_one_are_broken_by_the_attacker()
    {
        var old = new DisclosureParameters { Method = SuppressionMethod.Heuristic };
        var first = StatisticsTables.Protect(Definitions, Releases.Value.First, old);
        var second = StatisticsTables.Protect(Definitions, Releases.Value.Second, old);
        Assert.True(second.Audit.Passed, string.Join("\n", second.Audit.Problems));

        var attack = CrossRelease.AuditJoint(second.System, second.Primary, second.Pattern.Suppressed, [PriorRelease.From("1", first)]);

        var narrowed = attack.Cells.Where(c => !c.Satisfied).ToList();
        var exact = narrowed.Count(c => c.Upper - c.Lower <= 1e-6 * Math.Max(1, c.Value));
        output.WriteLine($"separately protected: {attack.Cells.Count} withheld cells over both versions, {narrowed.Count} narrowed below protection, {exact} recovered exactly");
        foreach (var c in narrowed.Take(10))
        {
            output.WriteLine($"  {c.Location}: [{c.Lower}, {c.Upper}] needs [{c.RequiredLower}, {c.RequiredUpper}]");
        }
        Assert.NotEmpty(narrowed);
    }

    [Fact]
    public void The_attacker_uses_the_policy_caps_and_they_can_narrow_a_withheld_cell()
    {
        // One sensitive cell protected by a rectangle; an attacker who knows a cap on it (at most its value: an eighth
        // of the published cell r3c2 = 80) narrows it from above, one who does not cannot.
        var table = TestTables.Magnitude2D(new decimal[,] { { 10, 40, 50 }, { 30, 60, 70 }, { 45, 80, 90 } }, new[,] { { 1, 5, 5 }, { 5, 5, 5 }, { 5, 5, 5 } });
        var result = DisclosureControl.Protect(table, DisclosureParameters.Default);
        var p = result.System.SystemIndex(0, table.Cell("r1", "c1").Index);
        var q = result.System.SystemIndex(0, table.Cell("r3", "c2").Index);
        Assert.False(result.Pattern.Suppressed[q]);
        var cap = new AttackerKnowledge(true, [new CellCap(result.System.Describe(p), result.System.Describe(q), 10 / result.System.Values[q])]);

        var without = Auditor.Audit(result.System, result.Primary, result.Pattern.Suppressed);
        var with = Auditor.Audit(result.System, result.Primary, result.Pattern.Suppressed, cap);

        Assert.True(without.Passed, string.Join("\n", without.Problems));
        Assert.False(with.Passed);
        Assert.Equal(10, with.Cells.Single(c => c.Cell == p).Upper, 6);
    }

    [Fact]
    public void Policy_caps_bound_an_amount_by_the_enterprises_of_the_same_measure_track_and_year()
    {
        var system = First.Value.System;
        var caps = AttackerKnowledge.FromPolicy(system, SyntheticSampleTests.Rules).Caps;
        var measure = SyntheticSampleTests.Rules.GrantMeasures.First(m => m.MaxPerEnterprisePerYear is not null);

        var cap = caps.First(c => c.Cell.StartsWith($"grants_amount_by_measure_track_year({measure.Id}, ", StringComparison.Ordinal) && c.Per is not null
            && !c.Cell.EndsWith("_T)", StringComparison.Ordinal));

        Assert.Equal((double)measure.MaxPerEnterprisePerYear!.Value, cap.Cap);
        Assert.Equal(cap.Cell.Replace("grants_amount_by_measure_track_year", "grants_enterprises_by_measure_track_year", StringComparison.Ordinal), cap.Per);
        Assert.DoesNotContain(caps, c => c.Per is not null && c.Cell.EndsWith(", _T)", StringComparison.Ordinal));
    }
}
