using System.Globalization;
using DataOpen.Api.Catalog;
using DataOpen.Api.Publishing;

namespace DataOpen.Api.Harvest;

/// <summary>
/// IRIs of everything DataOpen describes in DCAT-AP, from the request's base URL. Datasets, distributions and
/// publishers are fragments of pages that serve them; theme schemes and their concepts live under /catalog/themes.
/// </summary>
public sealed record DcatIris(string BaseUrl)
{
    public string Catalog => $"{BaseUrl}/catalog";

    public string Page(string identifier) => $"{BaseUrl}/datasets/{Uri.EscapeDataString(identifier)}";

    public string Dataset(string identifier) => Page(identifier) + "#dataset";

    public string Distribution(string identifier, string name) => Page(identifier) + "#distribution-" + name;

    public string Api(string identifier) => $"{BaseUrl}/api/v1/datasets/{Uri.EscapeDataString(identifier)}";

    public string Publisher(string id) => $"{BaseUrl}/catalog#publisher-{Uri.EscapeDataString(id)}";

    public string Platform => $"{BaseUrl}/catalog#platform";

    public string Licence(LicenseInfo? licence, string id) => licence?.Url ?? $"{BaseUrl}/catalog#licence-{Uri.EscapeDataString(id)}";

    public string Scheme(string scheme) => $"{BaseUrl}/catalog/themes/{Uri.EscapeDataString(scheme)}";

    public string Concept(string scheme, string code) => $"{Scheme(scheme)}/{Uri.EscapeDataString(code)}";

    public string Service(string name) => $"{BaseUrl}/catalog#service-{name}";

    public string QualityMetric => $"{BaseUrl}/catalog#quality-score";
}

/// <summary>One served dataset in DCAT-AP 3.0: the dataset, its distributions, publisher, contact, themes and licence.</summary>
public static class DcatDataset
{
    public const string Sha256Algorithm = Ns.Spdx + "checksumAlgorithm_sha256";

    /// <summary>Adds the dataset; <paramref name="digests"/> are the size and sha256 of each download format where known (<see cref="DistributionDigests"/>).</summary>
    public static void Add(RdfGraph g, CatalogSnapshot snapshot, DatasetEntry d, DcatIris iris, IReadOnlyDictionary<string, DistributionDigest>? digests, double? score)
    {
        var m = d.Metadata;
        var v = d.Current!;
        var ds = RdfTerm.Iri(iris.Dataset(d.Identifier));
        g.Type(ds, Ns.Dcat + "Dataset");
        g.Add(ds, Ns.Dct + "identifier", RdfTerm.Text(d.Identifier));
        g.Text(ds, Ns.Dct + "title", m.Title.Zh, m.Title.En);
        g.Text(ds, Ns.Dct + "description", m.Description.Zh, m.Description.En);
        foreach (var k in m.Keywords.Zh)
        {
            g.Add(ds, Ns.Dcat + "keyword", RdfTerm.Text(k, "zh"));
        }

        foreach (var k in m.Keywords.En ?? [])
        {
            g.Add(ds, Ns.Dcat + "keyword", RdfTerm.Text(k, "en"));
        }

        g.Add(ds, Ns.Dct + "issued", RdfTerm.Typed(m.Issued, Ns.Xsd + "date"));
        g.Add(ds, Ns.Dct + "modified", DateTime(d.Modified));
        g.Add(ds, Ns.Dcat + "version", RdfTerm.Text(v.Version.ToString(CultureInfo.InvariantCulture)));
        g.Add(ds, Ns.Owl + "versionInfo", RdfTerm.Text(v.Version.ToString(CultureInfo.InvariantCulture)));

        Language(g, ds, m.Title.En is not null);
        Publisher(g, snapshot, ds, m.Publisher, iris);
        Contact(g, snapshot, ds, d);
        AccessRights(g, ds, m.OpenClass, m.OpenConditions?.Zh, m.OpenConditions?.En);
        if (EuVocabularies.FrequencyUri(m.UpdateFrequency) is { } frequency)
        {
            g.Add(ds, Ns.Dct + "accrualPeriodicity", frequency);
            var (zh, en) = CatalogSearch.FrequencyLabel(m.UpdateFrequency);
            g.Type(RdfTerm.Iri(frequency), Ns.Dct + "Frequency").Text(RdfTerm.Iri(frequency), Ns.Skos + "prefLabel", zh, en);
        }

        var page = RdfTerm.Iri(iris.Page(d.Identifier));
        g.Add(ds, Ns.Dcat + "landingPage", page);
        g.Type(page, Ns.Foaf + "Document");

        foreach (var (scheme, codes) in m.Themes)
        {
            foreach (var code in codes)
            {
                var concept = RdfTerm.Iri(iris.Concept(scheme, code));
                g.Add(ds, Ns.Dcat + "theme", concept);
                DcatThemes.Concept(g, snapshot, scheme, code, iris);
            }
        }

        if (m.TemporalCoverage is { } temporal)
        {
            var period = g.NewBlank();
            g.Add(ds, Ns.Dct + "temporal", period).Type(period, Ns.Dct + "PeriodOfTime");
            g.Add(period, Ns.Dcat + "startDate", RdfTerm.Typed(temporal.Start, Ns.Xsd + "date"));
            if (temporal.End is { } end)
            {
                g.Add(period, Ns.Dcat + "endDate", RdfTerm.Typed(end, Ns.Xsd + "date"));
            }
        }

        if (m.SpatialCoverage is { } spatial)
        {
            var location = g.NewBlank();
            g.Add(ds, Ns.Dct + "spatial", location).Type(location, Ns.Dct + "Location");
            g.Text(location, Ns.Skos + "prefLabel", spatial.Zh, spatial.En);
        }

        Distributions(g, snapshot, d, ds, iris, digests);
        if (score is { } value)
        {
            Quality(g, ds, value, iris);
        }
    }

