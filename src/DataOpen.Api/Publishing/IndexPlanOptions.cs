using System.ComponentModel.DataAnnotations;

namespace DataOpen.Api.Publishing;

/// <summary>The part of every version's index plan that is picked from the data's own statistics.</summary>
public sealed class IndexPlanOptions
{
    public const string Section = "DataOpen:IndexPlan";

    /// <summary>Versions with fewer rows get only the declared indexes (a scan of a small table is as fast as an index).</summary>
    [Range(0, long.MaxValue)]
    public long StatisticsMinRows { get; set; } = 10_000;

    /// <summary>Indexes the statistics may add to one version, beyond the declared ones.</summary>
    [Range(0, 64)]
    public int MaxStatisticsIndexes { get; set; } = 8;

    /// <summary>A text or integer field is a code or category when at most this share of the rows are distinct.</summary>
    [Range(0.0, 1.0)]
    public double MaxCategoryShare { get; set; } = 0.2;

    /// <summary>A numeric column whose |correlation| with the physical order is at least this gets a BRIN index instead of a B-tree.</summary>
    [Range(0.0, 1.0)]
    public double BrinCorrelation { get; set; } = 0.98;
}
