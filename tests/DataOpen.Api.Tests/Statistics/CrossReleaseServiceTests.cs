using System.Globalization;
using System.Text;
using DataOpen.Api.Infrastructure;
using DataOpen.Api.Statistics;
using DataOpen.Api.Tests.Infrastructure;
using DataOpen.Disclosure.Suppression;
using DataOpen.Disclosure.Synthetic;
using DataOpen.Disclosure.Tables;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace DataOpen.Api.Tests.Statistics;

/// <summary>A service with its own database that publishes the statistics only when the test says so.</summary>
public class ReleaseFactory : DataOpenFactory
{
    protected virtual bool CrossRelease => true;

    protected override IEnumerable<KeyValuePair<string, string?>> Settings =>
    [
        new("DataOpen:Disclosure:PublishOnStart", "false"),
        new("DataOpen:Disclosure:CrossRelease", CrossRelease ? "true" : "false"),
        // The per-release pipeline before issue 18 used the heuristic; the integer program's per-release patterns
        // happen not to be broken on this sample.
        new("DataOpen:Disclosure:SuppressionMethod", CrossRelease ? "Optimal" : "Heuristic"),
    ];
}

/// <summary>The pipeline before issue 18: every release protected on its own, by the heuristic.</summary>
public sealed class PerReleaseFactory : ReleaseFactory
{
    protected override bool CrossRelease => false;
}

/// <summary>
/// Issue 18 through the real service: two releases of the committed generator's microdata one quarter apart are
/// published by <see cref="PolicyStatistics.RunAsync"/>; the attacker reads both versions of every table back
/// through every door (download, REST rows and group_by, OData rows and $apply, GraphQL rows and aggregates) and solves the library's joint LP
/// (<see cref="CrossRelease.AuditJoint"/>) over them.
/// </summary>
public abstract class CrossReleaseServiceTestsBase(ReleaseFactory factory, ITestOutputHelper output)
{
    protected ITestOutputHelper Output { get; } = output;

    private static readonly IReadOnlyList<TableDefinition> Definitions = StatisticsTables.Load(RepoPaths.Resolve(StatisticsTables.DefaultPath));

    /// <summary>Publishes release 1 (without the last quarter) then release 2 (complete) and returns the attacker's
    /// result over both published versions, and how many withheld cells of release 2 it considered.</summary>
    protected async Task<(AuditResult Attack, int Withheld, StatisticsRunResult Second)> PublishTwoReleasesAndAttackAsync()
    {
        var rules = PolicyRules.Load(RepoPaths.Resolve("datasets/policy-measures"));
        var full = SyntheticSample.Generate(rules).ToMicrodata();
        var last = full.Values.Where(m => m.Columns.Contains("quarter"))
            .SelectMany(m => m.Rows.Select(r => r[m.ColumnIndex("quarter", "test")])).Max(StringComparer.Ordinal)!;
        var earlier = full.ToDictionary(kv => kv.Key, kv => kv.Value.Columns.Contains("quarter")
            ? new Microdata(kv.Key, kv.Value.Columns, [.. kv.Value.Rows.Where(r => r[kv.Value.ColumnIndex("quarter", "test")] != last)])
            : kv.Value, StringComparer.Ordinal);

        var service = factory.Services.GetRequiredService<PolicyStatistics>();
        var policy = RepoPaths.Resolve("datasets/policy-measures");
        var tables = RepoPaths.Resolve(StatisticsTables.DefaultPath);
        var first = await service.RunAsync(Write(earlier), policy, tables, CancellationToken.None);
        Assert.True(first.AuditPassed, string.Join("\n", first.Problems));
        var versions1 = first.Published.ToDictionary(p => p.Identifier, p => p.Version!.Value);
        var second = await service.RunAsync(Write(full), policy, tables, CancellationToken.None);
        Output.WriteLine($"release 2: audit {(second.AuditPassed ? "passed" : "refused")}; {second.Problems.Count} problems");
        // An ordinary quarterly republication is protected, not refused.
        Assert.True(second.AuditPassed, string.Join("\n", second.Problems));
        Assert.NotEmpty(second.Published);
        var versions2 = second.Published.ToDictionary(p => p.Identifier, p => p.Version!.Value);
        foreach (var (identifier, version) in versions1)
        {
            // A table whose cells did not change gets no new version: its current version is still release 1's.
            versions2.TryAdd(identifier, version);
        }

        // The attacker's data: both versions of every table through every door (StatisticsDoors checks that they
        // agree and that no aggregate adds to the published cells). The true values and protection intervals,
        // which the attacker does not know, come from the library's tables of each release.
        using var client = factory.CreateClient();
        var published1 = await StatisticsDoors.ReadAsync(client, Definitions, versions1, current: false);
        var published2 = await StatisticsDoors.ReadAsync(client, Definitions, versions2, current: true);
        var (system1, primary1) = Assess(earlier);
        var (system2, primary2) = Assess(full);
        var priorCells = new Dictionary<string, PriorCell>(StringComparer.Ordinal);
        for (var s = 0; s < system1.Count; s++)
        {
            var (key, value, p) = (system1.Describe(s), system1.Values[s], primary1[s]);
            priorCells[key] = new PriorCell(published1[key], value, value - p.LowerProtection, value + p.UpperProtection);
        }
        var suppressed = Enumerable.Range(0, system2.Count).Select(s => published2[system2.Describe(s)] is null).ToArray();
        var attack = CrossRelease.AuditJoint(system2, primary2, suppressed, [new PriorRelease("1", priorCells)]);
        return (attack, suppressed.Count(x => x), second);
    }