    /// <summary>The version's data quality score (0–100, docs/quality.md) as a W3C Data Quality Vocabulary measurement of DataOpen's own metric.</summary>
    private static void Quality(RdfGraph g, RdfTerm ds, double score, DcatIris iris)
    {
        var metric = RdfTerm.Iri(iris.QualityMetric);
        g.Type(metric, Ns.Dqv + "Metric");
        g.Text(metric, Ns.Skos + "definition",
            "长春新区公共数据开放平台的数据质量分（0–100）：元数据完整性、机器可读格式、开放许可、按时更新、主键唯一、空值占比、值域和类型一致性的加权得分。",
            "DataOpen's data quality score (0-100): weighted checks of metadata completeness, machine-readable formats, open licence, update on schedule, key uniqueness, null share, value domains and type consistency.");
        g.Add(metric, Ns.Dqv + "expectedDataType", Ns.Xsd + "decimal");
        var measurement = g.NewBlank();
        g.Add(ds, Ns.Dqv + "hasQualityMeasurement", measurement).Type(measurement, Ns.Dqv + "QualityMeasurement");
        g.Add(measurement, Ns.Dqv + "isMeasurementOf", metric);
        g.Add(measurement, Ns.Dqv + "value", RdfTerm.Typed(score.ToString("0.0", CultureInfo.InvariantCulture), Ns.Xsd + "decimal"));
    }

