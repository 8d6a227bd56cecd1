using System.Globalization;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Text;
using DataOpen.Api.Catalog;
using DataOpen.Core.Catalog;

namespace DataOpen.Api.Ckan;

/// <summary>A CKAN resource: one download format of a dataset's current version.</summary>
public sealed record CkanResource(string Id, DatasetEntry Dataset, string Format, int Position);

/// <summary>A CKAN group: one theme (资源分类) of one theme scheme, named <c>{scheme}-{code}</c>.</summary>
public sealed record CkanGroup(string Id, string Name, ThemeSchemeInfo Scheme, ThemeInfo Theme);

/// <summary>
/// CKAN's identifiers for one catalog snapshot, built once per snapshot: CKAN objects have UUID ids beside their
/// names, so packages, organizations, groups, tags and resources get name-based UUIDs (RFC 9562 version 5, SHA-1,
/// in DataOpen's own namespace) that stay the same across restarts and instances. Only served datasets (open and
/// conditional, not retired, with a published version) are in it: not-open datasets do not exist for CKAN clients.
/// </summary>
public sealed class CkanIndex
{
    /// <summary>DataOpen's UUID namespace (itself the version 5 UUID of "https://data.ccxq.gov.cn/" in the URL namespace).</summary>
    private static readonly Guid Namespace = NameUuid(new Guid("6ba7b811-9dad-11d1-80b4-00c04fd430c8"), "https://data.ccxq.gov.cn/");

    private static readonly ConditionalWeakTable<CatalogSnapshot, CkanIndex> Cache = [];

    private readonly Dictionary<string, DatasetEntry> packagesByKey = new(StringComparer.Ordinal);
    private readonly Dictionary<string, CkanResource> resources = new(StringComparer.Ordinal);
    private readonly Dictionary<string, PublisherInfo> organizationsByKey = new(StringComparer.Ordinal);
    private readonly Dictionary<string, CkanGroup> groupsByKey = new(StringComparer.Ordinal);

    private CkanIndex(CatalogSnapshot snapshot)
    {
        Snapshot = snapshot;
        Packages = [.. snapshot.Served.OrderBy(d => d.Identifier, StringComparer.Ordinal)];
        foreach (var d in Packages)
        {
            packagesByKey[d.Identifier] = d;
            packagesByKey[PackageId(d)] = d;
            foreach (var (format, i) in CatalogSearch.DistributionFormats(d).Select((f, i) => (f, i)))
            {
                var resource = new CkanResource(ResourceId(d, format), d, format, i);
                resources[resource.Id] = resource;
            }
        }

        foreach (var p in snapshot.Publishers)
        {
            organizationsByKey[p.Id] = p;
            organizationsByKey[OrganizationId(p.Id)] = p;
        }

        var schemes = snapshot.ThemeSchemes.ToDictionary(s => s.Id, StringComparer.Ordinal);
        Groups = [.. snapshot.Themes.Where(t => schemes.ContainsKey(t.SchemeId))
            .Select(t => new CkanGroup(Uuid("group", t.SchemeId + ":" + t.Code), GroupName(t.SchemeId, t.Code), schemes[t.SchemeId], t))];
        foreach (var g in Groups)
        {
            groupsByKey[g.Name] = g;
            groupsByKey[g.Id] = g;
        }
    }

    public static CkanIndex For(CatalogSnapshot snapshot) => Cache.GetValue(snapshot, s => new CkanIndex(s));

    public CatalogSnapshot Snapshot { get; }

    /// <summary>Every package a CKAN client may see, by name.</summary>
    public IReadOnlyList<DatasetEntry> Packages { get; }

    public IReadOnlyList<CkanGroup> Groups { get; }

    /// <summary>By name (the dataset identifier) or id, as package_show's <c>id</c> takes either.</summary>
    public DatasetEntry? Package(string nameOrId) => packagesByKey.GetValueOrDefault(nameOrId);

    public CkanResource? Resource(string id) => resources.GetValueOrDefault(id);

    public PublisherInfo? Organization(string nameOrId) => organizationsByKey.GetValueOrDefault(nameOrId);

    public CkanGroup? Group(string nameOrId) => groupsByKey.GetValueOrDefault(nameOrId);

    public IEnumerable<CkanResource> ResourcesOf(DatasetEntry d) =>
        CatalogSearch.DistributionFormats(d).Select((f, i) => new CkanResource(ResourceId(d, f), d, f, i));

    public IEnumerable<CkanGroup> GroupsOf(DatasetEntry d) =>
        d.Metadata.Themes.SelectMany(kv => kv.Value.Select(code => Group(GroupName(kv.Key, code)))).OfType<CkanGroup>();

    public static string PackageId(DatasetEntry d) => Uuid("package", d.Identifier);

    public static string ResourceId(DatasetEntry d, string format) => Uuid("resource", d.Identifier + "/" + format);

    public static string OrganizationId(string publisher) => Uuid("organization", publisher);

    public static string TagId(string tag) => Uuid("tag", tag);

    /// <summary>CKAN names are lower-case ASCII, digits, - and _: a theme is <c>{scheme}-{code}</c> (domain-environment).</summary>
    public static string GroupName(string scheme, string code) => (scheme + "-" + code).ToLowerInvariant();

    /// <summary>The tags of a dataset: its keywords, Chinese then English, each once.</summary>
    public static IReadOnlyList<string> Tags(DatasetEntry d) =>
        [.. d.Metadata.Keywords.Zh.Concat(d.Metadata.Keywords.En ?? []).Distinct(StringComparer.Ordinal)];

    private static string Uuid(string kind, string name) => NameUuid(Namespace, kind + ":" + name).ToString();

    /// <summary>RFC 9562 §5.5: SHA-1 of namespace and name, version 5, variant 10.</summary>
    internal static Guid NameUuid(Guid ns, string name)
    {
        var bytes = new byte[16];
        ns.TryWriteBytes(bytes, bigEndian: true, out _);
#pragma warning disable CA5350 // RFC 9562 defines version 5 with SHA-1; it names, it does not protect.
        var hash = SHA1.HashData([.. bytes, .. Encoding.UTF8.GetBytes(name)]);
#pragma warning restore CA5350
        hash[6] = (byte)((hash[6] & 0x0F) | 0x50);
        hash[8] = (byte)((hash[8] & 0x3F) | 0x80);
        return new Guid(hash.AsSpan(0, 16), bigEndian: true);
    }

    /// <summary>CKAN's timestamps: Python's isoformat() of a naive UTC datetime, with microseconds (2024-01-15T08:30:00.123456).</summary>
    public static string Timestamp(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff", CultureInfo.InvariantCulture);
}
