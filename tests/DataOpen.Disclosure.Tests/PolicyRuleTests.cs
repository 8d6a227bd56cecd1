using DataOpen.Disclosure.Synthetic;

namespace DataOpen.Disclosure.Tests;

public class PolicyRuleTests
{
    private static readonly PolicyRules Rules = PolicyRules.Default;

    private static GrantRecord Grant(string id, string measure, decimal fee, decimal amount, string enterprise = "SYN-E0001", string quarter = "2024Q2") =>
        new(id, enterprise, "人工智能", "高新南区", "小型", measure, quarter, fee, amount);

    [Fact]
    public void Technology_contract_grant_above_30_percent_of_the_fee_is_rejected_citing_measure_and_rule()
    {
        var violations = PolicyValidator.ValidateGrants([Grant("G-00123", "M01", 1_000_000, 420_000)], Rules);

        var v = Assert.Single(violations);
        Assert.Equal("grant G-00123: measure M01 (技术开发合同补助) rule 'at most 30% of contract fee' broken: 420000 > 0.30 × 1000000", v.Message);
    }

    [Fact]
    public void Technology_contract_grant_above_5_million_per_project_is_rejected()
    {
        var v = Assert.Single(PolicyValidator.ValidateGrants([Grant("G-1", "M01", 30_000_000, 5_000_100)], Rules));

        Assert.Equal("at most 5000000 yuan per project", v.Rule);
        Assert.Equal("M01", v.MeasureId);
    }

    [Fact]
    public void Technology_contract_grants_above_15_million_per_enterprise_and_year_reject_the_record_that_crosses_the_cap()
    {
        var grants = new[]
        {
            Grant("G-1", "M01", 20_000_000, 5_000_000, quarter: "2024Q1"),
            Grant("G-2", "M01", 20_000_000, 5_000_000, quarter: "2024Q2"),
            Grant("G-3", "M01", 20_000_000, 5_000_000, quarter: "2024Q3"),
            Grant("G-4", "M01", 20_000_000, 1_000, quarter: "2024Q4"),
            Grant("G-5", "M01", 20_000_000, 5_000_000, quarter: "2025Q1"),
            Grant("G-6", "M01", 20_000_000, 5_000_000, enterprise: "SYN-E0002", quarter: "2024Q4"),
        };

        var v = Assert.Single(PolicyValidator.ValidateGrants(grants, Rules));
        Assert.Equal("G-4", v.RecordId);
        Assert.Equal("at most 15000000 yuan per enterprise per year", v.Rule);
        Assert.Contains("15001000 > 15000000 for SYN-E0001 in 2024", v.Detail);
    }

    [Fact]
    public void Grant_under_an_unknown_measure_is_rejected()
    {
        var v = Assert.Single(PolicyValidator.ValidateGrants([Grant("G-9", "M99", 100_000, 1_000)], Rules));

        Assert.Contains("'M99' is not one of M01", v.Detail);
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
        Assert.All(violations, v => Assert.Equal("M06", v.MeasureId));
    }

    [Fact]
    public void Talent_award_above_the_level_cap_and_a_second_recognition_are_rejected()
    {
        var records = new[]
        {
            new TalentRecord("T-1", "R-1", "人工智能", "E", 2024, 50_001),
            new TalentRecord("T-2", "R-2", "人工智能", "A", 2024, 1_000_000),
            new TalentRecord("T-3", "R-2", "人工智能", "B", 2025, 10_000),
        };

        var violations = PolicyValidator.ValidateTalents(records, Rules);

        Assert.Equal(["T-1 level E award at most 50000 yuan", "T-3 one recognition per person"], violations.Select(v => $"{v.RecordId} {v.Rule}"));
    }

    [Fact]
    public void A_second_first_violation_no_penalty_case_for_one_enterprise_is_rejected()
    {
        var cases = new[]
        {
            new SoftRegulationCase("C-1", "SYN-E0001", "首违不罚", "2024Q1", "人工智能"),
            new SoftRegulationCase("C-2", "SYN-E0001", "提醒谈话", "2024Q2", "人工智能"),
            new SoftRegulationCase("C-3", "SYN-E0001", "首违不罚", "2024Q3", "人工智能"),
            new SoftRegulationCase("C-4", "SYN-E0002", "罚款", "2024Q3", "人工智能"),
        };

        var violations = PolicyValidator.ValidateSoftRegulation(cases, Rules);

        Assert.Equal(["C-3", "C-4"], violations.Select(v => v.RecordId));
        Assert.StartsWith("case C-3: measure M08 (包容审慎监管) rule '首违不罚", violations[0].Message, StringComparison.Ordinal);
    }
}
