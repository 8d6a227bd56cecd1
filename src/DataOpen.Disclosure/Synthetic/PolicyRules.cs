using System.Globalization;

namespace DataOpen.Disclosure.Synthetic;

/// <summary>A support measure of the district's 数实融合新赛道 policy and its limits (null = no such limit).</summary>
/// <param name="MaxShare">Largest grant as a share of the record's base amount (contract fee, investment, project amount).</param>
/// <param name="BaseLabel">What the share is of, for messages ("contract fee").</param>
public sealed record PolicyMeasure(
    string Id,
    string Name,
    string NameEn,
    decimal? MaxShare,
    string BaseLabel,
    decimal? MaxPerProject,
    decimal? MaxPerEnterprisePerYear);

/// <summary>One rule a record breaks, citing the measure and the rule.</summary>
public sealed record PolicyViolation(string RecordKind, string RecordId, string MeasureId, string MeasureName, string Rule, string Detail)
{
    public string Message => $"{RecordKind} {RecordId}: measure {MeasureId} ({MeasureName}) rule '{Rule}' broken: {Detail}";

    public override string ToString() => Message;
}

/// <summary>The policy's measures and limits that every confidential record must respect when loaded.</summary>
public sealed class PolicyRules
{
    public const string MatchingMeasureId = "M06";
    public const string TalentMeasureId = "M07";
    public const string SoftRegulationMeasureId = "M08";

    public static IReadOnlyList<string> Tracks { get; } = ["人工智能", "工业互联网", "智能网联汽车", "卫星与空间信息", "生物医药数字化", "数字文创"];

    public static IReadOnlyList<string> Parks { get; } = ["高新南区", "北湖科技园", "长德新区", "空港经济区"];

    public static IReadOnlyList<string> SizeClasses { get; } = ["大型", "中型", "小型", "微型"];

    public static IReadOnlyList<string> MatchingLevels { get; } = ["national", "provincial", "city"];

    public static IReadOnlyList<string> TalentLevels { get; } = ["A", "B", "C", "D", "E"];

    public static IReadOnlyList<string> SoftRegulationTypes { get; } = ["首违不罚", "信用承诺", "提醒谈话", "行政警告"];

    public static IReadOnlyList<int> Years { get; } = [2023, 2024, 2025];

    public static IReadOnlyList<string> Quarters { get; } =
        [.. Years.SelectMany(y => Enumerable.Range(1, 4).Select(q => string.Create(CultureInfo.InvariantCulture, $"{y}Q{q}")))];

    public IReadOnlyList<PolicyMeasure> GrantMeasures { get; init; } =
    [
        new("M01", "技术开发合同补助", "technology development contract subsidy", 0.30m, "contract fee", 5_000_000m, 15_000_000m),
        new("M02", "首台(套)装备奖励", "first-of-a-kind equipment award", 0.20m, "contract fee", 3_000_000m, null),
        new("M03", "数字化改造补助", "digital transformation subsidy", 0.20m, "investment", 2_000_000m, 5_000_000m),
        new("M04", "应用场景示范奖励", "application scenario demonstration award", 0.10m, "contract fee", 1_000_000m, null),
        new("M05", "数据产品交易补贴", "data product trading subsidy", 0.03m, "contract fee", null, 2_000_000m),
    ];

    public PolicyMeasure Matching { get; init; } =
        new(MatchingMeasureId, "重大项目配套", "district matching of major projects", 0.50m, "project amount", 10_000_000m, null);

    public string TalentMeasureName { get; init; } = "人才认定奖励";

    /// <summary>Largest award per recognition, by talent level.</summary>
    public IReadOnlyDictionary<string, decimal> TalentAwardCaps { get; init; } = new Dictionary<string, decimal>(StringComparer.Ordinal)
    {
        ["A"] = 1_000_000m,
        ["B"] = 500_000m,
        ["C"] = 200_000m,
        ["D"] = 100_000m,
        ["E"] = 50_000m,
    };

    public string SoftRegulationMeasureName { get; init; } = "包容审慎监管";

    public static PolicyRules Default { get; } = new();

    public PolicyMeasure? GrantMeasure(string id) => GrantMeasures.FirstOrDefault(m => m.Id == id);
}