    private static void Distributions(RdfGraph g, CatalogSnapshot snapshot, DatasetEntry d, RdfTerm ds, DcatIris iris, IReadOnlyDictionary<string, DistributionDigest>? digests)
    {
        var m = d.Metadata;
        var v = d.Current!;
        var api = iris.Api(d.Identifier);
        var licence = RdfTerm.Iri(iris.Licence(snapshot.LicensesById.GetValueOrDefault(m.License), m.License));
        Licence(g, snapshot, m.License, iris);
        var schema = RdfTerm.Iri($"{api}/schema?version={v.Version.ToString(CultureInfo.InvariantCulture)}");
        g.Type(schema, Ns.Dct + "Standard");
        g.Text(schema, Ns.Dct + "title", $"{m.Title.Zh}：表结构（Frictionless Table Schema），第 {v.Version} 版", $"Frictionless Table Schema of version {v.Version}");
        g.Add(schema, Ns.Dct + "conformsTo", "https://specs.frictionlessdata.io/table-schema/");
        var version = v.Version.ToString(CultureInfo.InvariantCulture);

        foreach (var format in CatalogSearch.DistributionFormats(d))
        {
            var dist = RdfTerm.Iri(iris.Distribution(d.Identifier, format));
            g.Add(ds, Ns.Dcat + "distribution", dist).Type(dist, Ns.Dcat + "Distribution");
            g.Text(dist, Ns.Dct + "title", $"{m.Title.Zh} ({format.ToUpperInvariant()})", m.Title.En is null ? null : $"{m.Title.En} ({format.ToUpperInvariant()})");
            g.Text(dist, Ns.Dct + "description",
                $"第 {v.Version} 版全部 {v.RowCount} 行，{format.ToUpperInvariant()} 格式，流式生成，无行数上限。",
                $"All {v.RowCount} rows of version {v.Version} as {format.ToUpperInvariant()}, streamed, no row cap.");
            var url = $"{api}/download?format={format}&version={version}";
            Resource(g, dist, Ns.Dcat + "accessURL", url);
            Resource(g, dist, Ns.Dcat + "downloadURL", url);
            MediaType(g, dist, MediaTypes.For(format));
            if (EuVocabularies.FileTypeUri(format) is { } fileType)
            {
                g.Add(dist, Ns.Dct + "format", fileType).Type(RdfTerm.Iri(fileType), Ns.Dct + "MediaTypeOrExtent");
            }

            g.Add(dist, Ns.Dct + "license", licence);
            g.Add(dist, Ns.Dct + "conformsTo", schema);
            g.Add(dist, Ns.Dcat + "accessService", iris.Service("rest"));
            g.Add(dist, Ns.Dct + "issued", DateTime(v.PublishedAt));
            if (digests?.GetValueOrDefault(format) is { } digest)
            {
                // The whole-version download is the same bytes every time (the version never changes): its size and sha256.
                SizeAndChecksum(g, dist, digest.Bytes, digest.Sha256);
            }
        }

        // The file as published, with the size and sha256 recorded at publishing (catalog.versions).
        var source = RdfTerm.Iri(iris.Distribution(d.Identifier, "source-v" + version));
        var sourceFormat = v.SourceFormat;
        g.Add(ds, Ns.Dcat + "distribution", source).Type(source, Ns.Dcat + "Distribution");
        g.Text(source, Ns.Dct + "title", $"{m.Title.Zh}：第 {v.Version} 版发布文件 ({sourceFormat.ToUpperInvariant()})",
            $"Version {v.Version} as published ({sourceFormat.ToUpperInvariant()})");
        g.Text(source, Ns.Dct + "description",
            $"数据提供方发布的原始文件（{v.ByteSize} 字节，sha256 {v.Sha256}），第 {v.Version} 版的全部行均来自该文件；其元数据见访问地址。",
            $"The file the publisher published ({v.ByteSize} bytes, sha256 {v.Sha256}); every row of version {v.Version} comes from it. The access URL describes the version.");
        Resource(g, source, Ns.Dcat + "accessURL", $"{api}/versions/{version}");
        MediaType(g, source, MediaTypes.For(sourceFormat));
        if (EuVocabularies.FileTypeUri(sourceFormat) is { } sourceType)
        {
            g.Add(source, Ns.Dct + "format", sourceType).Type(RdfTerm.Iri(sourceType), Ns.Dct + "MediaTypeOrExtent");
        }

        SizeAndChecksum(g, source, v.ByteSize, v.Sha256);
        g.Add(source, Ns.Dct + "license", licence);
        g.Add(source, Ns.Dct + "conformsTo", schema);
        g.Add(source, Ns.Dct + "issued", DateTime(v.PublishedAt));
    }

    private static void SizeAndChecksum(RdfGraph g, RdfTerm dist, long bytes, string sha256)
    {
        g.Add(dist, Ns.Dcat + "byteSize", RdfTerm.Typed(bytes.ToString(CultureInfo.InvariantCulture), Ns.Xsd + "nonNegativeInteger"));
        var checksum = g.NewBlank();
        g.Add(dist, Ns.Spdx + "checksum", checksum).Type(checksum, Ns.Spdx + "Checksum");
        g.Add(checksum, Ns.Spdx + "algorithm", Sha256Algorithm).Type(RdfTerm.Iri(Sha256Algorithm), Ns.Spdx + "ChecksumAlgorithm");
        g.Add(checksum, Ns.Spdx + "checksumValue", RdfTerm.Typed(sha256, Ns.Xsd + "hexBinary"));
    }

