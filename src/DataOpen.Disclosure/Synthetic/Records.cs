using System.Globalization;

namespace DataOpen.Disclosure.Synthetic;

/// <summary>A grant to an enterprise under one measure (confidential).</summary>
public sealed record GrantRecord(string GrantId, string EnterpriseId, string Track, string Park, string SizeClass, string MeasureId,
    string Quarter, decimal ContractFee, decimal AmountGranted)
{
    public int Year => int.Parse(Quarter.AsSpan(0, 4), CultureInfo.InvariantCulture);

    public static IReadOnlyList<string> Columns { get; } =
        ["grant_id", "enterprise_id", "track", "park", "size_class", "measure_id", "quarter", "year", "contract_fee", "amount_granted"];

    public string[] ToRow() =>
        [GrantId, EnterpriseId, Track, Park, SizeClass, MeasureId, Quarter, Year.ToString(CultureInfo.InvariantCulture), Money(ContractFee), Money(AmountGranted)];

    internal static string Money(decimal d) => d.ToString("0.##", CultureInfo.InvariantCulture);
}

/// <summary>District matching of a national, provincial or city major project (confidential).</summary>
public sealed record MatchingRecord(string ProjectId, string EnterpriseId, string Level, int Year, decimal ProjectAmount, decimal MatchingAmount)
{
    public static IReadOnlyList<string> Columns { get; } = ["project_id", "enterprise_id", "level", "year", "project_amount", "matching_amount"];

    public string[] ToRow() =>
        [ProjectId, EnterpriseId, Level, Year.ToString(CultureInfo.InvariantCulture), GrantRecord.Money(ProjectAmount), GrantRecord.Money(MatchingAmount)];
}

/// <summary>A talent recognition with its award (confidential personal data; the person id is a pseudonym).</summary>
public sealed record TalentRecord(string RecognitionId, string PersonId, string Track, string Level, int Year, decimal AwardAmount)
{
    public static IReadOnlyList<string> Columns { get; } = ["recognition_id", "person_id", "track", "level", "year", "award_amount"];

    public string[] ToRow() =>
        [RecognitionId, PersonId, Track, Level, Year.ToString(CultureInfo.InvariantCulture), GrantRecord.Money(AwardAmount)];
}

/// <summary>A soft-regulation case (首违不罚, 信用承诺, 提醒谈话, 行政警告) concerning an enterprise (confidential).</summary>
public sealed record SoftRegulationCase(string CaseId, string EnterpriseId, string Type, string Quarter, string Track)
{
    public int Year => int.Parse(Quarter.AsSpan(0, 4), CultureInfo.InvariantCulture);

    public static IReadOnlyList<string> Columns { get; } = ["case_id", "enterprise_id", "type", "quarter", "year", "track"];

    public string[] ToRow() => [CaseId, EnterpriseId, Type, Quarter, Year.ToString(CultureInfo.InvariantCulture), Track];
}
