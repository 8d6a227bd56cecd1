using System.Collections.Frozen;
using DataOpen.Core.Catalog;

namespace DataOpen.Api.Catalog;

public sealed record PublisherInfo(string Id, string NameZh, string? NameEn, string? DescriptionZh, string? DescriptionEn, string? Email, string? Phone, string? Website);

public sealed record ThemeSchemeInfo(string Id, string NameZh, string? NameEn);

public sealed record ThemeInfo(string SchemeId, string Code, string LabelZh, string? LabelEn, string? ParentCode);

public sealed record LicenseInfo(string Id, string TitleZh, string? TitleEn, string? Url);

/// <summary>
/// One immutable published version: its table and fields never change after publishing. <see cref="PrimaryKey"/> is the
/// dataset's declared key as enforced when this version was published (unique, no nulls); null when it declared none.
/// </summary>
public sealed record VersionInfo(
    int Version,
    string TableName,
    long RowCount,
    long ByteSize,
    string Sha256,
    string SourceFormat,
    string? SourceEncoding,
    DateTimeOffset PublishedAt,
    string PublishedBy,
    TableShape Shape,
    IReadOnlyList<string>? PrimaryKey = null);

/// <summary>Public counters of a dataset: views, downloads, row API calls, and published reuses (应用成果) that use it.</summary>
public sealed record DatasetCounters(long Views, long Downloads, long ApiCalls, long Reuses = 0);

/// <summary>A registered dataset as the doors see it at one catalog version; <see cref="Created"/> is when it was first registered.</summary>
public sealed record DatasetEntry(
    long Id,
    string Identifier,
    DatasetDefinition Metadata,
    string Status,
    DateTimeOffset Modified,
    DateTimeOffset? RetiredAt,
    IReadOnlyList<VersionInfo> Versions,
    VersionInfo? Current,
    DatasetCounters Counters,
    DateTimeOffset? Created = null)
{
    public string OpenClass => Metadata.OpenClass;

    public bool IsRetired => Status == "retired";

    /// <summary>Not-open datasets are registered for internal cataloguing only and never served by any door.</summary>
    public bool IsServed => OpenClass != OpenClasses.NotOpen;

    public VersionInfo? FindVersion(int version) => Versions.FirstOrDefault(v => v.Version == version);
}

/// <summary>
/// The whole catalog at one <see cref="CatalogVersion"/>: immutable, swapped atomically by
/// <see cref="CatalogStore"/>. A request keeps the snapshot it started with.
/// </summary>
public sealed class CatalogSnapshot
{
    private readonly FrozenDictionary<string, DatasetEntry> byIdentifier;
    private FrozenDictionary<string, (DatasetEntry Dataset, VersionInfo Version)>? byTable;

    public CatalogSnapshot(
        long catalogVersion,
        IReadOnlyList<DatasetEntry> datasets,
        IReadOnlyList<PublisherInfo> publishers,
        IReadOnlyList<ThemeSchemeInfo> themeSchemes,
        IReadOnlyList<ThemeInfo> themes,
        IReadOnlyList<LicenseInfo> licenses)
    {
        CatalogVersion = catalogVersion;
        Datasets = datasets;
        Publishers = publishers;
        ThemeSchemes = themeSchemes;
        Themes = themes;
        Licenses = licenses;
        byIdentifier = datasets.ToFrozenDictionary(d => d.Identifier, StringComparer.Ordinal);
        PublishersById = publishers.ToFrozenDictionary(p => p.Id, StringComparer.Ordinal);
        LicensesById = licenses.ToFrozenDictionary(l => l.Id, StringComparer.Ordinal);
    }

    public static CatalogSnapshot Empty { get; } = new(0, [], [], [], [], []);

    public long CatalogVersion { get; }

    public IReadOnlyList<DatasetEntry> Datasets { get; }

    public IReadOnlyList<PublisherInfo> Publishers { get; }

    public IReadOnlyList<ThemeSchemeInfo> ThemeSchemes { get; }

    public IReadOnlyList<ThemeInfo> Themes { get; }

    public IReadOnlyList<LicenseInfo> Licenses { get; }

    public FrozenDictionary<string, PublisherInfo> PublishersById { get; }

    public FrozenDictionary<string, LicenseInfo> LicensesById { get; }

    /// <summary>Datasets any door may serve: registered, not retired, open or conditional, with a published version.</summary>
    public IEnumerable<DatasetEntry> Served => Datasets.Where(d => d.IsServed && !d.IsRetired && d.Current is not null);

    public DatasetEntry? Find(string identifier) => byIdentifier.GetValueOrDefault(identifier);

    /// <summary>The dataset and version whose table is <paramref name="table"/> (in schema <c>data</c>), or null; the lookup is built on first use.</summary>
    public (DatasetEntry Dataset, VersionInfo Version)? FindTable(string table)
    {
        var map = byTable ??= Datasets.SelectMany(d => d.Versions.Select(v => (Dataset: d, Version: v)))
            .DistinctBy(x => x.Version.Shape.Table, StringComparer.Ordinal)
            .ToFrozenDictionary(x => x.Version.Shape.Table, StringComparer.Ordinal);
        return map.TryGetValue(table, out var found) ? found : null;
    }

    /// <summary>A dataset a door may show: not-open and unknown identifiers look the same (404).</summary>
    public DatasetEntry? FindServed(string identifier) =>
        byIdentifier.TryGetValue(identifier, out var d) && d.IsServed ? d : null;

    /// <summary>Whom to contact about a dataset, in every door: its declared contact point, else its publisher (name, email, phone).</summary>
    public ContactPoint? ContactOf(DatasetDefinition dataset) =>
        dataset.ContactPoint ?? (PublishersById.TryGetValue(dataset.Publisher, out var p) ? new ContactPoint(p.NameZh, p.Email, p.Phone) : null);
}
