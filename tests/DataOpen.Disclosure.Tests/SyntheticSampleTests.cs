using DataOpen.Disclosure.Synthetic;
using DataOpen.Disclosure.Tables;

namespace DataOpen.Disclosure.Tests;

public class SyntheticSampleTests
{
    internal static PolicyRules Rules { get; } = PolicyRules.Load(PolicyRules.DatasetFolder(RepoPaths.Root));

    [Fact]
    public void The_generator_is_deterministic_for_a_seed_and_differs_between_seeds()
    {
        var a = SyntheticSample.Generate(Rules, 7);
        var b = SyntheticSample.Generate(Rules, 7);
        var c = SyntheticSample.Generate(Rules, 8);

        Assert.Equal(a.Grants, b.Grants);
        Assert.Equal(a.Matching, b.Matching);
        Assert.Equal(a.Talents, b.Talents);
        Assert.Equal(a.SoftRegulation, b.SoftRegulation);
        Assert.NotEqual(a.Grants.Select(g => g.AmountGranted), c.Grants.Select(g => g.AmountGranted));
    }

    [Fact]
    public void SplitMix64_produces_the_reference_sequence()
    {
        // Reference values of SplitMix64 seeded with 1234567 (from the published C implementation).
        var random = new SplitMix64(1234567);

        Assert.Equal(6457827717110365317UL, random.Next());
        Assert.Equal(3203168211198807973UL, random.Next());
    }

    [Fact]
    public void Generated_records_break_no_policy_rule()
    {
        var data = SyntheticSample.Generate(Rules);

        Assert.Empty(PolicyValidator.Validate(data, Rules));
        Assert.True(data.Grants.Count > 2000);
        Assert.All(data.Grants, g => Assert.StartsWith("SYN-", g.EnterpriseId, StringComparison.Ordinal));
    }

    [Fact]
    public void Committed_seed_files_equal_the_generator_output()
    {
        // The documented way to regenerate the committed files after a deliberate change.
        if (Environment.GetEnvironmentVariable("DATAOPEN_REGENERATE_RESTRICTED") == "1")
        {
            SyntheticSample.WriteCsv(RepoPaths.Root, Rules);
        }
        var folder = Path.Combine(RepoPaths.Root, SyntheticSample.RestrictedFolder);
        var data = SyntheticSample.Generate(Rules);

        Assert.Equal(Microdata.ToCsv(GrantRecord.Columns, data.Grants.Select(g => g.ToRow())), File.ReadAllText(Path.Combine(folder, "grants.csv")));
        Assert.Equal(Microdata.ToCsv(MatchingRecord.Columns, data.Matching.Select(g => g.ToRow())), File.ReadAllText(Path.Combine(folder, "matching.csv")));
        Assert.Equal(Microdata.ToCsv(TalentRecord.Columns, data.Talents.Select(g => g.ToRow())), File.ReadAllText(Path.Combine(folder, "talents.csv")));
        Assert.Equal(Microdata.ToCsv(SoftRegulationCase.Columns, data.SoftRegulation.Select(g => g.ToRow())),
            File.ReadAllText(Path.Combine(folder, "soft_regulation.csv")));
    }

    [Fact]
    public void WriteCsv_writes_the_four_files_and_a_synthetic_data_notice()
    {
        var root = Directory.CreateTempSubdirectory("sdc").FullName;
        try
        {
            var files = SyntheticSample.WriteCsv(root, Rules);

            Assert.Equal(["README.md", "grants.csv", "matching.csv", "soft_regulation.csv", "talents.csv"],
                files.Select(Path.GetFileName).Order(StringComparer.Ordinal));
            Assert.Contains("SYNTHETIC SAMPLE DATA", File.ReadAllText(Path.Combine(root, "seeds/restricted/README.md")), StringComparison.Ordinal);
            var grants = Microdata.ReadCsv("grants", Path.Combine(root, "seeds/restricted/grants.csv"));
            Assert.Equal(GrantRecord.Columns, grants.Columns);
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    [Fact]
    public void Tracks_and_parks_are_the_names_of_the_sample_catalog_seeds()
    {
        static List<string> Names(string file)
        {
            using var doc = System.Text.Json.JsonDocument.Parse(File.ReadAllText(Path.Combine(RepoPaths.Root, "seeds", file)));
            return [.. doc.RootElement.EnumerateArray().Select(e => e.GetProperty("name").GetProperty("zh").GetString()!)];
        }

        Assert.Equal(Names("tracks.json"), PolicyRules.Tracks);
        Assert.Equal(Names("parks.json"), PolicyRules.Parks);
        var data = SyntheticSample.Generate(Rules);
        Assert.Equal(PolicyRules.Tracks.Order(StringComparer.Ordinal), data.Grants.Select(g => g.Track).Distinct().Order(StringComparer.Ordinal));
        Assert.Equal(PolicyRules.Parks.Order(StringComparer.Ordinal), data.Grants.Select(g => g.Park).Distinct().Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Grant_measures_are_the_clauses_of_the_policy_dataset()
    {
        var ids = Rules.GrantMeasures.Select(m => m.Id).ToList();

        Assert.Contains("XQSS-01", ids);
        Assert.DoesNotContain("XQSS-02", ids);
        Assert.Equal("XQSS-02", Rules.Matching.Id);
        Assert.Equal(0.50m, Rules.Matching.MaxShare);
        Assert.Equal("XQSS-05", Rules.TalentMeasures["A"].Id);
        Assert.Equal("XQSS-07", Rules.TalentMeasures["E"].Id);
        Assert.Equal("XQSS-08", Rules.FirstViolation.Id);
        Assert.All(SyntheticSample.Generate(Rules).Grants, g => Assert.Contains(g.MeasureId, ids));
    }

    [Fact]
    public void A_missing_policy_dataset_is_an_error_naming_the_file()
    {
        var folder = Directory.CreateTempSubdirectory("policy").FullName;
        try
        {
            var e = Assert.Throws<DisclosureException>(() => PolicyRules.Load(folder));
            Assert.Contains("dataset.json", e.Message, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
