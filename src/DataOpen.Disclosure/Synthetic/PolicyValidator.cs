using System.Globalization;

namespace DataOpen.Disclosure.Synthetic;

/// <summary>Checks confidential records against <see cref="PolicyRules"/> on load; every broken rule is
/// reported with the record, the measure and the rule, and the record is rejected.</summary>
public static class PolicyValidator
{
    public static IReadOnlyList<PolicyViolation> ValidateGrants(IEnumerable<GrantRecord> grants, PolicyRules rules)
    {
        var violations = new List<PolicyViolation>();
        // Per-enterprise yearly caps count only the grants accepted so far, in file order.
        var yearly = new Dictionary<(string, string, int), decimal>();
        foreach (var g in grants)
        {
            var measure = rules.GrantMeasure(g.MeasureId);
            if (measure is null)
            {
                violations.Add(new("grant", g.GrantId, g.MeasureId, "unknown", "measure exists",
                    $"'{g.MeasureId}' is not one of {string.Join(", ", rules.GrantMeasures.Select(m => m.Id))}"));
                continue;
            }
            var found = new List<PolicyViolation>();
            CheckCommon(found, "grant", g.GrantId, measure, g.AmountGranted, g.ContractFee);
            CheckCategory(found, "grant", g.GrantId, measure, "track", g.Track, PolicyRules.Tracks);
            CheckCategory(found, "grant", g.GrantId, measure, "park", g.Park, PolicyRules.Parks);
            CheckCategory(found, "grant", g.GrantId, measure, "size class", g.SizeClass, PolicyRules.SizeClasses);
            CheckCategory(found, "grant", g.GrantId, measure, "quarter", g.Quarter, PolicyRules.Quarters);
            if (found.Count == 0 && measure.MaxPerEnterprisePerYear is { } cap)
            {
                var key = (g.EnterpriseId, g.MeasureId, g.Year);
                var sum = yearly.GetValueOrDefault(key) + g.AmountGranted;
                if (sum > cap)
                {
                    found.Add(new("grant", g.GrantId, measure.Id, measure.Name, $"at most {Yuan(cap)} yuan per enterprise per year",
                        $"{Yuan(sum)} > {Yuan(cap)} for {g.EnterpriseId} in {g.Year}"));
                }
                else
                {
                    yearly[key] = sum;
                }
            }
            violations.AddRange(found);
        }
        return violations;
    }

    public static IReadOnlyList<PolicyViolation> ValidateMatching(IEnumerable<MatchingRecord> records, PolicyRules rules)
    {
        var violations = new List<PolicyViolation>();
        foreach (var m in records)
        {
            CheckCommon(violations, "matching", m.ProjectId, rules.Matching, m.MatchingAmount, m.ProjectAmount);
            CheckCategory(violations, "matching", m.ProjectId, rules.Matching, "level", m.Level, PolicyRules.MatchingLevels);
            CheckCategory(violations, "matching", m.ProjectId, rules.Matching, "year", m.Year.ToString(CultureInfo.InvariantCulture),
                [.. PolicyRules.Years.Select(y => y.ToString(CultureInfo.InvariantCulture))]);
        }
        return violations;
    }

