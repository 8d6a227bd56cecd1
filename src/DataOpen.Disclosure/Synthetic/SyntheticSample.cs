using System.Globalization;
using System.Text;
using DataOpen.Disclosure.Tables;

namespace DataOpen.Disclosure.Synthetic;

/// <summary>The four confidential microdata sets.</summary>
public sealed record SyntheticDataset(
    IReadOnlyList<GrantRecord> Grants,
    IReadOnlyList<MatchingRecord> Matching,
    IReadOnlyList<TalentRecord> Talents,
    IReadOnlyList<SoftRegulationCase> SoftRegulation)
{
    /// <summary>The data sets as <see cref="Microdata"/> keyed by the source names used in table definitions.</summary>
    public IReadOnlyDictionary<string, Microdata> ToMicrodata() => new Dictionary<string, Microdata>(StringComparer.Ordinal)
    {
        ["grants"] = new("grants", GrantRecord.Columns, [.. Grants.Select(g => g.ToRow())]),
        ["matching"] = new("matching", MatchingRecord.Columns, [.. Matching.Select(m => m.ToRow())]),
        ["talents"] = new("talents", TalentRecord.Columns, [.. Talents.Select(t => t.ToRow())]),
        ["soft_regulation"] = new("soft_regulation", SoftRegulationCase.Columns, [.. SoftRegulation.Select(c => c.ToRow())]),
    };
}

/// <summary>
/// SYNTHETIC SAMPLE DATA generator: deterministic invented microdata shaped like the district's records of how
/// the 数实融合新赛道 support policy is carried out. No real enterprise or person is described; ids are
/// pseudonyms prefixed "SYN-". Only records valid under <see cref="PolicyRules"/> are produced.
/// </summary>
public static class SyntheticSample
{
    public const ulong DefaultSeed = 20_261_126;

    public const string RestrictedFolder = "seeds/restricted";

    private sealed record Enterprise(string Id, string Track, string Park, string SizeClass);

    /// <summary>Typical award per talent level (the policy text: A 300万, B 100万, C 50万, D 20万, E 5万); the
    /// clause caps of the policy dataset still bound every award.</summary>
    private static readonly Dictionary<string, decimal> TypicalTalentAward = new(StringComparer.Ordinal)
    {
        ["A"] = 3_000_000m, ["B"] = 1_000_000m, ["C"] = 500_000m, ["D"] = 200_000m, ["E"] = 50_000m,
    };

    public static SyntheticDataset Generate(PolicyRules rules, ulong seed = DefaultSeed)
    {
        ArgumentNullException.ThrowIfNull(rules);
        var random = new SplitMix64(seed);
        var enterprises = new List<Enterprise>();
        for (var i = 1; i <= 600; i++)
        {
            enterprises.Add(new Enterprise(
                string.Create(CultureInfo.InvariantCulture, $"SYN-E{i:D4}"),
                PolicyRules.Tracks[random.PickWeighted([4, 4, 5, 2, 3, 2, 3])],
                PolicyRules.Parks[random.PickWeighted([3, 3, 3, 2, 1, 2, 3, 2])],
                PolicyRules.SizeClasses[random.PickWeighted([1, 3, 6, 5])]));
        }
        return new SyntheticDataset(
            Grants(random, enterprises, rules),
            Matching(random, enterprises, rules),
            Talents(random, rules),
            SoftRegulation(random, enterprises));
    }

