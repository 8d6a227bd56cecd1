namespace DataOpen.Api.Catalog;

public sealed record LocalizedText(string Zh, string? En);

public sealed record FacetValue(string Value, string? LabelZh, string? LabelEn, int Count);

public sealed record Facets(
    IReadOnlyDictionary<string, IReadOnlyList<FacetValue>> Themes,
    IReadOnlyList<FacetValue> Publisher,
    IReadOnlyList<FacetValue> OpenClass,
    IReadOnlyList<FacetValue> Format,
    IReadOnlyList<FacetValue> UpdateFrequency,
    IReadOnlyList<FacetValue> License);

public sealed record DatasetSummary(
    string Id,
    LocalizedText Title,
    LocalizedText Description,
    string Publisher,
    string? PublisherName,
    string OpenClass,
    string AccessRights,
    string UpdateFrequency,
    string License,
    IReadOnlyDictionary<string, IReadOnlyList<string>> Themes,
    IReadOnlyList<string> Keywords,
    DateTimeOffset Modified,
    int? CurrentVersion,
    long? RowCount,
    DatasetCounters Counters,
    double? Score,
    string Url);

public sealed record SearchResponse(long Total, IReadOnlyList<DatasetSummary> Items, Facets Facets, string? Next, long CatalogVersion);

public sealed record FieldDto(string Name, string Type, LocalizedText? Title, string? Description, string? Unit, string? ValueDomain, string Sensitivity);

public sealed record DistributionDto(string Format, string MediaType, string Url, string? Title);

public sealed record VersionDto(int Version, long RowCount, long ByteSize, string Sha256, string SourceFormat, string? SourceEncoding, DateTimeOffset PublishedAt, string PublishedBy, bool Current, string Url);

public sealed record DatasetDetail(
    string Id,
    LocalizedText Title,
    LocalizedText Description,
    PublisherInfo? Publisher,
    object? ContactPoint,
    IReadOnlyDictionary<string, IReadOnlyList<ThemeInfo>> Themes,
    LocalizedKeywords Keywords,
    string OpenClass,
    string AccessRights,
    LocalizedText? OpenConditions,
    string UpdateFrequency,
    string Issued,
    DateTimeOffset Modified,
    LicenseInfo? License,
    object? TemporalCoverage,
    LocalizedText? SpatialCoverage,
    string SecurityGrade,
    string Status,
    VersionDto? CurrentVersion,
    IReadOnlyList<FieldDto> Fields,
    IReadOnlyList<DistributionDto> Distributions,
    DatasetCounters Counters,
    object? Geo,
    IReadOnlyDictionary<string, string> Links,
    QualitySummary? Quality = null);

/// <summary>The data quality (数据质量) of the current version: its score, the checks that do not fully pass, and the full report.</summary>
public sealed record QualitySummary(double Score, int Version, DateTimeOffset ComputedAt, IReadOnlyList<string> Failing, string Report);

public sealed record LocalizedKeywords(IReadOnlyList<string> Zh, IReadOnlyList<string>? En);

public sealed record TableSchemaField(string Name, string Type, string? Title, string? Description, string? Unit, string DataOpenType, TableSchemaConstraints? Constraints, string? RdfType = null);

public sealed record TableSchemaConstraints(bool? Required);

/// <summary>Frictionless Table Schema (https://specs.frictionlessdata.io/table-schema/).</summary>
public sealed record TableSchemaDto(IReadOnlyList<TableSchemaField> Fields, IReadOnlyList<string> MissingValues, int Version, IReadOnlyList<string>? PrimaryKey = null);

public sealed record ThemeSchemeDto(string Id, LocalizedText Name, IReadOnlyList<ThemeDto> Themes);

public sealed record ThemeDto(string Code, LocalizedText Label, string? Parent, int Datasets);

public sealed record PublisherDto(string Id, LocalizedText Name, LocalizedText? Description, string? Email, string? Phone, string? Website, int Datasets);