    public static IReadOnlyList<PolicyViolation> ValidateTalents(IEnumerable<TalentRecord> records, PolicyRules rules)
    {
        var violations = new List<PolicyViolation>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var t in records)
        {
            if (!rules.TalentAwardCaps.TryGetValue(t.Level, out var cap))
            {
                violations.Add(new("talent", t.RecognitionId, PolicyRules.TalentMeasureId, rules.TalentMeasureName, "level is one of A–E",
                    $"'{t.Level}' is not a talent level"));
                continue;
            }
            if (t.AwardAmount < 0 || t.AwardAmount > cap)
            {
                violations.Add(new("talent", t.RecognitionId, PolicyRules.TalentMeasureId, rules.TalentMeasureName,
                    $"level {t.Level} award at most {Yuan(cap)} yuan", $"{Yuan(t.AwardAmount)} > {Yuan(cap)}"));
            }
            if (!seen.Add(t.PersonId))
            {
                violations.Add(new("talent", t.RecognitionId, PolicyRules.TalentMeasureId, rules.TalentMeasureName,
                    "one recognition per person", $"{t.PersonId} is already recognised"));
            }
            var measure = new PolicyMeasure(PolicyRules.TalentMeasureId, rules.TalentMeasureName, "", null, "", null, null);
            CheckCategory(violations, "talent", t.RecognitionId, measure, "track", t.Track, PolicyRules.Tracks);
            CheckCategory(violations, "talent", t.RecognitionId, measure, "year", t.Year.ToString(CultureInfo.InvariantCulture),
                [.. PolicyRules.Years.Select(y => y.ToString(CultureInfo.InvariantCulture))]);
        }
        return violations;
    }

    public static IReadOnlyList<PolicyViolation> ValidateSoftRegulation(IEnumerable<SoftRegulationCase> cases, PolicyRules rules)
    {
        var violations = new List<PolicyViolation>();
        var measure = new PolicyMeasure(PolicyRules.SoftRegulationMeasureId, rules.SoftRegulationMeasureName, "", null, "", null, null);
        var firstViolation = new HashSet<string>(StringComparer.Ordinal);
        foreach (var c in cases)
        {
            CheckCategory(violations, "case", c.CaseId, measure, "type", c.Type, PolicyRules.SoftRegulationTypes);
            CheckCategory(violations, "case", c.CaseId, measure, "quarter", c.Quarter, PolicyRules.Quarters);
            CheckCategory(violations, "case", c.CaseId, measure, "track", c.Track, PolicyRules.Tracks);
            // 首违不罚 is for a first violation only: an enterprise gets it once.
            if (c.Type == "首违不罚" && !firstViolation.Add(c.EnterpriseId))
            {
                violations.Add(new("case", c.CaseId, measure.Id, measure.Name, "首违不罚 (first-violation no-penalty) at most once per enterprise",
                    $"{c.EnterpriseId} already had a first-violation no-penalty case"));
            }
        }
        return violations;
    }

    public static IReadOnlyList<PolicyViolation> Validate(SyntheticDataset data, PolicyRules rules) =>
    [
        .. ValidateGrants(data.Grants, rules),
        .. ValidateMatching(data.Matching, rules),
        .. ValidateTalents(data.Talents, rules),
        .. ValidateSoftRegulation(data.SoftRegulation, rules),
    ];

    private static void CheckCommon(List<PolicyViolation> violations, string kind, string id, PolicyMeasure measure, decimal amount, decimal baseAmount)
    {
        if (amount <= 0)
        {
            violations.Add(new(kind, id, measure.Id, measure.Name, "amount is positive", $"{Yuan(amount)} ≤ 0"));
        }
        if (baseAmount <= 0)
        {
            violations.Add(new(kind, id, measure.Id, measure.Name, $"{measure.BaseLabel} is positive", $"{Yuan(baseAmount)} ≤ 0"));
        }
        if (measure.MaxShare is { } share && amount > share * baseAmount)
        {
            violations.Add(new(kind, id, measure.Id, measure.Name,
                $"at most {(share * 100).ToString("0.##", CultureInfo.InvariantCulture)}% of {measure.BaseLabel}",
                $"{Yuan(amount)} > {share.ToString("0.00##", CultureInfo.InvariantCulture)} × {Yuan(baseAmount)}"));
        }
        if (measure.MaxPerProject is { } cap && amount > cap)
        {
            violations.Add(new(kind, id, measure.Id, measure.Name, $"at most {Yuan(cap)} yuan per project", $"{Yuan(amount)} > {Yuan(cap)}"));
        }
    }

    private static void CheckCategory(List<PolicyViolation> violations, string kind, string id, PolicyMeasure measure, string what, string value,
        IReadOnlyList<string> allowed)
    {
        if (!allowed.Contains(value))
        {
            violations.Add(new(kind, id, measure.Id, measure.Name, $"{what} is a known category", $"'{value}' is not one of {string.Join(", ", allowed)}"));
        }
    }

    private static string Yuan(decimal d) => d.ToString("0.##", CultureInfo.InvariantCulture);
}