    private static List<GrantRecord> Grants(SplitMix64 random, List<Enterprise> enterprises, PolicyRules rules)
    {
        var grants = new List<GrantRecord>();
        var yearly = new Dictionary<(string, string, int), decimal>();
        double[] enterpriseWeights = [.. enterprises.Select((_, i) => 1.0 / (1 + i % 50))];
        for (var attempt = 0; attempt < 2600; attempt++)
        {
            var e = enterprises[random.PickWeighted(enterpriseWeights)];
            // Track-specific clauses are drawn only for enterprises on that track, a little less often than general ones.
            var applicable = rules.GrantMeasures.Where(m => m.Track is null || m.Track == e.Track).ToList();
            var measure = applicable[random.PickWeighted([.. applicable.Select(m => m.Track is null ? 3.0 : 2.0)])];
            var quarter = PolicyRules.Quarters[random.Next(0, PolicyRules.Quarters.Count)];
            var year = int.Parse(quarter.AsSpan(0, 4), CultureInfo.InvariantCulture);
            if (measure.EffectiveOn is { } effective && year < effective.Year)
            {
                continue;
            }
            var fee = RoundDown(Math.Min(random.LogNormal(Math.Log(1_500_000), 1.1), 200_000_000), 1000);
            if (fee < 10_000)
            {
                continue;
            }
            var share = measure.MaxShare ?? 1m;
            var amount = RoundDown((double)fee * (double)share * (0.4 + 0.6 * random.NextDouble()), 100);
            if (measure.MaxPerProject is { } perProject)
            {
                amount = Math.Min(amount, perProject);
            }
            if (measure.MaxPerEnterprisePerYear is { } perYear)
            {
                var used = yearly.GetValueOrDefault((e.Id, measure.Id, year));
                amount = Math.Min(amount, perYear - used);
                if (amount < 1000)
                {
                    continue;
                }
                yearly[(e.Id, measure.Id, year)] = used + amount;
            }
            var id = string.Create(CultureInfo.InvariantCulture, $"SYN-G{grants.Count + 1:D5}");
            grants.Add(new GrantRecord(id, e.Id, e.Track, e.Park, e.SizeClass, measure.Id, quarter, fee, amount));
        }
        return grants;
    }

    private static List<MatchingRecord> Matching(SplitMix64 random, List<Enterprise> enterprises, PolicyRules rules)
    {
        var records = new List<MatchingRecord>();
        var candidates = enterprises.Where(e => e.SizeClass is "大型" or "中型").ToList();
        for (var i = 1; i <= 160; i++)
        {
            var e = random.Pick(candidates);
            var level = PolicyRules.MatchingLevels[random.PickWeighted([1, 3, 5])];
            var scale = level switch { "national" => 20_000_000.0, "provincial" => 6_000_000.0, _ => 2_000_000.0 };
            var project = RoundDown(random.LogNormal(Math.Log(scale), 0.8), 10_000);
            var matching = Math.Min(RoundDown((double)project * (double)rules.Matching.MaxShare!.Value * (0.5 + 0.5 * random.NextDouble()), 100),
                rules.Matching.MaxPerProject ?? decimal.MaxValue);
            if (matching < 100)
            {
                continue;
            }
            records.Add(new MatchingRecord(string.Create(CultureInfo.InvariantCulture, $"SYN-P{i:D4}"), e.Id, level,
                PolicyRules.Years[random.Next(0, PolicyRules.Years.Count)], project, matching));
        }
        return records;
    }

    private static List<TalentRecord> Talents(SplitMix64 random, PolicyRules rules)
    {
        var records = new List<TalentRecord>();
        for (var i = 1; i <= 3000; i++)
        {
            var level = PolicyRules.TalentLevels[random.PickWeighted([1, 4, 15, 30, 50])];
            var cap = Math.Min(TypicalTalentAward[level], rules.TalentMeasures[level].MaxPerProject!.Value);
            var award = RoundDown((double)cap * (0.5 + 0.5 * random.NextDouble()), 1000);
            records.Add(new TalentRecord(
                string.Create(CultureInfo.InvariantCulture, $"SYN-T{i:D5}"),
                string.Create(CultureInfo.InvariantCulture, $"SYN-R{i:D5}"),
                PolicyRules.Tracks[random.PickWeighted([4, 4, 5, 2, 3, 2, 3])],
                level,
                PolicyRules.Years[random.Next(0, PolicyRules.Years.Count)],
                award));
        }
        return records;
    }

