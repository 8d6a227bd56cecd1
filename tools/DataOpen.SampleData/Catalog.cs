using DataOpen.Core.Catalog;

namespace DataOpen.SampleData;

/// <summary>One generated dataset: its catalogue entry, its data file and what the checks need to know about it.</summary>
public sealed record GeneratedDataset(DatasetDefinition Definition, byte[] Data, int Rows, IReadOnlyList<string> Header, string FormatNote);

/// <summary>Shortcuts that keep the dataset builders readable.</summary>
public static class Catalog
{
    public const string Issued = "2026-01-15";

    /// <summary>
    /// Each sample dataset's natural key (dataset.json primaryKey): what identifies a row in the source itself, so every
    /// door can look a row up by it and publishing refuses a file that repeats or omits one.
    /// </summary>
    public static readonly IReadOnlyDictionary<string, string[]> NaturalKeys = new Dictionary<string, string[]>(StringComparer.Ordinal)
    {
        ["air-quality-hourly"] = ["station_code", "observed_at"],
        ["bus-stops"] = ["stop_id"],
        ["compute-vouchers-monthly"] = ["month"],
        ["digital-real-enterprises"] = ["credit_code"],
        ["enterprise-energy-consumption"] = ["credit_code", "year"],
        ["enterprise-tax-details"] = ["credit_code", "year", "quarter"],
        ["featured-parks"] = ["park_id"],
        ["policy-measures"] = ["clause_id"],
        ["rd-subsidies-quarterly"] = ["period", "track"],
        ["scenario-opening-list"] = ["scenario_id"],
        ["talent-recognitions"] = ["year", "track", "level"],
        ["tech-service-platforms"] = ["platform_id"],
    };

    public static FieldSpec F(string name, string zh, string en, string? type = null, string? unit = null, string? desc = null,
        string? domain = null, string sensitivity = "public", string? source = null, string? format = null, bool? required = null) =>
        new(name, source, new Localized(zh, en), desc, type, unit, domain, sensitivity, required, format);

    public static SortedDictionary<string, IReadOnlyList<string>> Themes(string[] domain, string[] subject, string[]? industry = null)
    {
        var themes = new SortedDictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal)
        {
            ["domain"] = domain,
            ["subject"] = subject,
        };
        if (industry is not null)
        {
            themes["industry"] = industry;
        }
        return themes;
    }

    public static DatasetDefinition Define(
        string identifier, string titleZh, string titleEn, string descriptionZh, string descriptionEn,
        string publisher, IReadOnlyDictionary<string, IReadOnlyList<string>> themes,
        string[] keywordsZh, string[] keywordsEn, string openClass, string updateFrequency,
        TemporalCoverage temporal, SourceSpec source, IReadOnlyList<FieldSpec> fields,
        string securityGrade = "general", Localized? openConditions = null, GeoSpec? geo = null,
        string license = Reference.DefaultLicense) =>
        new(
            Identifier: identifier,
            Title: new Localized(titleZh, titleEn),
            Description: new Localized(descriptionZh + Reference.SyntheticZh, descriptionEn + " " + Reference.SyntheticEn),
            Publisher: publisher,
            Themes: themes,
            Keywords: new LocalizedList(keywordsZh, keywordsEn),
            OpenClass: openClass,
            UpdateFrequency: updateFrequency,
            Issued: Issued,
            License: license,
            SecurityGrade: securityGrade,
            Source: source,
            ContactPoint: Reference.ContactOf(publisher),
            OpenConditions: openConditions,
            TemporalCoverage: temporal,
            SpatialCoverage: new Localized(Reference.Spatial, Reference.SpatialEn),
            TimeZone: "+08:00",
            Geo: geo,
            Fields: fields);
}