    public static RdfTerm DateTime(DateTimeOffset t) =>
        RdfTerm.Typed(t.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture), Ns.Xsd + "dateTime");

    /// <summary>An IRI as the object of a property whose range DCAT-AP checks as rdfs:Resource.</summary>
    public static void Resource(RdfGraph g, RdfTerm subject, string predicate, string iri) =>
        g.Add(subject, predicate, iri).Type(RdfTerm.Iri(iri), Ns.Rdfs + "Resource");

    private static void MediaType(RdfGraph g, RdfTerm dist, string mediaType)
    {
        var iri = "http://www.iana.org/assignments/media-types/" + mediaType;
        g.Add(dist, Ns.Dcat + "mediaType", iri).Type(RdfTerm.Iri(iri), Ns.Dct + "MediaType");
    }

    public static void Language(RdfGraph g, RdfTerm subject, bool english)
    {
        g.Add(subject, Ns.Dct + "language", EuVocabularies.Chinese).Type(RdfTerm.Iri(EuVocabularies.Chinese), Ns.Dct + "LinguisticSystem");
        if (english)
        {
            g.Add(subject, Ns.Dct + "language", EuVocabularies.English).Type(RdfTerm.Iri(EuVocabularies.English), Ns.Dct + "LinguisticSystem");
        }
    }

    public static void Publisher(RdfGraph g, CatalogSnapshot snapshot, RdfTerm subject, string publisherId, DcatIris iris)
    {
        var agent = RdfTerm.Iri(iris.Publisher(publisherId));
        g.Add(subject, Ns.Dct + "publisher", agent).Type(agent, Ns.Foaf + "Agent");
        var p = snapshot.PublishersById.GetValueOrDefault(publisherId);
        g.Text(agent, Ns.Foaf + "name", p?.NameZh ?? publisherId, p?.NameEn);
        g.Add(agent, Ns.Dct + "identifier", RdfTerm.Text(publisherId));
        if (p?.Email is { } email)
        {
            g.Add(agent, Ns.Foaf + "mbox", "mailto:" + email);
        }

        if (p?.Website is { } site)
        {
            g.Add(agent, Ns.Foaf + "homepage", site).Type(RdfTerm.Iri(site), Ns.Foaf + "Document");
        }
    }

    private static void Contact(RdfGraph g, CatalogSnapshot snapshot, RdfTerm ds, DatasetEntry d)
    {
        var p = snapshot.PublishersById.GetValueOrDefault(d.Metadata.Publisher);
        var c = snapshot.ContactOf(d.Metadata);
        if (c is null)
        {
            return;
        }

        var kind = g.NewBlank();
        g.Add(ds, Ns.Dcat + "contactPoint", kind).Type(kind, Ns.Vcard + "Kind");
        g.Add(kind, Ns.Vcard + "fn", RdfTerm.Text(c.Name ?? p?.NameZh ?? d.Metadata.Publisher, "zh"));
        if (c.Email is { } email)
        {
            g.Add(kind, Ns.Vcard + "hasEmail", "mailto:" + email);
        }

        if (c.Phone is { } phone)
        {
            g.Add(kind, Ns.Vcard + "hasTelephone", "tel:" + phone.Replace(" ", "", StringComparison.Ordinal));
        }
    }

    private static void AccessRights(RdfGraph g, RdfTerm ds, string openClass, string? conditionsZh, string? conditionsEn)
    {
        var rights = RdfTerm.Iri(EuVocabularies.AccessRightUri(openClass));
        g.Add(ds, Ns.Dct + "accessRights", rights).Type(rights, Ns.Dct + "RightsStatement");
        var (zh, en) = CatalogSearch.OpenClassLabel(openClass);
        g.Text(rights, Ns.Rdfs + "label", zh, en);
        if (conditionsZh is not null)
        {
            var conditions = g.NewBlank();
            g.Add(ds, Ns.Dct + "rights", conditions).Type(conditions, Ns.Dct + "RightsStatement");
            g.Text(conditions, Ns.Rdfs + "label", conditionsZh, conditionsEn);
        }
    }

    private static void Licence(RdfGraph g, CatalogSnapshot snapshot, string id, DcatIris iris)
    {
        var l = snapshot.LicensesById.GetValueOrDefault(id);
        var licence = RdfTerm.Iri(iris.Licence(l, id));
        g.Type(licence, Ns.Dct + "LicenseDocument");
        g.Text(licence, Ns.Dct + "title", l?.TitleZh ?? id, l?.TitleEn);
        g.Add(licence, Ns.Dct + "identifier", RdfTerm.Text(id));
    }
}
