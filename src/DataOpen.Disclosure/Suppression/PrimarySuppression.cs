using DataOpen.Disclosure.Tables;

namespace DataOpen.Disclosure.Suppression;

public enum PrimaryReason
{
    None,
    Frequency,
    Dominance,
    ZeroCell,

    /// <summary>Withheld in a version still published, which requires this protection interval (cross-release).</summary>
    EarlierVersion,
}

/// <summary>Whether a cell is sensitive, why, and how far an attacker's interval must reach above and below its value.</summary>
public readonly record struct PrimaryAssessment(PrimaryReason Reason, double UpperProtection, double LowerProtection)
{
    public bool Sensitive => Reason != PrimaryReason.None;

    public static PrimaryAssessment Safe { get; } = new(PrimaryReason.None, 0, 0);

    /// <summary>Keeps the stronger requirement when one cell is assessed in several linked tables.</summary>
    public PrimaryAssessment Max(PrimaryAssessment other) =>
        !other.Sensitive ? this
        : !Sensitive ? other
        : new PrimaryAssessment(Reason, Math.Max(UpperProtection, other.UpperProtection), Math.Max(LowerProtection, other.LowerProtection));
}

public static class PrimarySuppression
{
    public static PrimaryAssessment Assess(TableCell cell, TableDefinition definition, DisclosureParameters parameters)
    {
        var value = (double)cell.Value;
        if (cell.Contributors == 0)
        {
            // Nobody to disclose unless the parameters say empty cells reveal something (e.g. "no firm in this park got M02").
            return parameters.ZeroCellsSensitive
                ? new PrimaryAssessment(PrimaryReason.ZeroCell, parameters.MinimumProtection, 0)
                : PrimaryAssessment.Safe;
        }
        var result = PrimaryAssessment.Safe;
        if (cell.Contributors < parameters.MinContributors(definition.Unit))
        {
            var p = Math.Max(parameters.MinimumProtection, parameters.FrequencyProtectionFraction * value);
            result = new PrimaryAssessment(PrimaryReason.Frequency, p, Math.Min(p, value));
        }
        if (definition.Measure.Kind == MeasureKind.Sum)
        {
            var largest = (double)cell.Largest;
            var remainder = (double)(cell.Value - cell.Largest - cell.SecondLargest);
            var threshold = parameters.DominancePercent / 100 * largest;
            if (largest > 0 && remainder < threshold)
            {
                // The second largest contributor knows its own share; it must not estimate the largest within p%.
                var p = Math.Max(parameters.MinimumProtection, threshold);
                result = result.Max(new PrimaryAssessment(PrimaryReason.Dominance, p, Math.Min(p, value)));
            }
        }
        return result;
    }
}