    private static List<SoftRegulationCase> SoftRegulation(SplitMix64 random, List<Enterprise> enterprises)
    {
        var cases = new List<SoftRegulationCase>();
        var hadFirst = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 1; i <= 900; i++)
        {
            var e = random.Pick(enterprises);
            var type = PolicyRules.SoftRegulationTypes[random.PickWeighted([4, 3, 3, 1])];
            if (type == "首违不罚" && !hadFirst.Add(e.Id))
            {
                type = "提醒谈话";
            }
            cases.Add(new SoftRegulationCase(string.Create(CultureInfo.InvariantCulture, $"SYN-C{i:D5}"), e.Id, type,
                PolicyRules.Quarters[random.Next(0, PolicyRules.Quarters.Count)], e.Track));
        }
        return cases;
    }

    private static decimal RoundDown(double value, int unit) => Math.Floor((decimal)value / unit) * unit;

    /// <summary>Writes grants.csv, matching.csv, talents.csv and soft_regulation.csv (UTF-8, header row, LF)
    /// and a README saying they are synthetic under &lt;repoRoot&gt;/seeds/restricted; returns the files written.
    /// The rules come from the policy dataset (<see cref="PolicyRules.Load"/>).</summary>
    public static IReadOnlyList<string> WriteCsv(string repoRoot, PolicyRules rules, ulong seed = DefaultSeed)
    {
        ArgumentNullException.ThrowIfNull(rules);
        if (!Directory.Exists(repoRoot))
        {
            throw new DisclosureException($"repository root '{repoRoot}' does not exist");
        }
        var data = Generate(rules, seed);
        var violations = PolicyValidator.Validate(data, rules);
        if (violations.Count > 0)
        {
            throw new InvalidOperationException("the generator produced invalid records: " + violations[0].Message);
        }
        var folder = Path.Combine(repoRoot, RestrictedFolder);
        Directory.CreateDirectory(folder);
        var utf8 = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false);
        var files = new List<string>();
        void Write(string name, IReadOnlyList<string> columns, IEnumerable<string[]> rows)
        {
            var path = Path.Combine(folder, name);
            File.WriteAllText(path, Microdata.ToCsv(columns, rows), utf8);
            files.Add(path);
        }
        Write("grants.csv", GrantRecord.Columns, data.Grants.Select(g => g.ToRow()));
        Write("matching.csv", MatchingRecord.Columns, data.Matching.Select(m => m.ToRow()));
        Write("talents.csv", TalentRecord.Columns, data.Talents.Select(t => t.ToRow()));
        Write("soft_regulation.csv", SoftRegulationCase.Columns, data.SoftRegulation.Select(c => c.ToRow()));
        var readme = Path.Combine(folder, "README.md");
        File.WriteAllText(readme, string.Create(CultureInfo.InvariantCulture, $"""
            # SYNTHETIC SAMPLE DATA — confidential schema `restricted`

            These files are invented, deterministic sample microdata (SplitMix64 seed {seed}) shaped like the district's
            records of the 数实融合新赛道 support policy. They describe no real enterprise or person; every id is a
            pseudonym starting with `SYN-`. They are loaded into the `restricted` schema, which the public reader role
            cannot read; only disclosure-controlled aggregates (seeds/statistics-tables.json) are published.

            Tracks and parks are those of seeds/tracks.json and seeds/parks.json; measure ids are the clause ids of the
            policy dataset datasets/policy-measures, whose rates and caps every record respects.

            Regenerate (after changing the generator or the policy dataset) with
            `DATAOPEN_REGENERATE_RESTRICTED=1 dotnet test tests/DataOpen.Disclosure.Tests --filter Committed_seed_files_equal_the_generator_output`,
            which calls `SyntheticSample.WriteCsv(repoRoot, PolicyRules.Load(PolicyRules.DatasetFolder(repoRoot)))`.

            | file | rows |
            |---|---|
            | grants.csv | {data.Grants.Count} |
            | matching.csv | {data.Matching.Count} |
            | talents.csv | {data.Talents.Count} |
            | soft_regulation.csv | {data.SoftRegulation.Count} |

            """), utf8);
        files.Add(readme);
        return files;
    }
}
