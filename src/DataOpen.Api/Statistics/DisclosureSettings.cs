using System.ComponentModel.DataAnnotations;
using DataOpen.Disclosure.Suppression;

namespace DataOpen.Api.Statistics;

/// <summary>Settings under <c>DataOpen:Disclosure</c>. Confidential: they never appear in public output (metadata,
/// descriptions, responses), since knowing them narrows what a suppressed cell can hold.</summary>
public sealed class DisclosureSettings
{
    public const string Section = "DataOpen:Disclosure";

    /// <summary>Frequency rule for enterprise tables: fewer contributing enterprises make a cell sensitive.</summary>
    [Range(1, 1000)]
    public int MinContributorsEnterprise { get; set; } = 3;

    /// <summary>Frequency rule for person tables.</summary>
    [Range(1, 1000)]
    public int MinContributorsPerson { get; set; } = 10;

    /// <summary>p of the p% dominance rule for magnitudes.</summary>
    [Range(0.0, 100.0)]
    public double DominancePercent { get; set; } = 10;

    /// <summary>Load the confidential microdata and publish the statistics at start-up.</summary>
    public bool PublishOnStart { get; set; } = true;

    /// <summary>Folder of the microdata CSVs, relative to the repository root when not rooted.</summary>
    public string MicrodataPath { get; set; } = "seeds/restricted";

    /// <summary>The declarative table definitions.</summary>
    public string TablesPath { get; set; } = "seeds/statistics-tables.json";

    /// <summary>Folder of the policy dataset whose clauses are the rules every record is checked against.</summary>
    public string PolicyDatasetPath { get; set; } = "datasets/policy-measures";

    /// <summary>Protect each release together with every version still published (issue 18). Off only to reproduce
    /// the per-release pipeline that issue 18 showed to be breakable; never switch it off in production.</summary>
    public bool CrossRelease { get; set; } = true;

    /// <summary>Complementary suppression: <c>Optimal</c> (integer program, heuristic as fallback) or <c>Heuristic</c>.</summary>
    public SuppressionMethod SuppressionMethod { get; set; } = SuppressionMethod.Optimal;

    /// <summary>Wall-clock budget of the integer programs of one run; what is left is protected by the heuristic.</summary>
    [Range(0, 86_400)]
    public int SuppressionTimeLimitSeconds { get; set; } = 60;

    public DisclosureParameters ToParameters() => new()
    {
        MinContributorsEnterprise = MinContributorsEnterprise,
        MinContributorsPerson = MinContributorsPerson,
        DominancePercent = DominancePercent,
        Method = SuppressionMethod,
        TimeLimit = TimeSpan.FromSeconds(SuppressionTimeLimitSeconds),
    };

    /// <summary>A fingerprint of the parameters for the start-up cache key (hashed, never stored as such).</summary>
    internal string CacheKey => string.Create(System.Globalization.CultureInfo.InvariantCulture,
        $"{MinContributorsEnterprise}|{MinContributorsPerson}|{DominancePercent:R}|{CrossRelease}|{SuppressionMethod}|{SuppressionTimeLimitSeconds}");
}
