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
            if (measure.Track is { } only && g.Track != only)
            {
                found.Add(new("grant", g.GrantId, measure.Id, measure.Name, $"applies to track {only} only", $"the grant is on track '{g.Track}'"));
            }
            CheckEffective(found, "grant", g.GrantId, measure, g.Quarter);
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
            CheckEffective(violations, "matching", m.ProjectId, rules.Matching, string.Create(CultureInfo.InvariantCulture, $"{m.Year}Q4"));
        }
        return violations;
    }

    public static IReadOnlyList<PolicyViolation> ValidateTalents(IEnumerable<TalentRecord> records, PolicyRules rules)
    {
        var violations = new List<PolicyViolation>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var t in records)
        {
            if (!rules.TalentMeasures.TryGetValue(t.Level, out var measure))
            {
                var any = rules.TalentMeasures.Values.First();
                violations.Add(new("talent", t.RecognitionId, any.Id, any.Name, "level is one of A–E", $"'{t.Level}' is not a talent level"));
                continue;
            }
            var cap = measure.MaxPerProject!.Value;
            if (t.AwardAmount <= 0 || t.AwardAmount > cap)
            {
                violations.Add(new("talent", t.RecognitionId, measure.Id, measure.Name,
                    $"level {t.Level} award positive and at most {Yuan(cap)} yuan", $"{Yuan(t.AwardAmount)} is outside (0, {Yuan(cap)}]"));
            }
            if (!seen.Add(t.PersonId))
            {
                violations.Add(new("talent", t.RecognitionId, measure.Id, measure.Name, "one recognition per person", $"{t.PersonId} is already recognised"));
            }
            CheckEffective(violations, "talent", t.RecognitionId, measure, string.Create(CultureInfo.InvariantCulture, $"{t.Year}Q4"));
            CheckCategory(violations, "talent", t.RecognitionId, measure, "track", t.Track, PolicyRules.Tracks);
            CheckCategory(violations, "talent", t.RecognitionId, measure, "year", t.Year.ToString(CultureInfo.InvariantCulture),
                [.. PolicyRules.Years.Select(y => y.ToString(CultureInfo.InvariantCulture))]);
        }
        return violations;
    }

    public static IReadOnlyList<PolicyViolation> ValidateSoftRegulation(IEnumerable<SoftRegulationCase> cases, PolicyRules rules)
    {
        var violations = new List<PolicyViolation>();
        var firstViolation = new HashSet<string>(StringComparer.Ordinal);
        foreach (var c in cases)
        {
            var measure = rules.SoftRegulationMeasure(c.Type);
            CheckCategory(violations, "case", c.CaseId, measure, "type", c.Type, PolicyRules.SoftRegulationTypes);
            CheckCategory(violations, "case", c.CaseId, measure, "quarter", c.Quarter, PolicyRules.Quarters);
            CheckCategory(violations, "case", c.CaseId, measure, "track", c.Track, PolicyRules.Tracks);
            // 首违不罚 is for a first violation only: an enterprise gets it once.
            CheckEffective(violations, "case", c.CaseId, measure, c.Quarter);
            if (c.Type == PolicyRules.FirstViolationType && !firstViolation.Add(c.EnterpriseId))
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

    /// <summary>A record may not fall in a quarter that ended before its measure took effect.</summary>
    private static void CheckEffective(List<PolicyViolation> violations, string kind, string id, PolicyMeasure measure, string quarter)
    {
        if (measure.EffectiveOn is not { } effective || quarter.Length != 6 || quarter[4] != 'Q'
            || !int.TryParse(quarter.AsSpan(0, 4), CultureInfo.InvariantCulture, out var year) || quarter[5] is < '1' or > '4')
        {
            return;
        }
        var quarterEnd = new DateOnly(year, (quarter[5] - '0') * 3, 1).AddMonths(1).AddDays(-1);
        if (quarterEnd < effective)
        {
            violations.Add(new(kind, id, measure.Id, measure.Name, $"effective from {effective:yyyy-MM-dd}", $"{quarter} ended before the measure took effect"));
        }
    }

    private static string Yuan(decimal d) => d.ToString("0.##", CultureInfo.InvariantCulture);
}
