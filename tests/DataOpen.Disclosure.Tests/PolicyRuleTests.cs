using DataOpen.Disclosure.Synthetic;

namespace DataOpen.Disclosure.Tests;

public class PolicyRuleTests
{
    private static readonly PolicyRules Rules = SyntheticSampleTests.Rules;

    private static GrantRecord Grant(string id, string measure, decimal fee, decimal amount, string enterprise = "SYN-E0001", string quarter = "2024Q2") =>
        new(id, enterprise, "数字经济", "北湖科技园", "小型", measure, quarter, fee, amount);

    [Fact]
    public void Technology_contract_grant_above_30_percent_of_the_fee_is_rejected_citing_measure_and_rule()
    {
        var violations = PolicyValidator.ValidateGrants([Grant("G-00123", "XQSS-01", 1_000_000, 420_000)], Rules);

        var v = Assert.Single(violations);
        Assert.Equal("grant G-00123: measure XQSS-01 (技术开发合同补助) rule 'at most 30% of contract fee' broken: 420000 > 0.30 × 1000000", v.Message);
    }

    [Fact]
    public void Technology_contract_grant_above_5_million_per_project_is_rejected()
    {
        var v = Assert.Single(PolicyValidator.ValidateGrants([Grant("G-1", "XQSS-01", 30_000_000, 5_000_100)], Rules));

        Assert.Equal("at most 5000000 yuan per project", v.Rule);
        Assert.Equal("XQSS-01", v.MeasureId);
    }

    [Fact]
    public void Technology_contract_grants_above_15_million_per_enterprise_and_year_reject_the_record_that_crosses_the_cap()
    {
        var grants = new[]
        {
            Grant("G-1", "XQSS-01", 20_000_000, 5_000_000, quarter: "2024Q1"),
            Grant("G-2", "XQSS-01", 20_000_000, 5_000_000, quarter: "2024Q2"),
            Grant("G-3", "XQSS-01", 20_000_000, 5_000_000, quarter: "2024Q3"),
            Grant("G-4", "XQSS-01", 20_000_000, 1_000, quarter: "2024Q4"),
            Grant("G-5", "XQSS-01", 20_000_000, 5_000_000, quarter: "2025Q1"),
            Grant("G-6", "XQSS-01", 20_000_000, 5_000_000, enterprise: "SYN-E0002", quarter: "2024Q4"),
        };

        var v = Assert.Single(PolicyValidator.ValidateGrants(grants, Rules));
        Assert.Equal("G-4", v.RecordId);
        Assert.Equal("at most 15000000 yuan per enterprise per year", v.Rule);
        Assert.Contains("15001000 > 15000000 for SYN-E0001 in 2024", v.Detail);
    }

    [Fact]
    public void Grant_under_an_unknown_measure_is_rejected()
    {
        var v = Assert.Single(PolicyValidator.ValidateGrants([Grant("G-9", "XQSS-99", 100_000, 1_000)], Rules));

        Assert.Contains("'XQSS-99' is not one of XQSS-01", v.Detail);
    }

    [Fact]
    public void Major_project_matching_above_half_the_project_or_10_million_is_rejected()
    {
        var records = new[]
        {
            new MatchingRecord("P-1", "SYN-E0001", "national", 2024, 10_000_000, 5_000_001),
            new MatchingRecord("P-2", "SYN-E0001", "national", 2024, 30_000_000, 10_000_001),
            new MatchingRecord("P-3", "SYN-E0001", "county", 2024, 1_000_000, 100_000),
            new MatchingRecord("P-4", "SYN-E0001", "city", 2024, 1_000_000, 500_000),
        };

        var violations = PolicyValidator.ValidateMatching(records, Rules);

        Assert.Equal(["P-1 at most 50% of project amount", "P-2 at most 10000000 yuan per project", "P-3 level is a known category"],
            violations.Select(v => $"{v.RecordId} {v.Rule}"));
        Assert.All(violations, v => Assert.Equal("XQSS-02", v.MeasureId));
    }

    [Fact]
    public void Talent_award_above_the_level_cap_and_a_second_recognition_are_rejected()
    {
        var records = new[]
        {
            new TalentRecord("T-1", "R-1", "数字经济", "C", 2024, 500_001),
            new TalentRecord("T-2", "R-2", "数字经济", "A", 2024, 3_000_000),
            new TalentRecord("T-3", "R-2", "数字经济", "B", 2025, 10_000),
        };

        var violations = PolicyValidator.ValidateTalents(records, Rules);

        Assert.Equal(["T-1 level C award positive and at most 500000 yuan", "T-3 one recognition per person"], violations.Select(v => $"{v.RecordId} {v.Rule}"));
    }

    [Fact]
    public void A_second_first_violation_no_penalty_case_for_one_enterprise_is_rejected()
    {
        var cases = new[]
        {
            new SoftRegulationCase("C-1", "SYN-E0001", "首违不罚", "2024Q1", "数字经济"),
            new SoftRegulationCase("C-2", "SYN-E0001", "提醒谈话", "2024Q2", "数字经济"),
            new SoftRegulationCase("C-3", "SYN-E0001", "首违不罚", "2024Q3", "数字经济"),
            new SoftRegulationCase("C-4", "SYN-E0002", "罚款", "2024Q3", "数字经济"),
        };

        var violations = PolicyValidator.ValidateSoftRegulation(cases, Rules);

        Assert.Equal(["C-3", "C-4"], violations.Select(v => v.RecordId));
        Assert.StartsWith("case C-3: measure XQSS-08 (首违不罚) rule '首违不罚", violations[0].Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Grant_under_a_track_specific_measure_on_another_track_is_rejected()
    {
        var grant = new GrantRecord("G-7", "SYN-E0001", "光电信息", "长春光谷", "小型", "XQSS-14", "2024Q2", 1_000_000, 100_000);

        var v = Assert.Single(PolicyValidator.ValidateGrants([grant], SyntheticSampleTests.Rules));

        Assert.Equal("grant G-7: measure XQSS-14 (创新药临床试验支持) rule 'applies to track 生物医药 only' broken: the grant is on track '光电信息'", v.Message);
    }

    [Fact]
    public void Rules_follow_the_clause_rates_and_caps_of_the_policy_dataset()
    {
        PolicyClause[] clauses =
        [
            new("X-1", "通用", "技术开发合同补助", 0.25m, 100m, null, null),
            new("X-2", "通用", "重大项目区级配套", 0.5m, 1000m, null, null),
            new("X-3", "通用", "人才认定奖励（A、B、C、D、E类）", null, 10m, null, null),
            new("X-4", "通用", "首违不罚", null, null, null, null),
            new("X-5", "通用", "包容审慎监管", null, null, null, null),
        ];
        var rules = PolicyRules.FromClauses(clauses);

        var v = Assert.Single(PolicyValidator.ValidateGrants([Grant("G-1", "X-1", 100, 26)], rules));
        Assert.Equal("at most 25% of contract fee", v.Rule);
        Assert.Equal("X-3", rules.TalentMeasures["D"].Id);
        var missing = Assert.Throws<DisclosureException>(() => PolicyRules.FromClauses(clauses[..3]));
        Assert.Contains("首违不罚", missing.Message, StringComparison.Ordinal);
    }
}
