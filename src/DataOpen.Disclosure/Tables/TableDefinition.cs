namespace DataOpen.Disclosure.Tables;

/// <summary>Whose data a table aggregates; decides the frequency threshold that applies.</summary>
public enum UnitKind
{
    Enterprise,
    Person,
}

public enum MeasureKind
{
    /// <summary>Number of distinct contributors in the cell (a frequency table).</summary>
    CountContributors,

    /// <summary>Sum of a numeric field over the cell's records (a magnitude table).</summary>
    Sum,
}

/// <param name="Field">Numeric microdata column summed; null for <see cref="MeasureKind.CountContributors"/>.</param>
public sealed record MeasureDefinition(MeasureKind Kind, string? Field = null)
{
    public static MeasureDefinition Count { get; } = new(MeasureKind.CountContributors);

    public static MeasureDefinition SumOf(string field) => new(MeasureKind.Sum, field);

    /// <summary>Stable text used to recognise the same statistic in two tables (linked tables).</summary>
    public string Key => Kind == MeasureKind.Sum ? $"sum({Field})" : "count";
}

/// <param name="Name">Column name in the published output.</param>
/// <param name="Field">Microdata column holding the category.</param>
/// <param name="Values">Declared categories in publication order; when null the categories found in the data
/// are used, sorted ordinally. Declaring them keeps empty (zero) cells in the table.</param>
public sealed record DimensionDefinition(string Name, string Field, IReadOnlyList<string>? Values = null, string? Title = null);

/// <param name="Source">Name of the microdata set (e.g. grants); cells of tables over the same source,
/// measure and contributor key that have the same category coordinates are one and the same cell.</param>
/// <param name="Margins">When true every total (per dimension and the grand total) is part of the table.</param>
/// <param name="Cost">What complementary suppression minimises in this table (null: <see cref="Suppression.DisclosureParameters.Cost"/>).</param>
public sealed record TableDefinition(
    string Id,
    string Source,
    IReadOnlyList<DimensionDefinition> Dimensions,
    MeasureDefinition Measure,
    string ContributorKey,
    UnitKind Unit,
    bool Margins = true,
    string? Title = null,
    Suppression.SuppressionCost? Cost = null)
{
    public const int MaxDimensions = 3;

    /// <summary>Throws <see cref="DisclosureException"/> naming the first problem with the definition.</summary>
    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(Id))
        {
            throw new DisclosureException("table definition: id is empty");
        }
        if (string.IsNullOrWhiteSpace(Source))
        {
            throw new DisclosureException($"table '{Id}': source is empty");
        }
        if (Dimensions is null || Dimensions.Count is < 1 or > MaxDimensions)
        {
            throw new DisclosureException($"table '{Id}': needs 1 to {MaxDimensions} dimensions, has {Dimensions?.Count ?? 0}");
        }
        var names = new HashSet<string>(StringComparer.Ordinal);
        var fields = new HashSet<string>(StringComparer.Ordinal);
        foreach (var d in Dimensions)
        {
            if (string.IsNullOrWhiteSpace(d.Name) || string.IsNullOrWhiteSpace(d.Field))
            {
                throw new DisclosureException($"table '{Id}': a dimension has an empty name or field");
            }
            if (!names.Add(d.Name))
            {
                throw new DisclosureException($"table '{Id}': dimension name '{d.Name}' is used twice");
            }
            if (!fields.Add(d.Field))
            {
                throw new DisclosureException($"table '{Id}': dimension field '{d.Field}' is used twice");
            }
            if (d.Values is not null)
            {
                var seen = new HashSet<string>(StringComparer.Ordinal);
                foreach (var v in d.Values)
                {
                    if (v == StatTable.TotalCode)
                    {
                        throw new DisclosureException($"table '{Id}': dimension '{d.Name}' declares the reserved total code '{StatTable.TotalCode}'");
                    }
                    if (!seen.Add(v))
                    {
                        throw new DisclosureException($"table '{Id}': dimension '{d.Name}' declares value '{v}' twice");
                    }
                }
            }
        }
        if (string.IsNullOrWhiteSpace(ContributorKey))
        {
            throw new DisclosureException($"table '{Id}': contributor key is empty");
        }
        if (Measure is null)
        {
            throw new DisclosureException($"table '{Id}': measure is missing");
        }
        if (Measure.Kind == MeasureKind.Sum && string.IsNullOrWhiteSpace(Measure.Field))
        {
            throw new DisclosureException($"table '{Id}': a sum measure needs a field");
        }
    }
}
