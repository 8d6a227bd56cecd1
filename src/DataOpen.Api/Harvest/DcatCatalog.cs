using System.Globalization;
using DataOpen.Api.Catalog;
using DataOpen.Api.Publishing;

namespace DataOpen.Api.Harvest;

/// <summary>
/// What the harvest door knows of the current versions beyond the snapshot, computed after publishing: the size and sha256 of
/// each download format by version table, then format (<see cref="DistributionDigests"/>), and the quality score by dataset
/// identifier (<see cref="Quality.QualityService"/>).
/// </summary>
public sealed record VersionFacts(IReadOnlyDictionary<string, IReadOnlyDictionary<string, DistributionDigest>> ByTable, IReadOnlyDictionary<string, double> Scores)
{
    public IReadOnlyDictionary<string, DistributionDigest>? Of(DatasetEntry d) => d.Current is { } v ? ByTable.GetValueOrDefault(v.TableName) : null;

    public double? ScoreOf(DatasetEntry d) => Scores.TryGetValue(d.Identifier, out var s) ? s : null;

    /// <summary>For ETags: which digests and scores went into a response (they appear after publishing, without a catalog change).</summary>
    public string Fingerprint(IEnumerable<DatasetEntry> datasets) =>
        string.Join(',', ByTable.Keys.Order(StringComparer.Ordinal)) + ";" +
        string.Join(',', datasets.Select(d => d.Identifier + "=" + ScoreOf(d)?.ToString(CultureInfo.InvariantCulture)));
}

/// <summary>One page of the catalogue: which datasets, and the Hydra view that links the pages.</summary>
public sealed record CatalogPage(int Number, int Size, int Total, IReadOnlyList<DatasetEntry> Datasets)
{
    public int Last => Math.Max(1, (Total + Size - 1) / Size);
}

/// <summary>
/// The DCAT-AP 3.0 catalogue (dcat:Catalog) with its data services and theme taxonomies, paged with Hydra as
/// ckanext-dcat pages its catalog endpoint (hydra:PartialCollectionView with first, last, next, previous,
/// totalItems, itemsPerPage), so ckanext-dcat's harvester follows the pages.
/// </summary>
public static class DcatCatalog
{
    public const int DefaultPageSize = 100;
    public const int MaxPageSize = 1000;

    /// <summary>The served datasets a harvester may see: open and conditional, never not-open, not retired, with a version.</summary>
    public static IReadOnlyList<DatasetEntry> Harvestable(CatalogSnapshot snapshot) =>
        snapshot.Served.OrderBy(d => d.Identifier, StringComparer.Ordinal).ToList();

    public static CatalogPage Page(CatalogSnapshot snapshot, int number, int size)
    {
        var all = Harvestable(snapshot);
        return new CatalogPage(number, size, all.Count, all.Skip((number - 1) * size).Take(size).ToList());
    }

    public static RdfGraph Build(CatalogSnapshot snapshot, CatalogPage page, DcatIris iris, string pageUrlBase, VersionFacts digests)
    {
        var g = new RdfGraph();
        var catalog = RdfTerm.Iri(iris.Catalog);
        g.Type(catalog, Ns.Dcat + "Catalog");
        g.Text(catalog, Ns.Dct + "title", "长春新区公共数据开放平台", "Changchun New Area Open Data");
        g.Text(catalog, Ns.Dct + "description",
            "长春新区各部门依法开放的公共数据目录：无条件开放和有条件开放的数据集，附下载、REST、OData 和 GraphQL 接口。",
            "The public data the departments of Changchun New Area open: unconditionally and conditionally open datasets, with downloads and REST, OData and GraphQL APIs.");
        var platform = RdfTerm.Iri(iris.Platform);
        g.Add(catalog, Ns.Dct + "publisher", platform).Type(platform, Ns.Foaf + "Agent");
        g.Text(platform, Ns.Foaf + "name", "长春新区公共数据开放平台", "Changchun New Area Open Data");
        var home = RdfTerm.Iri(iris.BaseUrl + "/");
        g.Add(catalog, Ns.Foaf + "homepage", home).Type(home, Ns.Foaf + "Document");
        DcatDataset.Language(g, catalog, english: true);
        if (page.Datasets.Count > 0)
        {
            g.Add(catalog, Ns.Dct + "modified", DcatDataset.DateTime(Harvestable(snapshot).Max(d => d.Modified)));
        }

        foreach (var scheme in snapshot.ThemeSchemes)
        {
            g.Add(catalog, Ns.Dcat + "themeTaxonomy", iris.Scheme(scheme.Id));
            DcatThemes.Scheme(g, scheme, iris);
        }

        foreach (var d in page.Datasets)
        {
            g.Add(catalog, Ns.Dcat + "dataset", iris.Dataset(d.Identifier));
            DcatDataset.Add(g, snapshot, d, iris, digests.Of(d), digests.ScoreOf(d));
        }

        Services(g, catalog, page.Datasets, iris);
        Paging(g, page, pageUrlBase);
        return g;
    }

    /// <summary>One dataset with the services that serve it.</summary>
    public static RdfGraph BuildDataset(CatalogSnapshot snapshot, DatasetEntry d, DcatIris iris, VersionFacts digests)
    {
        var g = new RdfGraph();
        DcatDataset.Add(g, snapshot, d, iris, digests.Of(d), digests.ScoreOf(d));
        Services(g, null, [d], iris);
        return g;
    }

