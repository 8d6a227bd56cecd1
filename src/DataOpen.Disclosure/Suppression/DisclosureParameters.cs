using System.Text.Json;
using System.Text.Json.Serialization;

namespace DataOpen.Disclosure.Suppression;

public enum SuppressionCost
{
    /// <summary>Minimise the total value of the complementary cells (keeps large totals published).</summary>
    Value,

    /// <summary>Minimise the number of complementary cells (totals cost a little more than interior cells).</summary>
    Count,
}

public enum SuppressionMethod
{
    /// <summary>Integer program (OR-Tools MPSolver with SCIP): exact per connected component while the model is
    /// small enough, else linked sub-problems; the heuristic is the fallback when the time limit is reached.</summary>
    Optimal,

    /// <summary>The LP heuristic only (one deviation LP per sensitive cell).</summary>
    Heuristic,
}

/// <summary>The confidential rule parameters. Knowing them narrows what an attacker has to search, so they
/// are never written into public output: serialising this type throws.</summary>
[JsonConverter(typeof(NeverSerialized))]
public sealed class DisclosureParameters
{
    /// <summary>Frequency rule for enterprise tables: a cell with fewer contributors is sensitive.</summary>
    public int MinContributorsEnterprise { get; init; } = 3;

    /// <summary>Frequency rule for tables counting persons.</summary>
    public int MinContributorsPerson { get; init; } = 10;

    /// <summary>p of the p% rule: sensitive if total − largest − second &lt; p/100 × largest.</summary>
    public double DominancePercent { get; init; } = 10;

    /// <summary>Whether empty (non-structural zero) cells are sensitive; by default they are published.</summary>
    public bool ZeroCellsSensitive { get; init; }

    /// <summary>Protection of a frequency-rule cell as a fraction of its value (at least <see cref="MinimumProtection"/>).</summary>
    public double FrequencyProtectionFraction { get; init; } = 0.1;

    /// <summary>Smallest protection width in either direction: one unit (one contributor, one yuan).</summary>
    public double MinimumProtection { get; init; } = 1;

    /// <summary>Default cost of complementary suppression; a table definition may set its own ("cost").</summary>
    public SuppressionCost Cost { get; init; } = SuppressionCost.Value;

    public SuppressionMethod Method { get; init; } = SuppressionMethod.Optimal;

    /// <summary>Wall-clock budget of the integer programs of one protection run; what is left unsolved when it
    /// runs out is protected by the heuristic.</summary>
    public TimeSpan TimeLimit { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Longest solve of one sub-problem of the modular method (and of its repair pass); the overall
    /// <see cref="TimeLimit"/> still applies. A sub-problem without a solution by then is left to the heuristic.</summary>
    public TimeSpan SubProblemTimeLimit { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Largest exact model solved in one piece, in deviation variables (cells × sensitive cells × 2
    /// directions of a connected component); a larger component is split into linked sub-problems.</summary>
    public int MaxExactVariables { get; init; } = 40_000;

    public static DisclosureParameters Default { get; } = new();

    public int MinContributors(Tables.UnitKind unit) =>
        unit == Tables.UnitKind.Person ? MinContributorsPerson : MinContributorsEnterprise;

    public void Validate()
    {
        if (MinContributorsEnterprise < 1 || MinContributorsPerson < 1)
        {
            throw new DisclosureException($"disclosure parameters: minimum contributors must be at least 1 (enterprise {MinContributorsEnterprise}, person {MinContributorsPerson})");
        }
        if (DominancePercent is < 0 or > 100 || double.IsNaN(DominancePercent))
        {
            throw new DisclosureException($"disclosure parameters: dominance p must be within 0–100, got {DominancePercent}");
        }
        if (FrequencyProtectionFraction is < 0 or > 1 || double.IsNaN(FrequencyProtectionFraction))
        {
            throw new DisclosureException($"disclosure parameters: frequency protection fraction must be within 0–1, got {FrequencyProtectionFraction}");
        }
        if (TimeLimit < TimeSpan.Zero)
        {
            throw new DisclosureException($"disclosure parameters: the suppression time limit must not be negative, got {TimeLimit}");
        }
        if (SubProblemTimeLimit <= TimeSpan.Zero)
        {
            throw new DisclosureException($"disclosure parameters: the sub-problem time limit must be positive, got {SubProblemTimeLimit}");
        }
        if (MaxExactVariables < 0)
        {
            throw new DisclosureException($"disclosure parameters: the largest exact model must not be negative, got {MaxExactVariables}");
        }
        if (MinimumProtection <= 0 || double.IsNaN(MinimumProtection))
        {
            throw new DisclosureException($"disclosure parameters: minimum protection must be positive, got {MinimumProtection}");
        }
    }

    private sealed class NeverSerialized : JsonConverter<DisclosureParameters>
    {
        public override DisclosureParameters Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
            throw new JsonException("DisclosureParameters are confidential and are not read from or written to JSON");

        public override void Write(Utf8JsonWriter writer, DisclosureParameters value, JsonSerializerOptions options) =>
            throw new JsonException("DisclosureParameters are confidential and are not read from or written to JSON");
    }
}
