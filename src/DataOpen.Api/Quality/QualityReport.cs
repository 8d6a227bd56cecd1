using DataOpen.Core.Catalog;

namespace DataOpen.Api.Quality;

/// <summary>
/// One check of a version's quality. <see cref="Score"/> runs from 0 (fails) to 1 (passes) and counts <see cref="Weight"/> times in
/// the version's score; null when the check does not apply (it then does not count). <see cref="Detail"/> says what was found,
/// <see cref="Fix"/> what a steward can do about it.
/// </summary>
public sealed record QualityCheck(string Id, double? Score, int Weight, Localized Detail, Localized? Fix, IReadOnlyList<FieldFinding>? Fields = null);

/// <summary>What a check found in one field: the share of nulls, of values outside the declared value domain, or of text that reads as numbers.</summary>
public sealed record FieldFinding(string Field, double Share, long Count);

/// <summary>The quality report of one published version: the weighted score from 0 to 100 and every check with its result.</summary>
public sealed record QualityReport(string Dataset, int Version, double Score, IReadOnlyList<QualityCheck> Checks, DateTimeOffset ComputedAt)
{
    public static double Weighted(IReadOnlyList<QualityCheck> checks)
    {
        var counted = checks.Where(c => c.Score is not null).ToList();
        var weight = counted.Sum(c => c.Weight);
        return weight == 0 ? 0 : Math.Round(100 * counted.Sum(c => c.Score!.Value * c.Weight) / weight, 1);
    }
}