    /// <summary>The three APIs as dcat:DataService, each with its endpoint and the machine-readable description of it.</summary>
    private static void Services(RdfGraph g, RdfTerm? catalog, IReadOnlyList<DatasetEntry> served, DcatIris iris)
    {
        var b = iris.BaseUrl;
        (string Name, string Zh, string En, string Endpoint, string Description, string Standard, string StandardTitle)[] services =
        [
            ("rest", "REST 接口（/api/v1）", "REST API (/api/v1)", $"{b}/api/v1", $"{b}/swagger/v1/swagger.json",
                "https://spec.openapis.org/oas/v3.0.4", "OpenAPI 3.0"),
            ("odata", "OData v4 接口", "OData v4 feed", $"{b}/odata", $"{b}/odata/$metadata",
                "http://docs.oasis-open.org/odata/odata/v4.01/odata-v4.01-part1-protocol.html", "OData 4.01 Protocol"),
            ("graphql", "GraphQL 接口", "GraphQL API", $"{b}/graphql", $"{b}/graphql/schema.graphql",
                "https://spec.graphql.org/October2021/", "GraphQL (October 2021)"),
        ];
        foreach (var s in services)
        {
            var service = RdfTerm.Iri(iris.Service(s.Name));
            if (catalog is not null)
            {
                g.Add(catalog, Ns.Dcat + "service", service);
            }

            g.Type(service, Ns.Dcat + "DataService");
            g.Text(service, Ns.Dct + "title", s.Zh, s.En);
            DcatDataset.Resource(g, service, Ns.Dcat + "endpointURL", s.Endpoint);
            DcatDataset.Resource(g, service, Ns.Dcat + "endpointDescription", s.Description);
            var standard = RdfTerm.Iri(s.Standard);
            g.Add(service, Ns.Dct + "conformsTo", standard).Type(standard, Ns.Dct + "Standard");
            g.Add(standard, Ns.Dct + "title", RdfTerm.Text(s.StandardTitle, "en"));
            foreach (var d in served)
            {
                g.Add(service, Ns.Dcat + "servesDataset", iris.Dataset(d.Identifier));
            }
        }
    }

    private static void Paging(RdfGraph g, CatalogPage page, string pageUrlBase)
    {
        string Url(int n) => $"{pageUrlBase}?page={n.ToString(CultureInfo.InvariantCulture)}" +
            (page.Size == DefaultPageSize ? "" : $"&page_size={page.Size.ToString(CultureInfo.InvariantCulture)}");
        var view = RdfTerm.Iri(Url(page.Number));
        g.Type(view, Ns.Hydra + "PartialCollectionView");
        g.Add(view, Ns.Hydra + "totalItems", RdfTerm.Typed(page.Total.ToString(CultureInfo.InvariantCulture), Ns.Xsd + "integer"));
        g.Add(view, Ns.Hydra + "itemsPerPage", RdfTerm.Typed(page.Size.ToString(CultureInfo.InvariantCulture), Ns.Xsd + "integer"));
        g.Add(view, Ns.Hydra + "first", Url(1));
        g.Add(view, Ns.Hydra + "last", Url(page.Last));
        if (page.Number < page.Last)
        {
            g.Add(view, Ns.Hydra + "next", Url(page.Number + 1));
        }

        if (page.Number > 1)
        {
            g.Add(view, Ns.Hydra + "previous", Url(Math.Min(page.Number - 1, page.Last)));
        }
    }
}

/// <summary>The theme schemes (资源分类 axes) as SKOS concept schemes with their concepts, zh and en labels, broader links.</summary>
public static class DcatThemes
{
    public static RdfGraph Build(CatalogSnapshot snapshot, DcatIris iris)
    {
        var g = new RdfGraph();
        foreach (var scheme in snapshot.ThemeSchemes)
        {
            Scheme(g, scheme, iris);
            foreach (var t in snapshot.Themes.Where(t => t.SchemeId == scheme.Id))
            {
                Concept(g, snapshot, scheme.Id, t.Code, iris);
            }
        }

        return g;
    }

    public static void Scheme(RdfGraph g, ThemeSchemeInfo scheme, DcatIris iris)
    {
        var s = RdfTerm.Iri(iris.Scheme(scheme.Id));
        g.Type(s, Ns.Skos + "ConceptScheme");
        g.Text(s, Ns.Dct + "title", scheme.NameZh, scheme.NameEn);
        g.Text(s, Ns.Skos + "prefLabel", scheme.NameZh, scheme.NameEn);
    }

    public static void Concept(RdfGraph g, CatalogSnapshot snapshot, string scheme, string code, DcatIris iris)
    {
        var t = snapshot.Themes.FirstOrDefault(t => t.SchemeId == scheme && t.Code == code);
        var c = RdfTerm.Iri(iris.Concept(scheme, code));
        g.Type(c, Ns.Skos + "Concept");
        g.Text(c, Ns.Skos + "prefLabel", t?.LabelZh ?? code, t?.LabelEn);
        g.Add(c, Ns.Skos + "notation", RdfTerm.Text(code));
        g.Add(c, Ns.Skos + "inScheme", iris.Scheme(scheme));
        if (t?.ParentCode is { } parent)
        {
            g.Add(c, Ns.Skos + "broader", iris.Concept(scheme, parent));
        }
        else
        {
            g.Add(c, Ns.Skos + "topConceptOf", iris.Scheme(scheme));
        }
    }
}
