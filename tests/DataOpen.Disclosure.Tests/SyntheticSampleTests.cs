using DataOpen.Disclosure.Synthetic;
using DataOpen.Disclosure.Tables;

namespace DataOpen.Disclosure.Tests;

public class SyntheticSampleTests
{
    [Fact]
    public void The_generator_is_deterministic_for_a_seed_and_differs_between_seeds()
    {
        var a = SyntheticSample.Generate(7);
        var b = SyntheticSample.Generate(7);
        var c = SyntheticSample.Generate(8);

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
        var data = SyntheticSample.Generate();

        Assert.Empty(PolicyValidator.Validate(data, PolicyRules.Default));
        Assert.True(data.Grants.Count > 2000);
        Assert.All(data.Grants, g => Assert.StartsWith("SYN-", g.EnterpriseId, StringComparison.Ordinal));
    }

    [Fact]
    public void Committed_seed_files_equal_the_generator_output()
    {
        var folder = Path.Combine(RepoPaths.Root, SyntheticSample.RestrictedFolder);
        var data = SyntheticSample.Generate();

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
            var files = SyntheticSample.WriteCsv(root);

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
}