    private static (CellSystem System, PrimaryAssessment[] Primary) Assess(IReadOnlyDictionary<string, Microdata> data)
    {
        var system = CellSystem.Link([.. Definitions.Select(d => TableBuilder.Build(d, data[d.Source]))]);
        return (system, DisclosureControl.AssessPrimary(system, DisclosureParameters.Default));
    }

    private static string Write(IReadOnlyDictionary<string, Microdata> data)
    {
        var folder = Directory.CreateTempSubdirectory("dataopen-release-").FullName;
        foreach (var (name, m) in data)
        {
            File.WriteAllText(Path.Combine(folder, name + ".csv"), Microdata.ToCsv(m.Columns, m.Rows), new UTF8Encoding(false));
        }
        return folder;
    }
}

public sealed class CrossReleaseServiceTests(ReleaseFactory factory, ITestOutputHelper output)
    : CrossReleaseServiceTestsBase(factory, output), IClassFixture<ReleaseFactory>
{
    [Fact]
    public async Task Two_releases_published_by_the_service_leave_no_withheld_cell_narrowed()
    {
        var (attack, withheld, _) = await PublishTwoReleasesAndAttackAsync();
        var narrowed = attack.Cells.Where(c => !c.Satisfied).ToList();
        Output.WriteLine($"{withheld} cells withheld in the current version; attacker: {attack.Cells.Count} withheld cells over both versions, {narrowed.Count} narrowed");
        Assert.True(narrowed.Count == 0, string.Join("\n", narrowed.Take(10).Select(c => $"{c.Location}: [{c.Lower}, {c.Upper}] vs [{c.RequiredLower}, {c.RequiredUpper}]")));
        Assert.Empty(attack.Problems);
    }
}

/// <summary>The same replay with the per-release pipeline (<c>DataOpen:Disclosure:CrossRelease=false</c>): the
/// attacker must narrow cells, or the test above could not fail.</summary>
public sealed class PerReleaseServiceTests(PerReleaseFactory factory, ITestOutputHelper output)
    : CrossReleaseServiceTestsBase(factory, output), IClassFixture<PerReleaseFactory>
{
    [Fact]
    public async Task Two_releases_protected_one_by_one_are_broken_through_the_download_door()
    {
        var (attack, withheld, second) = await PublishTwoReleasesAndAttackAsync();
        Assert.True(second.AuditPassed);
        var narrowed = attack.Cells.Where(c => !c.Satisfied).ToList();
        var exact = narrowed.Count(c => c.Upper - c.Lower <= 1e-6 * Math.Max(1, c.Value));
        Output.WriteLine($"{withheld} cells withheld in the current version; attacker narrows {narrowed.Count}, {exact} exactly");
        Assert.NotEmpty(narrowed);
    }
}
