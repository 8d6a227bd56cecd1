namespace DataOpen.Api.Catalog;

/// <summary>
/// The EU Publications Office authority tables (https://op.europa.eu/en/web/eu-vocabularies) DataOpen's catalogue
/// values map to: DCAT-AP and ckanext-dcat expect these IRIs for frequency, access rights, language and file type.
/// </summary>
public static class EuVocabularies
{
    public const string Authority = "http://publications.europa.eu/resource/authority/";

    /// <summary>The frequency table's IRI for an update frequency (dct:accrualPeriodicity).</summary>
    public static string? FrequencyUri(string frequency) => frequency switch
    {
        "real-time" => Authority + "frequency/UPDATE_CONT",
        "daily" => Authority + "frequency/DAILY",
        "weekly" => Authority + "frequency/WEEKLY",
        "monthly" => Authority + "frequency/MONTHLY",
        "quarterly" => Authority + "frequency/QUARTERLY",
        "half-yearly" => Authority + "frequency/ANNUAL_2",
        "yearly" => Authority + "frequency/ANNUAL",
        "irregular" => Authority + "frequency/IRREG",
        "never" => Authority + "frequency/NEVER",
        _ => null,
    };

    /// <summary>The access-right table's IRI for an open class (PUBLIC, RESTRICTED, NON_PUBLIC).</summary>
    public static string AccessRightUri(string openClass) => Authority + "access-right/" + DataOpen.Core.Catalog.OpenClasses.ToAccessRights(openClass);

    /// <summary>The file-type table's IRI for a download format, where the table has one (it has none for JSON Lines).</summary>
    public static string? FileTypeUri(string format) => format switch
    {
        "csv" => Authority + "file-type/CSV",
        "json" => Authority + "file-type/JSON",
        "xlsx" => Authority + "file-type/XLSX",
        "parquet" => Authority + "file-type/PARQUET",
        "geojson" => Authority + "file-type/GEOJSON",
        "xls" => Authority + "file-type/XLS",
        _ => null,
    };

    public const string Chinese = Authority + "language/ZHO";

    public const string English = Authority + "language/ENG";
}
